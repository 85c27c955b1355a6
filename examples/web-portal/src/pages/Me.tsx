/**
 * My information: what the clinic has on file; the address, notification preference and
 * language (Update saves to the chart at once); a new email or mobile, which needs the code
 * sent to it; and the devices logged in, each of which can be logged out.
 */
import { type FormEvent, useRef, useState } from "react"
import { type ApiProblem, call } from "../api.ts"
import { focusFirstInvalid, RadioGroup, SelectField, TextField } from "../components/Form.tsx"
import { Problem, Status } from "../components/Notice.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { type Me, useLoad, useLogout, usePageTitle, usePortal } from "../state.tsx"
import { formatCalendarDate, formatDateTime } from "../time.ts"
import { accessCodeOf, isEmailAddress, isPhoneNumber } from "../validation.ts"

type Preference = "email" | "sms" | "both"
type AddressForm = {
  line1: string
  line2: string
  city: string
  region: string
  postalCode: string
  country: string
}
const ADDRESS_FIELDS = ["line1", "line2", "city", "region", "postalCode", "country"] as const

const addressOf = (me: Me): AddressForm => ({
  line1: me.address?.line1 ?? "",
  line2: me.address?.line2 ?? "",
  city: me.address?.city ?? "",
  region: me.address?.region ?? "",
  postalCode: me.address?.postalCode ?? "",
  country: me.address?.country ?? "CA"
})

const Details = ({ me }: { readonly me: Me }) => {
  const { t, language } = useI18n()
  return (
    <dl className="card details">
      <dt>{t.me.name}</dt>
      <dd>
        {me.legalName.given} {me.legalName.family}
      </dd>
      <dt>{t.me.dateOfBirth}</dt>
      <dd>{formatCalendarDate(me.dateOfBirth, language)}</dd>
      <dt>{t.me.healthCard}</dt>
      <dd>
        {me.healthCard.idType} {me.healthCard.maskedNumber}
      </dd>
      <dt>{t.me.email}</dt>
      <dd>{me.email ?? t.me.none}</dd>
      <dt>{t.me.mobile}</dt>
      <dd>{me.mobile ?? t.me.none}</dd>
    </dl>
  )
}

const Preferences = ({ me, onSaved }: { readonly me: Me; readonly onSaved: (me: Me) => void }) => {
  const { t, choose } = useI18n()
  const [address, setAddress] = useState<AddressForm>(() => addressOf(me))
  const [preference, setPreference] = useState<Preference>(me.notificationPreference)
  const [lang, setLang] = useState<"en" | "fr">(me.language)
  const [errors, setErrors] = useState<Partial<Record<keyof AddressForm, string>>>({})
  const [problem, setProblem] = useState<ApiProblem>()
  const [saved, setSaved] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved(false)
    setProblem(undefined)
    const missing = Object.fromEntries(
      (["line1", "city", "region", "postalCode", "country"] as const)
        .filter((f) => address[f].trim() === "")
        .map((f) => [f, t.me.errors.required])
    )
    setErrors(missing)
    if (Object.keys(missing).length > 0) return focusFirstInvalid(form.current)
    const { line2, ...rest } = address
    call((api) =>
      api.me.update({
        payload: {
          address: line2.trim() === "" ? rest : { ...rest, line2 },
          notificationPreference: preference,
          language: lang
        }
      })
    ).then(
      (updated) => {
        setSaved(true)
        choose(updated.language)
        onSaved(updated)
      },
      (p: ApiProblem) => {
        const problems = (p.details as { problems?: ReadonlyArray<{ field: string }> }).problems
        if (p.tag === "AddressInvalid" && problems !== undefined) {
          setErrors(Object.fromEntries(problems.map((x) => [x.field, p.message])))
          focusFirstInvalid(form.current)
        } else setProblem(p)
      }
    )
  }
  return (
    <form ref={form} onSubmit={submit} noValidate className="card">
      <h2>{t.me.address}</h2>
      {ADDRESS_FIELDS.map((field) => (
        <TextField
          key={field}
          id={field}
          label={t.me[field]}
          error={errors[field]}
          required={field !== "line2"}
          autoComplete={
            {
              line1: "address-line1",
              line2: "address-line2",
              city: "address-level2",
              region: "address-level1",
              postalCode: "postal-code",
              country: "country"
            }[field]
          }
          value={address[field]}
          onChange={(e) => setAddress((a) => ({ ...a, [field]: e.target.value }))}
        />
      ))}
      <h2>{t.me.preferences}</h2>
      <RadioGroup
        name="notificationPreference"
        legend={t.me.notificationPreference}
        options={(["email", "sms", "both"] as const).map((v) => ({ value: v, label: t.me.pref[v] ?? v }))}
        value={preference}
        onChange={setPreference}
      />
      <SelectField
        id="language"
        label={t.me.language}
        value={lang}
        onChange={(e) => setLang(e.target.value as "en" | "fr")}
      >
        <option value="en" lang="en">
          English
        </option>
        <option value="fr" lang="fr">
          Français
        </option>
      </SelectField>
      {saved ? <Status>{t.me.updated}</Status> : null}
      <Problem problem={problem} />
      <button type="submit" className="primary">
        {t.me.update}
      </button>
    </form>
  )
}

