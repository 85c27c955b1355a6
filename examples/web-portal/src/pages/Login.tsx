/**
 * Login with the health card: the card and the email or mobile on file, then the 6-digit code
 * sent there, with "Stay logged in". The first answer is the same whether or not the details
 * matched a patient, so the page says "if the details match" and never more.
 */
import { type FormEvent, useEffect, useRef, useState } from "react"
import { useLocation, useSearch } from "wouter"
import { type ApiProblem, call } from "../api.ts"
import { focusFirstInvalid, RadioGroup, SelectField, StayLoggedIn, TextField } from "../components/Form.tsx"
import { Info, Problem, Status } from "../components/Notice.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { usePageTitle, usePortal } from "../state.tsx"
import { isLoginCode, loginCodeOf, loginProblems, safeNext } from "../validation.ts"

/** The ID types the portal offers (the API's `idType`). */
const ID_TYPES = ["ON-HCN"] as const

/** The refusals after which this code cannot be used any more: start again. */
const DEAD_END = new Set(["PasscodeLocked", "PasscodeExpired", "PasscodeUsed", "ChallengeNotFound"])

export const LoginPage = () => {
  const { t } = useI18n()
  const { clinic, refreshMe, sessionEnded } = usePortal()
  const [, navigate] = useLocation()
  const search = new URLSearchParams(useSearch())
  const heading = usePageTitle(t.login.title)
  const [idType, setIdType] = useState<string>(ID_TYPES[0])
  const [cardNumber, setCardNumber] = useState("")
  const [contactKind, setContactKind] = useState<"email" | "mobile">("email")
  const [contact, setContact] = useState("")
  const [problems, setProblems] = useState<ReturnType<typeof loginProblems>>({})
  const [challenge, setChallenge] = useState<{
    readonly id: string
    readonly kind: "email" | "mobile"
    readonly to: string
  }>()
  const [code, setCode] = useState("")
  const [codeError, setCodeError] = useState<string>()
  const [stay, setStay] = useState(false)
  const [problem, setProblem] = useState<ApiProblem>()
  const [resent, setResent] = useState(false)
  const [busy, setBusy] = useState(false)
  const identifyForm = useRef<HTMLFormElement>(null)
  // The step changed under the patient's hands: the heading (now "Enter your code") takes the focus.
  const step = challenge === undefined ? "identify" : "code"
  const firstStep = useRef(true)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the step changes
  useEffect(() => {
    if (firstStep.current) firstStep.current = false
    else heading.current?.focus()
  }, [step, heading])
  const codeForm = useRef<HTMLFormElement>(null)

  const startAgain = () => {
    setChallenge(undefined)
    setCode("")
    setCodeError(undefined)
    setProblem(undefined)
    setResent(false)
  }

  const identify = (e: FormEvent) => {
    e.preventDefault()
    setProblem(undefined)
    const found = loginProblems({ cardNumber, contactKind, contact })
    setProblems(found)
    if (Object.keys(found).length > 0) return focusFirstInvalid(identifyForm.current)
    setBusy(true)
    call((api) =>
      api.auth.login({
        payload: {
          clinic: clinic.slug,
          identifier: { idType, number: cardNumber.trim() },
          contact: contact.trim()
        }
      })
    )
      .then((started) => {
        setChallenge({ id: started.challengeId, kind: contactKind, to: contact.trim() })
        setResent(false)
      }, setProblem)
      .finally(() => setBusy(false))
  }

  const verify = (e: FormEvent) => {
    e.preventDefault()
    if (challenge === undefined) return
    setProblem(undefined)
    setResent(false)
    if (!isLoginCode(code)) {
      setCodeError(t.login.errors.code)
      return focusFirstInvalid(codeForm.current)
    }
    setCodeError(undefined)
    setBusy(true)
    call((api) =>
      api.auth.verify({
        params: { challengeId: challenge.id as never },
        payload: { code: loginCodeOf(code), stayLoggedIn: stay }
      })
    )
      .then(
        () => refreshMe().then(() => navigate(safeNext(search.get("next")))),
        (p: ApiProblem) => {
          if (p.tag === "PasscodeInvalid") {
            setCodeError(p.message)
            focusFirstInvalid(codeForm.current)
          } else setProblem(p)
        }
      )
      .finally(() => setBusy(false))
  }

  const resend = () => {
    if (challenge === undefined) return
    setProblem(undefined)
    call((api) => api.auth.resend({ params: { challengeId: challenge.id as never } })).then(() => {
      setResent(true)
      setCodeError(undefined)
    }, setProblem)
  }

  return (
    <section className="card narrow">
      <h1 ref={heading} tabIndex={-1}>
        {challenge === undefined ? t.login.title : t.login.codeTitle}
      </h1>
      {search.get("loggedOut") === "1" && challenge === undefined ? <Status>{t.logout.done}</Status> : null}
      {sessionEnded && challenge === undefined ? (
        <Info>
          <p>{t.login.sessionEnded}</p>
        </Info>
      ) : null}
      {challenge === undefined ? (
        <form ref={identifyForm} onSubmit={identify} noValidate>
          <p>{t.login.intro(clinic.name)}</p>
          <Problem problem={problem} />
          <fieldset className="group">
            <legend>{t.login.identification}</legend>
            <SelectField
              id="idType"
              label={t.login.idType}
              value={idType}
              onChange={(e) => setIdType(e.target.value)}
            >
              {ID_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t.login.idTypes[type] ?? type}
                </option>
              ))}
            </SelectField>
            <TextField
              id="cardNumber"
              label={t.login.cardNumber}
              hint={t.login.cardHint}
              error={problems.cardNumber === undefined ? undefined : t.login.errors.cardNumber}
              required
              inputMode="numeric"
              autoComplete="off"
              value={cardNumber}
              onChange={(e) => setCardNumber(e.target.value)}
            />
          </fieldset>
          <RadioGroup
            name="contactKind"
            legend={t.login.contactLegend}
            options={[
              { value: "email", label: t.login.byEmail },
              { value: "mobile", label: t.login.bySms }
            ]}
            value={contactKind}
            onChange={(kind) => {
              setContactKind(kind)
              setContact("")
              setProblems((p) => ({ ...(p.cardNumber === undefined ? {} : { cardNumber: p.cardNumber }) }))
            }}
          />
          <TextField
            id="contact"
            key={contactKind}
            label={contactKind === "email" ? t.login.email : t.login.mobile}
            hint={contactKind === "email" ? undefined : t.login.mobileHint}
            error={problems.contact === undefined ? undefined : t.login.errors[problems.contact]}
            required
            type={contactKind === "email" ? "email" : "tel"}
            autoComplete={contactKind === "email" ? "email" : "tel"}
            value={contact}
            onChange={(e) => setContact(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {t.login.next}
          </button>
          <p className="small">{t.login.noPortal}</p>
        </form>
      ) : (
        <form ref={codeForm} onSubmit={verify} noValidate>
          <Info>
            <p>
              {challenge.kind === "email" ? t.login.sentEmail(challenge.to) : t.login.sentSms(challenge.to)}
            </p>
          </Info>
          {resent ? <Status>{t.login.resent}</Status> : null}
          <Problem problem={problem}>
            {problem !== undefined && DEAD_END.has(problem.tag) ? (
              <button type="button" onClick={startAgain}>
                {t.login.startAgain}
              </button>
            ) : null}
          </Problem>
          {problem !== undefined && DEAD_END.has(problem.tag) ? null : (
            <>
              <TextField
                id="code"
                label={t.login.code}
                hint={t.login.codeHint}
                error={codeError}
                required
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={12}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
              <StayLoggedIn checked={stay} onChange={setStay} />
              <div className="actions">
                <button type="submit" className="primary" disabled={busy}>
                  {t.login.submit}
                </button>
                <button type="button" onClick={resend}>
                  {t.login.resend}
                </button>
                <button type="button" className="link-button" onClick={startAgain}>
                  {t.login.startAgain}
                </button>
              </div>
            </>
          )}
        </form>
      )}
    </section>
  )
}
