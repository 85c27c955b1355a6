/**
 * The portal's pages. Each clinic has its own address, `/{clinic-slug}/…` (the clinic's "URL
 * address unique to your clinic"); notification links open `/{slug}/links/{id}`.
 */
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react"
import { Redirect, Route, Switch, useLocation, useParams } from "wouter"
import { ApiProblem } from "./api.ts"
import { TextField } from "./components/Form.tsx"
import { BareLayout, Layout } from "./components/Layout.tsx"
import { Problem } from "./components/Notice.tsx"
import { useI18n } from "./i18n/I18n.tsx"
import { AppointmentPage } from "./pages/Appointment.tsx"
import { AppointmentsPage, NewAppointmentPage } from "./pages/Appointments.tsx"
import { HomePage } from "./pages/Home.tsx"
import { LinkPage } from "./pages/Link.tsx"
import { LoginPage } from "./pages/Login.tsx"
import { MePage } from "./pages/Me.tsx"
import { MessagePage, MessagesPage } from "./pages/Messages.tsx"
import { UploadPage } from "./pages/Upload.tsx"
import { VisitPage } from "./pages/Visit.tsx"
import { type Me, PortalProvider, useClinic, usePortal } from "./state.tsx"

/** A page for the signed-in patient; anyone else is sent to the login and brought back after. */
const SignedIn = ({ children }: { readonly children: (me: Me) => ReactNode }) => {
  const { t } = useI18n()
  const { me } = usePortal()
  const [location] = useLocation()
  if (me === undefined) return <p role="status">{t.loading}</p>
  if (me === null) return <Redirect to={`/login?next=${encodeURIComponent(location)}`} replace />
  return <>{children(me)}</>
}

const ClinicPages = () => (
  <Layout>
    <Switch>
      <Route path="/login" component={LoginPage} />
      <Route path="/links/:linkId">{(p) => <LinkPage linkId={p.linkId} />}</Route>
      <Route path="/visit" component={VisitPage} />
      <Route path="/virtual-visits/join" component={VisitPage} />
      <Route path="/messages">
        <SignedIn>{() => <MessagesPage />}</SignedIn>
      </Route>
      <Route path="/messages/:id">{(p) => <SignedIn>{() => <MessagePage id={p.id} />}</SignedIn>}</Route>
      <Route path="/appointments">
        <SignedIn>{() => <AppointmentsPage />}</SignedIn>
      </Route>
      <Route path="/appointments/new">
        <SignedIn>{() => <NewAppointmentPage />}</SignedIn>
      </Route>
      <Route path="/appointments/:id">
        {(p) => <SignedIn>{() => <AppointmentPage id={p.id} />}</SignedIn>}
      </Route>
      <Route path="/uploads/:id">{(p) => <SignedIn>{() => <UploadPage id={p.id} />}</SignedIn>}</Route>
      <Route path="/me">
        <SignedIn>{() => <MePage />}</SignedIn>
      </Route>
      <Route path="/">
        <SignedIn>{(me) => <HomePage me={me} />}</SignedIn>
      </Route>
      <Route>
        <Redirect to="/" replace />
      </Route>
    </Switch>
  </Layout>
)

const UnknownClinic = () => {
  const { t } = useI18n()
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = t.clinic.notFoundTitle
    ref.current?.focus()
  }, [t])
  return (
    <BareLayout>
      <section className="card narrow">
        <h1 ref={ref} tabIndex={-1}>
          {t.clinic.notFoundTitle}
        </h1>
        <p>{t.clinic.notFound}</p>
      </section>
    </BareLayout>
  )
}

/** The clinic's page could not be read (no connection, a fault): say so, and offer to try again. */
const ClinicUnreachable = ({ problem }: { readonly problem: ApiProblem }) => {
  const { t } = useI18n()
  return (
    <BareLayout>
      <section className="card narrow">
        <h1 tabIndex={-1}>{t.portal}</h1>
        <Problem problem={problem} />
        <button type="button" className="primary" onClick={() => window.location.reload()}>
          {t.tryAgain}
        </button>
      </section>
    </BareLayout>
  )
}

const ClinicPortal = () => {
  const { clinic: slug } = useParams<{ clinic: string }>()
  const { t } = useI18n()
  const clinic = useClinic(slug)
  if (clinic === undefined) return <p role="status">{t.loading}</p>
  if (clinic instanceof ApiProblem) {
    return clinic.tag === "NotFound" || clinic.tag === "RouteNotFound" ? (
      <UnknownClinic />
    ) : (
      <ClinicUnreachable problem={clinic} />
    )
  }
  return (
    <PortalProvider clinic={clinic}>
      <ClinicPages />
    </PortalProvider>
  )
}

/** `/`: which clinic? (A deployment can send `/` to its clinic's address instead.) */
const ChooseClinic = () => {
  const { t } = useI18n()
  const [, navigate] = useLocation()
  const [slug, setSlug] = useState("")
  const [error, setError] = useState<string>()
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = t.clinic.chooseTitle
  }, [t])
  const open = (e: FormEvent) => {
    e.preventDefault()
    const value = slug.trim().toLowerCase()
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(value)) return setError(t.clinic.slugInvalid)
    navigate(`/${value}/`)
  }
  return (
    <BareLayout>
      <section className="card narrow">
        <h1 ref={ref} tabIndex={-1}>
          {t.clinic.chooseTitle}
        </h1>
        <p>{t.clinic.chooseIntro}</p>
        <form onSubmit={open} noValidate>
          <TextField
            id="clinic"
            label={t.clinic.slugLabel}
            hint={t.clinic.slugHint}
            error={error}
            required
            autoCapitalize="off"
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
          />
          <button type="submit" className="primary">
            {t.clinic.open}
          </button>
        </form>
      </section>
    </BareLayout>
  )
}

export const App = () => (
  <Switch>
    <Route path="/" component={ChooseClinic} />
    <Route path="/:clinic" nest>
      <ClinicPortal />
    </Route>
  </Switch>
)