const ContactChange = ({
  kind,
  onVerified
}: {
  readonly kind: "email" | "mobile"
  readonly onVerified: (me: Me) => void
}) => {
  const { t } = useI18n()
  const [value, setValue] = useState("")
  const [challengeId, setChallengeId] = useState<string>()
  const [code, setCode] = useState("")
  const [error, setError] = useState<string>()
  const [codeError, setCodeError] = useState<string>()
  const [problem, setProblem] = useState<ApiProblem>()
  const [verified, setVerified] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  const label = kind === "email" ? t.me.newEmail : t.me.newMobile
  const send = (e: FormEvent) => {
    e.preventDefault()
    setProblem(undefined)
    setVerified(false)
    const ok = kind === "email" ? isEmailAddress(value) : isPhoneNumber(value)
    if (!ok) {
      setError(kind === "email" ? t.me.errors.email : t.me.errors.mobile)
      return focusFirstInvalid(form.current)
    }
    setError(undefined)
    call((api) =>
      api.me.changeContact({ payload: kind === "email" ? { email: value.trim() } : { mobile: value.trim() } })
    ).then(
      (sent) => setChallengeId(sent.challengeId),
      (p: ApiProblem) =>
        p.tag === "ContactInvalid" || p.tag === "ContactUnchanged" ? setError(p.message) : setProblem(p)
    )
  }
  const verify = (e: FormEvent) => {
    e.preventDefault()
    if (challengeId === undefined) return
    setProblem(undefined)
    call((api) =>
      api.me.verifyContact({ payload: { challengeId: challengeId as never, code: accessCodeOf(code) } })
    ).then(
      (me) => {
        setVerified(true)
        setChallengeId(undefined)
        setValue("")
        setCode("")
        onVerified(me)
      },
      (p: ApiProblem) => (p.tag === "PasscodeInvalid" ? setCodeError(p.message) : setProblem(p))
    )
  }
  const idPrefix = `new-${kind}`
  return (
    <div className="contact-change">
      {verified ? <Status>{t.me.verified}</Status> : null}
      <Problem problem={problem} />
      {challengeId === undefined ? (
        <form ref={form} onSubmit={send} noValidate>
          <TextField
            id={idPrefix}
            label={label}
            error={error}
            type={kind === "email" ? "email" : "tel"}
            autoComplete={kind === "email" ? "email" : "tel"}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <button type="submit">{t.me.sendCode}</button>
        </form>
      ) : (
        <form onSubmit={verify} noValidate>
          <Status>
            {t.me.codeSent(kind === "email" ? t.me.email.toLowerCase() : t.me.mobile.toLowerCase())}
          </Status>
          <TextField
            id={`${idPrefix}-code`}
            label={t.me.verifyCode}
            hint={t.me.verifyCodeHint}
            error={codeError}
            required
            autoComplete="one-time-code"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <button type="submit" className="primary">
            {t.me.verify}
          </button>
        </form>
      )}
    </div>
  )
}

const Sessions = () => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const sessions = useLoad(() => call((api) => api.sessions.list()), "sessions")
  const [ended, setEnded] = useState(false)
  const [problem, setProblem] = useState<ApiProblem>()
  const end = (id: string) =>
    call((api) => api.sessions.end({ params: { id: id as never } })).then(() => {
      setEnded(true)
      return sessions.reload()
    }, setProblem)
  const { logout, problem: logoutProblem } = useLogout()
  return (
    <section aria-labelledby="sessions-heading" className="card">
      <h2 id="sessions-heading">{t.me.sessions}</h2>
      {ended ? <Status>{t.me.ended}</Status> : null}
      <Problem problem={sessions.problem ?? problem} />
      <ul className="list sessions">
        {(sessions.value ?? []).map((s) => (
          <li key={s.id}>
            <div>
              <span className="list-title">
                {s.current ? t.me.current : formatDateTime(s.createdAt, clinic.timeZone, language)}
              </span>
              <span className="list-detail">
                {t.me.started(formatDateTime(s.createdAt, clinic.timeZone, language))},{" "}
                {t.me.lastSeen(formatDateTime(s.lastSeenAt, clinic.timeZone, language))}
                {s.stayLoggedIn ? `, ${t.me.stay}` : ""}
              </span>
            </div>
            {s.current ? null : (
              <button type="button" onClick={() => void end(s.id)}>
                {t.me.end}
              </button>
            )}
          </li>
        ))}
      </ul>
      <Problem problem={logoutProblem} />
      <button type="button" className="primary" onClick={() => void logout()}>
        {t.nav.logout}
      </button>
    </section>
  )
}

export const MePage = () => {
  const { t } = useI18n()
  const { me, refreshMe } = usePortal()
  const heading = usePageTitle(t.me.title)
  const [current, setCurrent] = useState<Me | null | undefined>(me)
  const shown = current ?? me
  const saved = (updated: Me) => {
    setCurrent(updated)
    void refreshMe()
  }
  return (
    <section>
      <h1 ref={heading} tabIndex={-1}>
        {t.me.title}
      </h1>
      {shown === undefined || shown === null ? (
        <p>{t.loading}</p>
      ) : (
        <>
          <Details me={shown} />
          <Preferences me={shown} onSaved={saved} />
          <section aria-labelledby="contacts-heading" className="card">
            <h2 id="contacts-heading">{t.me.contacts}</h2>
            <p className="small">{t.me.contactsIntro}</p>
            <ContactChange kind="email" onVerified={saved} />
            <ContactChange kind="mobile" onVerified={saved} />
          </section>
          <Sessions />
        </>
      )}
    </section>
  )
}
