/**
 * `EmailSender` over SMTP with nodemailer: one pooled transporter per layer, closed when the
 * layer is released. Each message goes out with a plain-text and an HTML body, a Message-ID
 * derived from its idempotency key (so a resend after a crash is recognisable as the same
 * message), and for appointment emails an `.ics` invitation or cancellation.
 */
import { Delivery } from "@careportal/domain"
import { Config, ConfigProvider, DateTime, Duration, Effect, Layer, Option, Redacted } from "effect"
import nodemailer, { type NodemailerError, type SendMailOptions, type SMTPPoolOptions } from "nodemailer"
import * as Ics from "./Ics.ts"

/**
 * How the connection is secured: `tls` is implicit TLS from the first byte (usually port
 * 465), `starttls` upgrades a plain connection and refuses to send if the server cannot
 * (usually 587), `none` never encrypts (a local development server only).
 */
export type TlsMode = "tls" | "starttls" | "none"

/** The SMTP server and the address mail is sent from. */
export interface SmtpOptions {
  readonly host: string
  /** Default: 465 for `tls`, 587 for `starttls`, 25 for `none`. */
  readonly port?: number | undefined
  readonly secure: TlsMode
  readonly user?: string | undefined
  readonly password?: Redacted.Redacted<string> | undefined
  /** The sending address (envelope sender and From address), e.g. `portal@clinic.example`. */
  readonly from: string
  /** Longest a whole send may take before it counts as a retryable failure (default 30 s). */
  readonly sendTimeout?: Duration.Input | undefined
  /** Connections the pool keeps open at most (default 5). */
  readonly maxConnections?: number | undefined
}

const DEFAULT_PORT: Record<TlsMode, number> = { tls: 465, starttls: 587, none: 25 }

/**
 * The Message-ID for an idempotency key: `<key@careportal>`, with every character that may
 * not appear in a Message-ID (RFC 5322 `dot-atom-text`) written as `=XX` per UTF-8 byte. `=`
 * itself is escaped too, so two different keys (well-formed strings) never share a Message-ID.
 */
