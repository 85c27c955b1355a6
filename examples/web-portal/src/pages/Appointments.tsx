/**
 * Appointments: upcoming and past, "+ New Appointment" (type, provider, an open time, then
 * book or request), and one appointment's details with its pre-visit questionnaires.
 */

import type { Contract } from "@careportal/client"
import { useState } from "react"
import { Link, useLocation } from "wouter"
import { type ApiProblem, call } from "../api.ts"
import { BackLink } from "../components/BackLink.tsx"
import { SelectField } from "../components/Form.tsx"
import { Problem } from "../components/Notice.tsx"
import { SlotPicker } from "../components/SlotPicker.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { useLoad, usePageTitle, usePortal } from "../state.tsx"
import { formatDateTime } from "../time.ts"

type Appointment = Contract.Appointment.Appointment
type Slot = Contract.Availability.Slot

/** The clinic's providers and appointment types, by id, to name what an appointment is. */
export const useCatalog = () => {
  const providers = useLoad(() => call((api) => api.availability.providers()), "providers")
  const types = useLoad(() => call((api) => api.availability.appointmentTypes()), "types")
  return {
    providers: providers.value ?? [],
    types: types.value ?? [],
    problem: providers.problem ?? types.problem,
    providerName: (id: string) => providers.value?.find((p) => p.id === id)?.name ?? "",
    typeName: (id: string) => types.value?.find((t) => t.id === id)?.name ?? ""
  }
}

const AppointmentList = ({
  appointments,
  empty,
  catalog
}: {
  readonly appointments: ReadonlyArray<Appointment> | undefined
  readonly empty: string
  readonly catalog: ReturnType<typeof useCatalog>
}) => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  if (appointments === undefined) return <p>{t.loading}</p>
  if (appointments.length === 0) return <p>{empty}</p>
  return (
    <ul className="list">
      {appointments.map((a) => (
        <li key={a.id}>
          <Link href={`/appointments/${a.id}`}>
            <span className="list-title">{formatDateTime(a.start, clinic.timeZone, language)}</span>
            <span className="list-detail">
              {catalog.typeName(a.typeId)} {t.appointments.with(catalog.providerName(a.providerId))} ·{" "}
              {t.appointments.mode[a.mode] ?? a.mode}
            </span>
            <span className={`badge status-${a.status}`}>{t.appointments.status[a.status] ?? a.status}</span>
          </Link>
        </li>
      ))}
    </ul>
  )
}

export const AppointmentsPage = () => {
  const { t } = useI18n()
  const heading = usePageTitle(t.appointments.title)
  const catalog = useCatalog()
  const upcoming = useLoad(
    () => call((api) => api.appointments.list({ query: { when: "upcoming" } })),
    "upcoming"
  )
  const past = useLoad(() => call((api) => api.appointments.list({ query: { when: "past" } })), "past")
  return (
    <section>
      <div className="title-row">
        <h1 ref={heading} tabIndex={-1}>
          {t.appointments.title}
        </h1>
        <Link href="/appointments/new" className="button primary">
          {t.appointments.new}
        </Link>
      </div>
      <Problem problem={upcoming.problem ?? past.problem ?? catalog.problem} />
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">{t.appointments.upcoming}</h2>
        <AppointmentList
          appointments={upcoming.value?.filter((a) => a.status !== "cancelled")}
          empty={t.appointments.noneUpcoming}
          catalog={catalog}
        />
      </section>
      <section aria-labelledby="past-heading">
        <h2 id="past-heading">{t.appointments.past}</h2>
        <AppointmentList
          appointments={
            past.value === undefined || upcoming.value === undefined
              ? undefined
              : [...upcoming.value.filter((a) => a.status === "cancelled"), ...past.value]
          }
          empty={t.appointments.nonePast}
          catalog={catalog}
        />
      </section>
    </section>
  )
}

export const NewAppointmentPage = () => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const [, navigate] = useLocation()
  const heading = usePageTitle(t.booking.title)
  const catalog = useCatalog()
  const [typeId, setTypeId] = useState("")
  const [providerId, setProviderId] = useState("")
  const [slot, setSlot] = useState<Slot>()
  const [problem, setProblem] = useState<ApiProblem>()
  const [busy, setBusy] = useState(false)
  const type = catalog.types.find((x) => x.id === typeId)
  // Any provider can be booked for any type: their open slots say when.
  const providers = catalog.providers
  const submit = () => {
    if (slot === undefined) return
    setProblem(undefined)
    setBusy(true)
    call((api) =>
      api.appointments.request({
        payload: { providerId: providerId as never, typeId: typeId as never, start: slot.start }
      })
    )
      .then((created) => navigate(`/appointments/${created.id}?done=${created.status}`), setProblem)
      .finally(() => setBusy(false))
  }
  return (
    <section>
      <BackLink href="/appointments" />
      <h1 ref={heading} tabIndex={-1}>
        {t.booking.title}
      </h1>
      <Problem problem={catalog.problem} />
      <div className="card">
        <SelectField
          id="type"
          label={t.booking.type}
          value={typeId}
          onChange={(e) => {
            setTypeId(e.target.value)
            setSlot(undefined)
          }}
        >
          <option value="">{t.booking.choose}</option>
          {catalog.types.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name} ({t.booking.duration(x.durationMinutes)}, {t.appointments.mode[x.mode] ?? x.mode})
            </option>
          ))}
        </SelectField>
        <SelectField
          id="provider"
          label={t.booking.provider}
          value={providerId}
          onChange={(e) => {
            setProviderId(e.target.value)
            setSlot(undefined)
          }}
        >
          <option value="">{t.booking.choose}</option>
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
      </div>
      {typeId === "" || providerId === "" ? (
        <p>{t.booking.chooseFirst}</p>
      ) : (
        <SlotPicker providerId={providerId} typeId={typeId} chosen={slot} onChoose={setSlot} />
      )}
      {slot === undefined || type === undefined ? null : (
        <div className="card confirm" aria-live="polite">
          <p>{t.booking.chosen(formatDateTime(slot.start, clinic.timeZone, language))}</p>
          {type.patientBooking === "request" ? <p className="small">{t.booking.requestNote}</p> : null}
          <Problem problem={problem} />
          <button type="button" className="primary" onClick={submit} disabled={busy}>
            {type.patientBooking === "book" ? t.booking.book : t.booking.request}
          </button>
        </div>
      )}
    </section>
  )
}
