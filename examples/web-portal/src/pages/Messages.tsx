/**
 * The clinic's messages: a list, newest first, with the unread ones marked and older pages on
 * demand; a message with its thread, and a reply form only where the clinic allows replies.
 */
import { type FormEvent, useRef, useState } from "react"
import { Link } from "wouter"
import { type ApiProblem, call } from "../api.ts"
import { BackLink } from "../components/BackLink.tsx"
import { focusFirstInvalid, TextArea } from "../components/Form.tsx"
import { Info, Problem, Status } from "../components/Notice.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { useLoad, usePageTitle, usePortal } from "../state.tsx"
import { formatDateTime } from "../time.ts"

type Message = Awaited<ReturnType<typeof listPage>>["messages"][number]

const listPage = (query: { readonly limit: number; readonly cursor?: string }) =>
  call((api) => api.messages.list({ query }))

/** How many messages a page of the list holds. */
const PAGE = 10

export const MessagesPage = () => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const heading = usePageTitle(t.messages.title)
  const [older, setOlder] = useState<ReadonlyArray<Message>>([])
  const [cursor, setCursor] = useState<string | null | undefined>(undefined)
  const [problem, setProblem] = useState<ApiProblem>()
  const first = useLoad(
    () =>
      listPage({ limit: PAGE }).then((page) => {
        setCursor(page.nextCursor)
        setOlder([])
        return page
      }),
    "first"
  )
  const [loadingMore, setLoadingMore] = useState(false)
  const more = () => {
    // One page at a time: a double tap must not fetch (and list) the same page twice.
    if (cursor === null || cursor === undefined || loadingMore) return
    setLoadingMore(true)
    listPage({ limit: PAGE, cursor })
      .then((page) => {
        setOlder((o) => [...o, ...page.messages])
        setCursor(page.nextCursor)
      }, setProblem)
      .finally(() => setLoadingMore(false))
  }
  const all = [...(first.value?.messages ?? []), ...older]
  return (
    <section>
      <h1 ref={heading} tabIndex={-1}>
        {t.messages.title}
      </h1>
      <Problem problem={first.problem ?? problem} />
      {first.value === undefined ? (
        first.problem === undefined ? (
          <p>{t.loading}</p>
        ) : null
      ) : all.length === 0 ? (
        <p>{t.messages.empty}</p>
      ) : (
        <ul className="list">
          {all.map((m) => (
            <li key={m.id} className={m.readAt === null ? "unread" : undefined}>
              <Link href={`/messages/${m.id}`}>
                <span className="list-title">{m.subject}</span>
                {m.readAt === null ? <span className="badge">{t.messages.unread}</span> : null}
                <span className="list-detail">
                  {t.messages.sent(formatDateTime(m.sentAt, clinic.timeZone, language))}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {cursor === null || cursor === undefined ? null : (
        <button type="button" onClick={more} aria-disabled={loadingMore}>
          {t.messages.more}
        </button>
      )}
    </section>
  )
}

export const MessagePage = ({ id }: { readonly id: string }) => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const thread = useLoad(() => call((api) => api.messages.read({ params: { id: id as never } })), id)
  // The tab's title (and the browser's history) never carries the subject: it can be health data.
  const heading = usePageTitle(t.messages.one)
  const [reply, setReply] = useState("")
  const [error, setError] = useState<string>()
  const [problem, setProblem] = useState<ApiProblem>()
  const [sent, setSent] = useState(false)
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSent(false)
    setProblem(undefined)
    if (reply.trim() === "") {
      setError(t.messages.errors.empty)
      return focusFirstInvalid(form.current)
    }
    setError(undefined)
    setBusy(true)
    call((api) => api.messages.reply({ params: { id: id as never }, payload: { body: reply } }))
      .then(
        () => {
          setReply("")
          setSent(true)
          return thread.reload()
        },
        (p: ApiProblem) => (p.tag === "MessageTextInvalid" ? setError(p.message) : setProblem(p))
      )
      .finally(() => setBusy(false))
  }
  const message = thread.value?.message
  return (
    <section>
      <BackLink href="/" />
      <h1 ref={heading} tabIndex={-1}>
        {message?.subject ?? t.messages.title}
      </h1>
      <Problem problem={thread.problem} />
      {message === undefined ? (
        thread.problem === undefined ? (
          <p>{t.loading}</p>
        ) : null
      ) : (
        <>
          <article className="card message">
            <p className="list-detail">
              {clinic.name} · {t.messages.sent(formatDateTime(message.sentAt, clinic.timeZone, language))}
            </p>
            <div className="body">{message.body}</div>
          </article>
          {thread.value === undefined || thread.value.replies.length === 0 ? null : (
            <section aria-labelledby="replies-heading">
              <h2 id="replies-heading">{t.messages.replies}</h2>
              <ol className="replies">
                {thread.value.replies.map((r) => (
                  <li key={r.id} className="card reply">
                    <p className="list-detail">
                      {t.messages.you} · {formatDateTime(r.sentAt, clinic.timeZone, language)}
                    </p>
                    <div className="body">{r.body}</div>
                  </li>
                ))}
              </ol>
            </section>
          )}
          {sent ? <Status>{t.messages.replied}</Status> : null}
          <Problem problem={problem} />
          {message.replyAllowed ? (
            <form ref={form} onSubmit={submit} noValidate>
              <TextArea
                id="reply"
                label={t.messages.reply}
                hint={t.messages.replyHint}
                error={error}
                required
                rows={5}
                value={reply}
                onChange={(e) => setReply(e.target.value)}
              />
              <button type="submit" className="primary" disabled={busy}>
                {t.messages.submit}
              </button>
            </form>
          ) : (
            <Info>
              <p>{t.messages.noReply}</p>
            </Info>
          )}
        </>
      )}
    </section>
  )
}