export const messageIdFor = (idempotencyKey: string): string => {
  let local = ""
  for (const byte of new TextEncoder().encode(idempotencyKey)) {
    const char = String.fromCharCode(byte)
    local += /[A-Za-z0-9!#$%&'*+\-/?^_`{|}~]/.test(char)
      ? char
      : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`
  }
  return `<${local}@careportal>`
}

// RFC 5321: 4yz is a transient failure, 5yz a permanent one, except 503 (bad sequence of
// commands), which says the session was in the wrong state, not that the message was refused.
const isPermanent = (responseCode: number) => responseCode >= 500 && responseCode !== 503

// Only a reply to these is about this message; a 5xx to the greeting, EHLO or STARTTLS says the
// server (or our configuration of it) is unfit, and every other message would meet it too.
const MESSAGE_COMMANDS = new Set(["MAIL FROM", "RCPT TO", "DATA"])

// 530 authentication required, 534/538 mechanism too weak or needs encryption, 535 invalid
// credentials: the server refused our login, not the message.
const AUTH_REPLIES = new Set([530, 534, 535, 538])

// Nothing a server says will change: the message or its envelope cannot be built.
const UNSENDABLE = new Set([
  "ECONFIG",
  "EENVELOPE",
  "EMESSAGE",
  "EMAXRECIPIENTS",
  "EFILEACCESS",
  "EURLACCESS"
])

const firstLine = (text: string | undefined) => (text ?? "").split(/\r?\n/)[0]?.slice(0, 200) ?? ""

/**
 * Reads a nodemailer failure as a `DeliveryFailed`. Permanent: a 5xx reply to MAIL FROM, RCPT
 * TO or DATA (the server refused this message), or a message that cannot be built. Everything
 * else is retryable, including a refused login and a failed STARTTLS even though their replies
 * may be 5xx: there our configuration is wrong, not the message, and once an operator fixes
 * it the pending notifications should still go out rather than have been given up on.
 */
export const toDeliveryFailed = (cause: unknown): Delivery.DeliveryFailed => {
  const error = (typeof cause === "object" && cause !== null ? cause : {}) as NodemailerError
  const { code, command, responseCode } = error
  const reply = responseCode === undefined ? undefined : `${responseCode} ${firstLine(error.response)}`.trim()
  const what = reply ?? `${code ?? "error"}: ${firstLine(error.message ?? String(cause))}`
  const retryable = (reason: string) => new Delivery.DeliveryFailed({ retryable: true, reason })
  if (
    code === "EAUTH" ||
    code === "ENOAUTH" ||
    (responseCode !== undefined && AUTH_REPLIES.has(responseCode))
  ) {
    return retryable(`the SMTP server refused to log us in (${what}); check SMTP_USER and SMTP_PASSWORD`)
  }
  if (code === "ETLS" || command === "STARTTLS") {
    return retryable(`could not secure the connection to the SMTP server (${what}); check SMTP_SECURE`)
  }
  if (responseCode !== undefined) {
    if (command === undefined || !MESSAGE_COMMANDS.has(command)) {
      return retryable(`the SMTP server is not taking mail (${what})`)
    }
    return isPermanent(responseCode)
      ? new Delivery.DeliveryFailed({
          retryable: false,
          reason: `the SMTP server refused the message (${what})`
        })
      : retryable(`the SMTP server deferred the message (${what})`)
  }
  if (code !== undefined && UNSENDABLE.has(code)) {
    return new Delivery.DeliveryFailed({ retryable: false, reason: `the message cannot be sent (${what})` })
  }
  const original = error.originalCode === undefined ? "" : ` ${error.originalCode}`
  return retryable(`could not reach the SMTP server (${what}${original})`)
}

const transportOptions = (options: SmtpOptions, timeoutMillis: number): SMTPPoolOptions & { pool: true } => ({
  pool: true,
  maxConnections: options.maxConnections ?? 5,
  host: options.host,
  port: options.port ?? DEFAULT_PORT[options.secure],
  secure: options.secure === "tls",
  requireTLS: options.secure === "starttls",
  ignoreTLS: options.secure === "none",
  ...(options.user === undefined
    ? {}
    : {
        auth: {
          user: options.user,
          pass: options.password === undefined ? "" : Redacted.value(options.password)
        }
      }),
  // Nodemailer's own waits never outlast the whole send's timeout.
  connectionTimeout: timeoutMillis,
  greetingTimeout: timeoutMillis,
  socketTimeout: timeoutMillis,
  // Messages are built from strings only: never let a field reach a file or a URL.
  disableFileAccess: true,
  disableUrlAccess: true,
  logger: false,
  debug: false
})

/** `EmailSender` on the SMTP server in `options`. */
export const layer = (options: SmtpOptions): Layer.Layer<Delivery.EmailSender> =>
  Layer.effect(
    Delivery.EmailSender,
    Effect.gen(function* () {
      const timeout = Duration.fromInputUnsafe(options.sendTimeout ?? Duration.seconds(30))
      const transporter = yield* Effect.acquireRelease(
        Effect.sync(() => nodemailer.createTransport(transportOptions(options, Duration.toMillis(timeout)))),
        (transporter) => Effect.sync(() => transporter.close())
      )
      const send = Effect.fn("Smtp.send")(function* (message: Delivery.EmailMessage) {
        const messageId = messageIdFor(message.idempotencyKey)
        const calendar = message.calendar
        const mail: SendMailOptions = {
          from: { name: message.fromName, address: options.from },
          to: { name: "", address: message.to },
          // Exactly one recipient, whatever the address looks like to a parser.
          envelope: { from: options.from, to: [message.to] },
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId,
          ...(calendar === undefined
            ? {}
            : {
                icalEvent: {
                  method: calendar.method,
                  filename: calendar.method === "CANCEL" ? "cancellation.ics" : "appointment.ics",
                  content: Ics.make(calendar, {
                    stamp: yield* DateTime.now,
                    organizer: { name: message.fromName, email: options.from },
                    attendee: message.to
                  })
                }
              })
        }
        const info = yield* Effect.tryPromise({
          try: (signal) => transporter.sendMail({ ...mail, signal }),
          catch: toDeliveryFailed
        }).pipe(
          Effect.timeoutOrElse({
            duration: timeout,
            orElse: () =>
              Effect.fail(
                new Delivery.DeliveryFailed({
                  retryable: true,
                  reason: `the SMTP server did not take the message within ${Duration.format(timeout)}`
                })
              )
          })
        )
        return new Delivery.SendReceipt({ providerId: info.messageId || messageId })
      })
      return Delivery.EmailSender.of({ send })
    })
  )

const TLS_MODES = ["tls", "starttls", "none"] as const

const invalid = (message: string) => new Config.ConfigError(new ConfigProvider.SourceError({ message }))

// Never quotes the URL in an error: it holds the password.
const fromUrl = (url: Redacted.Redacted<string>, secure: TlsMode | undefined) =>
  Effect.try({
    try: () => {
      const parsed = new URL(Redacted.value(url))
      if ((parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") || parsed.hostname === "") {
        throw new Error("not an SMTP URL")
      }
      return {
        host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: parsed.port === "" ? undefined : Number(parsed.port),
        secure: secure ?? (parsed.protocol === "smtps:" ? "tls" : "starttls"),
        user: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
        password: parsed.password === "" ? undefined : Redacted.make(decodeURIComponent(parsed.password))
      }
    },
    catch: () =>
      invalid("SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465")
  })

/**
 * The SMTP settings from the environment: `SMTP_URL` (`smtp://user:password@host:587` or
 * `smtps://…`, read as a secret) or `SMTP_HOST`, `SMTP_PORT`, `SMTP_USER`, `SMTP_PASSWORD`
 * (a secret); `SMTP_SECURE` (`tls`, `starttls` or `none`; default `tls` for `smtps://`,
 * otherwise `starttls`); `SMTP_FROM`, the sending address; `SMTP_SEND_TIMEOUT` (default 30 s).
 */
export const config: Effect.Effect<SmtpOptions, Config.ConfigError> = Effect.gen(function* () {
  const url = yield* Config.option(Config.Redacted("SMTP_URL"))
  const secure = Option.getOrUndefined(yield* Config.option(Config.Literals(TLS_MODES, "SMTP_SECURE")))
  const from = yield* Config.String("SMTP_FROM")
  const sendTimeout = yield* Config.Duration("SMTP_SEND_TIMEOUT").pipe(
    Config.withDefault(Duration.seconds(30))
  )
  if (Option.isSome(url)) return { ...(yield* fromUrl(url.value, secure)), from, sendTimeout }
  const host = yield* Config.String("SMTP_HOST")
  const port = yield* Config.option(Config.Port("SMTP_PORT"))
  const user = yield* Config.option(Config.String("SMTP_USER"))
  const password = yield* Config.option(Config.Redacted("SMTP_PASSWORD"))
  if (Option.isSome(user) && Option.isNone(password)) {
    return yield* Effect.fail(invalid("SMTP_PASSWORD is required when SMTP_USER is set"))
  }
  return {
    host,
    port: Option.getOrUndefined(port),
    secure: secure ?? "starttls",
    user: Option.getOrUndefined(user),
    password: Option.getOrUndefined(password),
    from,
    sendTimeout
  }
})

/** `EmailSender` on the SMTP server configured in the environment (see `config`). */
export const layerConfig: Layer.Layer<Delivery.EmailSender, Config.ConfigError> = Layer.unwrap(
  Effect.map(config, layer)
)
