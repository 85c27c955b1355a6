/** The signed-in patient's home: messages, appointments, my information, virtual visit. */
import { Link } from "wouter"
import { call } from "../api.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { type Me, useLoad, usePageTitle, usePortal } from "../state.tsx"
import { formatDateTime } from "../time.ts"

export const HomePage = ({ me }: { readonly me: Me }) => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const heading = usePageTitle(t.nav.home)
  const messages = useLoad(() => call((api) => api.messages.list({ query: { limit: 100 } })), "messages")
  const upcoming = useLoad(
    () => call((api) => api.appointments.list({ query: { when: "upcoming" } })),
    "upcoming"
  )
  const unread = messages.value?.messages.filter((m) => m.readAt === null).length
  const next = upcoming.value?.find((a) => a.status === "booked" || a.status === "requested")
  return (
    <section>
      <h1 ref={heading} tabIndex={-1}>
        {t.home.title(me.legalName.given)}
      </h1>
      <ul className="tiles">
        <li>
          <Link href="/messages" className="tile">
            <span className="tile-title">{t.nav.messages}</span>
            <span className="tile-detail">{unread === undefined ? t.loading : t.home.unread(unread)}</span>
          </Link>
        </li>
        <li>
          <Link href="/appointments" className="tile">
            <span className="tile-title">{t.nav.appointments}</span>
            <span className="tile-detail">
              {upcoming.value === undefined
                ? t.loading
                : next === undefined
                  ? t.home.noAppointment
                  : t.home.nextAppointment(formatDateTime(next.start, clinic.timeZone, language))}
            </span>
          </Link>
        </li>
        <li>
          <Link href="/me" className="tile">
            <span className="tile-title">{t.nav.me}</span>
            <span className="tile-detail">{t.home.meSummary}</span>
          </Link>
        </li>
        <li>
          <Link href="/visit" className="tile">
            <span className="tile-title">{t.nav.visit}</span>
            <span className="tile-detail">{t.home.visitSummary}</span>
          </Link>
        </li>
      </ul>
    </section>
  )
}
