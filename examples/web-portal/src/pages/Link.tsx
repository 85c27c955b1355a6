/**
 * The page a notification's link opens: the clinic's name and what is waiting (never the
 * message itself), then the quick passcode and the date of birth. Opening the page consumes
 * nothing (mail scanners follow links); only LOGIN does. An expired, used or locked link says
 * so plainly and offers a new code or the usual login.
 */
import { type FormEvent, useEffect, useRef, useState } from "react"
import { Link, useLocation } from "wouter"
import { ApiProblem, call } from "../api.ts"
import { focusFirstInvalid, StayLoggedIn, TextField } from "../components/Form.tsx"
import { Info, Problem, Status } from "../components/Notice.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { useLoad, usePageTitle, usePortal } from "../state.tsx"
import { accessCodeOf, isAccessCode, isCalendarDate } from "../validation.ts"

export const LinkPage = ({ linkId }: { readonly linkId: string }) => {
  const { t } = useI18n()
  const { clinic, refreshMe } = usePortal()
  const [, navigate] = useLocation()
  const heading = usePageTitle(t.link.title(clinic.name))
  const link = useLoad(
    () => call((api) => api.links.describe({ params: { linkId: linkId as never } })),
    linkId
  )
  const [code, setCode] = useState("")
  const [dateOfBirth, setDateOfBirth] = useState("")
  const [stay, setStay] = useState(false)
  const [errors, setErrors] = useState<{ code?: string; dateOfBirth?: string }>({})
  const [problem, setProblem] = useState<ApiProblem>()
  const [resentTo, setResentTo] = useState<string>()
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)

  const description = link.value
  // A link opened under another clinic's address goes to its own clinic's page: the header,
  // the times and the session must all be that clinic's.
  useEffect(() => {
    if (description !== undefined && description.clinic.slug !== clinic.slug) {
      window.location.replace(`/${description.clinic.slug}/links/${linkId}`)
    }
  }, [description, clinic.slug, linkId])
  const clinicName = description?.clinic.name ?? clinic.name
  const waiting =
    description?.resourceKind === "upload-request"
      ? t.link.waiting.upload(clinicName)
      : t.link.waiting.message(clinicName)

  const open = (e: FormEvent) => {
    e.preventDefault()
    setProblem(undefined)
    const found = {
      ...(isAccessCode(code) ? {} : { code: t.link.errors.code }),
      ...(isCalendarDate(dateOfBirth) ? {} : { dateOfBirth: t.link.errors.dateOfBirth })
    }
    setErrors(found)
    if (Object.keys(found).length > 0) return focusFirstInvalid(form.current)
    setBusy(true)
    call((api) =>
      api.links.open({
        params: { linkId: linkId as never },
        payload: { code: accessCodeOf(code), dateOfBirth, stayLoggedIn: stay }
      })
    )
      .then(
        (opened) =>
          refreshMe().then(() =>
            navigate(
              opened.target.kind === "upload-request"
                ? `/uploads/${opened.target.id}`
                : `/messages/${opened.target.id}`
            )
          ),
        (p: ApiProblem) => {
          if (p.tag === "PasscodeInvalid") {
            // The code and the date of birth are judged together, and the API does not say
            // which was wrong: the message goes with both fields.
            const left = (p.details as { attemptsLeft?: number }).attemptsLeft
            const message = typeof left === "number" ? t.link.errors.mismatch(left) : p.message
            setErrors({ code: message, dateOfBirth: message })
            focusFirstInvalid(form.current)
          } else {
            setProblem(p)
            void link.reload()
          }
        }
      )
      .finally(() => setBusy(false))
  }

  const resend = () => {
    setProblem(undefined)
    call((api) => api.links.resend({ params: { linkId: linkId as never } })).then((sent) => {
      setResentTo(sent.sentTo.map((s) => s.masked).join(", "))
      setCode("")
      void link.reload()
    }, setProblem)
  }

  const status = description?.status
  const deadEnd = status === "expired" || status === "used" || status === "locked" || status === "superseded"
  return (
    <section className="card narrow">
      <h1 ref={heading} tabIndex={-1}>
        {t.link.title(clinicName)}
      </h1>
      {link.problem !== undefined ? (
        <>
          <Problem
            problem={
              link.problem.tag === "LinkNotFound"
                ? new ApiProblem("LinkNotFound", t.link.notFound)
                : link.problem
            }
          />
          <Link href="/login" className="button primary">
            {t.link.continueToLogin}
          </Link>
        </>
      ) : description === undefined ? (
        <p>{t.loading}</p>
      ) : (
        <>
          <p className="lead">{waiting}</p>
          {resentTo === undefined ? null : <Status>{t.link.resentTo(resentTo)}</Status>}
          <Problem problem={problem} />
          {deadEnd ? (
            <div className="notice problem" role="alert">
              <p>{t.link[status]}</p>
            </div>
          ) : null}
          {status === "active" ? (
            <form ref={form} onSubmit={open} noValidate>
              <TextField
                id="code"
                label={t.link.code}
                hint={t.link.codeHint}
                error={errors.code}
                required
                autoComplete="one-time-code"
                autoCapitalize="off"
                autoCorrect="off"
                spellCheck={false}
                maxLength={16}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
              <TextField
                id="dateOfBirth"
                label={t.link.dateOfBirth}
                hint={t.link.dateOfBirthHint}
                error={errors.dateOfBirth}
                required
                type="date"
                autoComplete="bday"
                value={dateOfBirth}
                onChange={(e) => setDateOfBirth(e.target.value)}
              />
              <StayLoggedIn checked={stay} onChange={setStay} />
              <div className="actions">
                <button type="submit" className="primary" disabled={busy}>
                  {t.link.submit}
                </button>
                <button type="button" onClick={resend}>
                  {t.link.resend}
                </button>
              </div>
            </form>
          ) : (
            <div className="actions">
              {status === "used" ? null : (
                <button type="button" className="primary" onClick={resend}>
                  {t.link.resend}
                </button>
              )}
              <Link href="/login" className="button">
                {t.link.continueToLogin}
              </Link>
            </div>
          )}
          {status === "active" ? null : (
            <Info>
              <p>{t.login.noPortal}</p>
            </Info>
          )}
        </>
      )}
    </section>
  )
}
