/**
 * One appointment: when, with whom, its status; change its time or cancel it (the API refuses
 * inside the change window and says why); its pre-visit questionnaires.
 */

import type { Contract } from "@careportal/client"
import { useState } from "react"
import { Link, useSearch } from "wouter"
import { type ApiProblem, call } from "../api.ts"
import { BackLink } from "../components/BackLink.tsx"
import { Info, Problem, Status } from "../components/Notice.tsx"
import { QuestionnaireForm } from "../components/QuestionnaireForm.tsx"
import { SlotPicker } from "../components/SlotPicker.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { useLoad, usePageTitle, usePortal } from "../state.tsx"
import { formatDateTime } from "../time.ts"
import { useCatalog } from "./Appointments.tsx"

type Slot = Contract.Availability.Slot

export const AppointmentPage = ({ id }: { readonly id: string }) => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const search = new URLSearchParams(useSearch())
  const heading = usePageTitle(t.appointment.title)
  const catalog = useCatalog()
  const appointment = useLoad(() => call((api) => api.appointments.read({ params: { id: id as never } })), id)
  const tasks = useLoad(() => call((api) => api.tasks.list({ params: { id: id as never } })), id)
  const [mode, setMode] = useState<"view" | "move" | "cancel">("view")
  const [slot, setSlot] = useState<Slot>()
  const [problem, setProblem] = useState<ApiProblem>()
  const [news, setNews] = useState<string | undefined>(() => {
    const done = search.get("done")
    return done === "booked" ? t.booking.booked : done === "requested" ? t.booking.requested : undefined
  })
  const [filed, setFiled] = useState(false)
  const a = appointment.value
  const active = a !== undefined && (a.status === "booked" || a.status === "requested")

  const move = () => {
    if (slot === undefined) return
    setProblem(undefined)
    call((api) =>
      api.appointments.reschedule({ params: { id: id as never }, payload: { start: slot.start } })
    ).then((moved) => {
      appointment.setValue(moved)
      setMode("view")
      setSlot(undefined)
      setNews(t.booking.moved)
    }, setProblem)
  }
  const cancel = () => {
    setProblem(undefined)
    call((api) => api.appointments.cancel({ params: { id: id as never } })).then(
      (cancelled) => {
        appointment.setValue(cancelled)
        setMode("view")
        setNews(t.appointment.cancelled)
        void tasks.reload()
      },
      (p: ApiProblem) => {
        setMode("view")
        setProblem(p)
      }
    )
  }

  return (
    <section>
      <BackLink href="/appointments" />
      <h1 ref={heading} tabIndex={-1}>
        {t.appointment.title}
      </h1>
      <Problem problem={appointment.problem} />
      {news === undefined ? null : <Status>{news}</Status>}
      {a === undefined ? (
        appointment.problem === undefined ? (
          <p>{t.loading}</p>
        ) : null
      ) : (
        <>
          <dl className="card details">
            <dt>{t.appointment.when}</dt>
            <dd>{formatDateTime(a.start, clinic.timeZone, language)}</dd>
            <dt>{t.appointment.provider}</dt>
            <dd>{catalog.providerName(a.providerId)}</dd>
            <dt>{t.appointment.type}</dt>
            <dd>
              {catalog.typeName(a.typeId)} · {t.appointments.mode[a.mode] ?? a.mode}
            </dd>
            <dt>{t.appointment.status}</dt>
            <dd>{t.appointments.status[a.status] ?? a.status}</dd>
          </dl>
          {a.mode === "virtual" && active ? (
            <p>
              <Link href="/visit">{t.appointment.joinVisit}</Link>
            </p>
          ) : null}
          <Problem problem={problem} />
          {active && mode === "view" ? (
            <div className="actions">
              <button type="button" onClick={() => setMode("move")}>
                {t.appointment.change}
              </button>
              <button type="button" className="danger" onClick={() => setMode("cancel")}>
                {t.appointment.cancel}
              </button>
            </div>
          ) : null}
          {mode === "cancel" ? (
            <section className="card confirm" aria-labelledby="cancel-q">
              <p id="cancel-q">{t.appointment.cancelConfirm}</p>
              <div className="actions">
                <button type="button" className="danger" onClick={cancel}>
                  {t.appointment.cancelYes}
                </button>
                <button type="button" onClick={() => setMode("view")}>
                  {t.appointment.keep}
                </button>
              </div>
            </section>
          ) : null}
          {mode === "move" ? (
            <div className="card">
              <h2>{t.booking.rescheduleTitle}</h2>
              <SlotPicker providerId={a.providerId} typeId={a.typeId} chosen={slot} onChoose={setSlot} />
              <div className="actions">
                {slot === undefined ? null : (
                  <button type="button" className="primary" onClick={move}>
                    {t.booking.confirmMove(formatDateTime(slot.start, clinic.timeZone, language))}
                  </button>
                )}
                <button type="button" onClick={() => setMode("view")}>
                  {t.appointment.keep}
                </button>
              </div>
            </div>
          ) : null}
          <section aria-labelledby="tasks-heading">
            <h2 id="tasks-heading">{t.appointment.tasks}</h2>
            {filed ? <Status>{t.questionnaire.sent}</Status> : null}
            <Problem problem={tasks.problem} />
            {tasks.value === undefined ? null : tasks.value.length === 0 ? (
              <p>{t.appointment.noTasks}</p>
            ) : (
              tasks.value.map((view) =>
                view.task.status === "open" ? (
                  <QuestionnaireForm
                    key={view.task.id}
                    view={view}
                    onDone={() => {
                      setFiled(true)
                      void tasks.reload()
                    }}
                  />
                ) : (
                  <Info key={view.task.id}>
                    <p>
                      <strong>{view.questionnaire.title}</strong>:{" "}
                      {view.task.status === "completed"
                        ? t.appointment.taskDone
                        : t.appointment.taskCancelled}
                    </p>
                  </Info>
                )
              )
            )}
          </section>
        </>
      )}
    </section>
  )
}
