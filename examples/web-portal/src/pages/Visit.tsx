/**
 * Joining a virtual visit with the access code the clinic sent (case-sensitive), with the
 * preparation tips, and what to do when the code fails. No login needed: the code is the key.
 */

import type { Contract } from "@careportal/client"
import { type FormEvent, useRef, useState } from "react"
import { type ApiProblem, call } from "../api.ts"
import { focusFirstInvalid, TextField } from "../components/Form.tsx"
import { Info, Problem, Status } from "../components/Notice.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { usePageTitle, usePortal } from "../state.tsx"
import { formatDateTime } from "../time.ts"
import { accessCodeOf, isAccessCode } from "../validation.ts"

export const VisitPage = () => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const heading = usePageTitle(t.visit.title)
  const [code, setCode] = useState("")
  const [error, setError] = useState<string>()
  const [problem, setProblem] = useState<ApiProblem>()
  const [joined, setJoined] = useState<Contract.VirtualVisits.VisitJoin>()
  const form = useRef<HTMLFormElement>(null)
  const join = (e: FormEvent) => {
    e.preventDefault()
    setProblem(undefined)
    if (!isAccessCode(code)) {
      setError(t.visit.errors.code)
      return focusFirstInvalid(form.current)
    }
    setError(undefined)
    call((api) => api.visits.join({ payload: { code: accessCodeOf(code) } })).then(
      setJoined,
      (p: ApiProblem) => {
        if (p.tag === "AccessCodeInvalid") {
          setError(p.message)
          focusFirstInvalid(form.current)
        } else setProblem(p)
      }
    )
  }
  const safeUrl =
    joined !== undefined && /^https:\/\//i.test(joined.meetingUrl) ? joined.meetingUrl : undefined
  return (
    <section>
      <h1 ref={heading} tabIndex={-1}>
        {t.visit.title}
      </h1>
      <p className="lead">{t.visit.intro}</p>
      <section aria-labelledby="prepare-heading" className="card">
        <h2 id="prepare-heading">{t.visit.prepare}</h2>
        <ul className="tips">
          {t.visit.tips.map((tip) => (
            <li key={tip}>{tip}</li>
          ))}
        </ul>
      </section>
      {joined === undefined ? (
        <form ref={form} onSubmit={join} noValidate className="card">
          <Problem problem={problem} />
          <TextField
            id="accessCode"
            label={t.visit.code}
            hint={t.visit.codeHint}
            error={error}
            required
            autoComplete="one-time-code"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            maxLength={16}
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <button type="submit" className="primary">
            {t.visit.submit}
          </button>
          <Info>
            <p>{t.visit.failedHelp}</p>
          </Info>
        </form>
      ) : (
        <Status>
          <p>{t.visit.ready(formatDateTime(joined.startsAt, clinic.timeZone, language))}</p>
          {safeUrl === undefined ? null : (
            <p>
              <a className="button primary" href={safeUrl} target="_blank" rel="noopener noreferrer">
                {t.visit.open}
              </a>
            </p>
          )}
        </Status>
      )}
    </section>
  )
}
