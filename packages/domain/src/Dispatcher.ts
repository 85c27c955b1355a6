/**
 * The notification dispatcher: it claims due outbox rows, renders each one, hands it to the
 * email or SMS sender with its idempotency key, and records the outcome — sent; a retryable
 * failure retried later with exponential backoff and full jitter; dead after the last attempt
 * or a permanent failure, with an SMS falling back to email where the patient gets no email
 * otherwise. Driven by ports only, so it runs on `TestClock` in tests, as a background fiber of
 * the server, or as its own process; several may run at once (claims are leased).
 */
import { Context, DateTime, Duration, Effect, Layer, Option, Redacted } from "effect"
import { atPortalAddress, type Clinic, ClinicRepo, PortalAddress } from "./Clinic.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import {
  CalendarEvent,
  DeliveryFailed,
  EmailMessage,
  EmailSender,
  SmsMessage,
  SmsSender
} from "./Delivery.ts"
import { Hasher } from "./Hasher.ts"
import { NotificationId } from "./Ids.ts"
import { Notification, type NotificationTemplate } from "./Notification.ts"
import { openCode, render } from "./Notifications.ts"
import { Outbox } from "./Outbox.ts"
import { PatientRepo } from "./PatientRepo.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/** The dispatcher's numbers. Defaults are those of DESIGN.md's rules table. */
export interface DispatcherPolicy {
  /** Attempts in all (the first send included) before a notification is dead. */
  readonly maxAttempts: number
  /** The backoff ceiling after the first failed attempt; it doubles with each further one. */
  readonly baseDelay: Duration.Duration
  /** The backoff ceiling never grows past this (a provider's `Retry-After` may ask for longer). */
  readonly maxDelay: Duration.Duration
  /** How long a claim keeps other dispatchers off a notification; far longer than one send. */
  readonly leaseFor: Duration.Duration
  /** A send that has not answered by then counts as a retryable failure. */
  readonly sendTimeout: Duration.Duration
  /** Sends in flight at once within one batch. */
  readonly concurrency: number
}

/** The defaults: 8 attempts, backoff from 30 s doubling up to 1 h, 5 min leases, 60 s send timeout, 8 sends at once. */
export const defaultPolicy: DispatcherPolicy = {
  maxAttempts: 8,
  baseDelay: Duration.seconds(30),
  maxDelay: Duration.hours(1),
  leaseFor: Duration.minutes(5),
  sendTimeout: Duration.seconds(60),
  concurrency: 8
}

/** The policy in force: a reference with the defaults, so nothing needs to provide it. */
export const DispatcherPolicy = Context.Reference<DispatcherPolicy>("@careportal/domain/DispatcherPolicy", {
  defaultValue: () => defaultPolicy
})

/**
 * A policy with some numbers changed and the rest at their defaults. Throws a `RangeError` for
 * numbers no deployment could mean (no attempt at all, a non-positive delay, a lease shorter
 * than the send timeout), so a misconfigured dispatcher stops at start-up.
 */
export const makePolicy = (overrides: Partial<DispatcherPolicy>): DispatcherPolicy => {
  const policy = { ...defaultPolicy, ...overrides }
  const positive = (name: string, d: Duration.Duration) => {
    if (!Duration.isGreaterThan(d, Duration.zero)) {
      throw new RangeError(`DispatcherPolicy.${name} must be positive, got ${Duration.format(d)}`)
    }
  }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`DispatcherPolicy.maxAttempts must be a positive integer, got ${policy.maxAttempts}`)
  }
  if (!Number.isInteger(policy.concurrency) || policy.concurrency < 1) {
    throw new RangeError(`DispatcherPolicy.concurrency must be a positive integer, got ${policy.concurrency}`)
  }
  positive("baseDelay", policy.baseDelay)
  positive("maxDelay", policy.maxDelay)
  positive("sendTimeout", policy.sendTimeout)
  if (!Duration.isGreaterThan(policy.leaseFor, policy.sendTimeout)) {
    throw new RangeError(
      `DispatcherPolicy.leaseFor (${Duration.format(policy.leaseFor)}) must be longer than sendTimeout (${Duration.format(policy.sendTimeout)})`
    )
  }
  return policy
}

/** Provides a policy with some numbers changed and the rest at their defaults. */
export const policyLayer = (overrides: Partial<DispatcherPolicy>): Layer.Layer<never> =>
  Layer.succeed(DispatcherPolicy, makePolicy(overrides))

/**
 * The wait before the next attempt after `failedAttempts` failed ones ("full jitter"): uniform
 * in `[0, min(maxDelay, baseDelay · 2^(failedAttempts − 1))]`, drawn with `unit` in `[0, 1]`,
 * and never shorter than the provider's `retryAfterMs`. Jitter spreads the retries of many
 * notifications that failed together (a provider outage), so they do not return in one burst.
 */
export const backoffDelay = (
  policy: Pick<DispatcherPolicy, "baseDelay" | "maxDelay">,
  failedAttempts: number,
  unit: number,
  retryAfterMs?: number
): Duration.Duration => {
  const ceiling = Math.min(
    Duration.toMillis(policy.maxDelay),
    Duration.toMillis(policy.baseDelay) * 2 ** Math.max(0, failedAttempts - 1)
  )
  const jittered = Math.round(Math.min(1, Math.max(0, unit)) * ceiling)
  const floor = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs) : 0
  return Duration.millis(Math.max(jittered, Math.ceil(floor)))
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

const escapeHtml = (s: string) =>
  s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;")

/**
 * The HTML body of an email: the text, escaped, line by line, with the portal link as an
 * anchor. Built from the rendered text only, so it can say nothing the text does not.
 */
export const htmlOf = (text: string, link: string | undefined, language: "en" | "fr"): string => {
  const lines = text.split("\n").map((line) => {
    const escaped = escapeHtml(line)
    return link !== undefined && line === link ? `<a href="${escaped}">${escaped}</a>` : escaped
  })
  return `<div lang="${language}">${lines.join("<br>\n")}</div>`
}

const CALENDAR_METHODS: Partial<Record<NotificationTemplate, "REQUEST" | "CANCEL">> = {
  "appointment-booked": "REQUEST",
  "appointment-rescheduled": "REQUEST",
  "appointment-cancelled": "CANCEL"
}

/**
 * Calendar sequences count seconds from here rather than from 1970: an iCalendar SEQUENCE is a
 * 32-bit integer, which seconds since 1970 outgrow in 2038.
 */
const SEQUENCE_EPOCH_MS = Date.UTC(2020, 0, 1)

/** The appointment id in a payload path `/appointments/<id>`. */
const appointmentIdOf = (path: string | undefined) => {
  const match = path === undefined ? null : /^\/appointments\/([^/?#]+)$/.exec(path)
  return match === null ? undefined : match[1]
}

/**
 * The calendar entry an appointment email carries: `REQUEST` for booked and moved, `CANCEL`
 * for cancelled, with one uid per appointment and a sequence that grows with each change (the
 * seconds at which the change queued its notice), so a calendar replaces the older entry. The
 * summary names the clinic and "appointment", never the kind of visit.
 */
export const calendarOf = (notification: Notification, clinic: Clinic): Option.Option<CalendarEvent> => {
  const method = CALENDAR_METHODS[notification.template]
  const { startsAt, endsAt, path } = notification.payload
  const appointmentId = appointmentIdOf(path)
  if (method === undefined || startsAt === undefined || appointmentId === undefined) return Option.none()
  const sequence = Math.max(
    0,
    Math.floor((DateTime.toEpochMillis(notification.createdAt) - SEQUENCE_EPOCH_MS) / 1000)
  )
  return Option.some(
    new CalendarEvent({
      method,
      uid: `appointment-${appointmentId}@careportal`,
      sequence,
      start: startsAt,
      // A notice queued before `endsAt` existed: a zero-length entry still marks the time.
      end: endsAt ?? startsAt,
      summary:
        notification.language === "fr" ? `${clinic.name} : rendez-vous` : `${clinic.name}: appointment`,
      url: `${clinic.portalUrl}${path}`
    })
  )
}

/** The email a notification becomes (its `to` an email address; its links on `clinic.portalUrl`). */
export const emailOf = (
  notification: Notification,
  clinic: Clinic,
  code?: Redacted.Redacted<string>
): EmailMessage => {
  const { subject, text } = render(notification, clinic, code)
  const path = notification.payload.path
  const calendar = calendarOf(notification, clinic)
  return new EmailMessage({
    to: notification.to,
    fromName: clinic.name,
    subject,
    text,
    html: htmlOf(text, path === undefined ? undefined : `${clinic.portalUrl}${path}`, notification.language),
    idempotencyKey: notification.idempotencyKey,
    ...(Option.isSome(calendar) ? { calendar: calendar.value } : {})
  })
}

/** The SMS a notification becomes (its `to` an E.164 number). */
export const smsOf = (
  notification: Notification,
  clinic: Clinic,
  code?: Redacted.Redacted<string>
): SmsMessage =>
  new SmsMessage({
    to: notification.to,
    body: render(notification, clinic, code).text,
    idempotencyKey: notification.idempotencyKey
  })

/** The idempotency key of the email that replaces an SMS that finally failed. */
export const fallbackKey = (smsKey: string) => `${smsKey}:fallback`

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

/** What one pass did with the notifications it claimed. */
export interface DispatchSummary {
  readonly claimed: number
  readonly sent: number
  /** Failed for now, to be tried again later. */
  readonly retried: number
  readonly dead: number
  /** Withdrawn, sent or re-leased by someone else between the claim and the send: left alone. */
  readonly skipped: number
  /** Email fallbacks queued for SMS that died. */
  readonly fallbacks: number
}

type Outcome = "sent" | "retried" | "dead" | "skipped"

/** Delivers the outbox. */
export class Dispatcher extends Context.Service<
  Dispatcher,
  {
    /**
     * One pass: claims up to `batchSize` due notifications and delivers each (its outcome
     * written in its own unit of work). Once a send has started it is finished and recorded
     * even when the pass is interrupted; claimed notifications not yet started are handed back.
     */
    readonly runOnce: (options: { readonly batchSize: number }) => Effect.Effect<DispatchSummary>
    /**
     * Passes until interrupted: the next one at once after a full batch, else after
     * `pollInterval`. Interrupting it is the graceful stop: in-flight sends finish and are
     * recorded, and nothing is claimed after the interruption.
     */
    readonly run: (options: {
      readonly batchSize: number
      readonly pollInterval: Duration.Input
    }) => Effect.Effect<never>
  }
>()("@careportal/domain/Dispatcher") {
  /**
   * On the outbox, the clinic and patient repositories, the hasher (to open codes) and the
   * senders; links on the `PortalAddress` in force when it is built (the clinic's `portalUrl`
   * unless one is provided).
   */
  static readonly layer: Layer.Layer<
    Dispatcher,
    never,
    Outbox | ClinicRepo | PatientRepo | Hasher | CodeGenerator | EmailSender | SmsSender | UnitOfWork
  > = Layer.effect(
    Dispatcher,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

const MAX_ERROR_LENGTH = 500

const make = Effect.gen(function* () {
  const policy = yield* DispatcherPolicy
  const portalAddress = yield* PortalAddress
  const outbox = yield* Outbox
  const clinics = yield* ClinicRepo
  const patients = yield* PatientRepo
  const hasher = yield* Hasher
  const generator = yield* CodeGenerator
  const email = yield* EmailSender
  const sms = yield* SmsSender
  const uow = yield* UnitOfWork

  /** A uniform draw in [0, 1] from the generator's bytes (no Math.random in the domain). */
  const unit = Effect.map(generator.bytes(4), (b) => {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
    return view.getUint32(0) / 0xffff_ffff
  })

  const permanent = (reason: string) => new DeliveryFailed({ retryable: false, reason })

  /** The message to send, or why none can be built (a permanent failure: it will not get better). */
  const prepare = (n: Notification) =>
    Effect.gen(function* () {
      const stored = yield* clinics.findById(n.clinicId)
      if (Option.isNone(stored)) return yield* permanent("its clinic is no longer on file")
      // Links point where this deployment serves the clinic's portal, not only where it was stored.
      const clinic = atPortalAddress(stored.value, portalAddress)
      const code = yield* openCode(hasher, n).pipe(
        Effect.catchDefect(() => Effect.fail(permanent("its code could not be opened")))
      )
      const opened = Option.getOrUndefined(code)
      return n.channel === "email"
        ? ({ channel: "email", message: emailOf(n, clinic, opened), code: opened } as const)
        : ({ channel: "sms", message: smsOf(n, clinic, opened), code: opened } as const)
    })

  /** One send, bounded by the timeout; an adapter's defect counts as a retryable failure. */
  const send = (prepared: Effect.Success<ReturnType<typeof prepare>>) =>
    // Interruptible inside the row's uninterruptible region, so the timeout can cut a hung send
    // while a stopping dispatcher still lets it finish.
    Effect.interruptible(
      prepared.channel === "email" ? email.send(prepared.message) : sms.send(prepared.message)
    ).pipe(
      Effect.catchDefect(() =>
        Effect.fail(new DeliveryFailed({ retryable: true, reason: "the sender failed unexpectedly" }))
      ),
      Effect.timeoutOrElse({
        duration: policy.sendTimeout,
        orElse: () =>
          Effect.fail(
            new DeliveryFailed({
              retryable: true,
              reason: `no answer within ${Duration.format(policy.sendTimeout)}`
            })
          )
      })
    )

  /** Queues the email that replaces a dead SMS, when the patient has an email and gets none otherwise. */
  const queueFallback = (sms: Notification, id: NotificationId, now: DateTime.Utc) =>
    Effect.gen(function* () {
      const patient = yield* patients.findById(sms.patientId)
      if (Option.isNone(patient) || patient.value.clinicId !== sms.clinicId) return false
      const address = patient.value.email
      if (address === undefined) return false
      // A patient who prefers both channels already has this notice by email.
      if (sms.idempotencyKey.endsWith(":sms")) {
        const sibling = `${sms.idempotencyKey.slice(0, -":sms".length)}:email`
        if (Option.isSome(yield* outbox.findByIdempotencyKey(sms.clinicId, sibling))) return false
      }
      const key = fallbackKey(sms.idempotencyKey)
      if (Option.isSome(yield* outbox.findByIdempotencyKey(sms.clinicId, key))) return false
      yield* outbox.enqueue([
        new Notification({
          id,
          clinicId: sms.clinicId,
          patientId: sms.patientId,
          channel: "email",
          to: address,
          language: sms.language,
          template: sms.template,
          payload: sms.payload,
          idempotencyKey: key,
          // Withdrawn with the SMS's group (a moved visit's reminder).
          ...(sms.groupKey === undefined ? {} : { groupKey: sms.groupKey }),
          status: "pending",
          attempts: 0,
          notBefore: now,
          // The original's: a calendar entry's sequence comes from it, and the change it
          // announces is no newer than when the SMS was queued.
          createdAt: sms.createdAt
        })
      ])
      return true
    })

  /** A failure whose reason no longer holds the code the message carried. */
  const withoutCode = (failure: DeliveryFailed, code: Redacted.Redacted<string> | undefined) => {
    const secret = code === undefined ? "" : Redacted.value(code)
    return secret === "" || !failure.reason.includes(secret)
      ? failure
      : new DeliveryFailed({
          retryable: failure.retryable,
          reason: failure.reason.split(secret).join("[code]"),
          ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs })
        })
  }

  const recordFailure = (n: Notification, failure: DeliveryFailed, now: DateTime.Utc) =>
    Effect.gen(function* () {
      const lastError = failure.reason.slice(0, MAX_ERROR_LENGTH)
      const attempt = n.attempts + 1
      if (failure.retryable && attempt < policy.maxAttempts) {
        const delay = backoffDelay(policy, attempt, yield* unit, failure.retryAfterMs)
        const scheduled = yield* uow.transaction(
          outbox.scheduleRetry(n, {
            attempts: n.attempts,
            notBefore: DateTime.addDuration(now, delay),
            lastError
          })
        )
        yield* Effect.logDebug("notification retried").pipe(
          Effect.annotateLogs({ notificationId: n.id, attempt, retryInMs: Duration.toMillis(delay) })
        )
        // Not scheduled: another dispatcher recorded this attempt's outcome first.
        return { outcome: (scheduled ? "retried" : "skipped") as Outcome, fallback: false }
      }
      // Drawn outside the unit of work, which may run more than once.
      const fallbackId = NotificationId.make(yield* generator.uuid)
      const { died, fallback } = yield* uow.transaction(
        Effect.gen(function* () {
          const died = yield* outbox.markDead(n, lastError)
          const fallback = died && n.channel === "sms" ? yield* queueFallback(n, fallbackId, now) : false
          return { died, fallback }
        })
      )
      if (died) {
        yield* Effect.logWarning("notification dead").pipe(
          Effect.annotateLogs({
            notificationId: n.id,
            clinicId: n.clinicId,
            channel: n.channel,
            template: n.template,
            attempts: attempt,
            reason: lastError,
            emailFallback: fallback
          })
        )
      }
      return { outcome: (died ? "dead" : "skipped") as Outcome, fallback }
    })

  /** Delivers one claimed notification and records the outcome; not interruptible once started. */
  const deliverOne = (claimed: Notification, started: Set<NotificationId>) =>
    Effect.uninterruptible(
      Effect.gen(function* () {
        started.add(claimed.id)
        const current = yield* outbox.find(claimed)
        const now = yield* DateTime.now
        // Withdrawn or finished meanwhile, or our lease lapsed and another dispatcher has it.
        if (
          Option.isNone(current) ||
          current.value.status !== "pending" ||
          current.value.claimedUntil === undefined ||
          claimed.claimedUntil === undefined ||
          !DateTime.Equivalence(current.value.claimedUntil, claimed.claimedUntil) ||
          !DateTime.isLessThan(now, claimed.claimedUntil)
        ) {
          return { outcome: "skipped" as Outcome, fallback: false }
        }
        const n = current.value
        const result = yield* prepare(n).pipe(
          // A provider may quote the message in its refusal: the code must not reach the log or
          // the `lastError` staff read.
          Effect.flatMap((prepared) => Effect.mapError(send(prepared), (f) => withoutCode(f, prepared.code))),
          Effect.map(() => undefined),
          Effect.catch((failure: DeliveryFailed) => Effect.succeed(failure))
        )
        const done = yield* DateTime.now
        if (result === undefined) {
          const marked = yield* uow.transaction(outbox.markSent(n, done))
          return { outcome: (marked ? "sent" : "skipped") as Outcome, fallback: false }
        }
        return yield* recordFailure(n, result, done)
      })
    ).pipe(
      // One row's fault (the database failing mid-write) must not abandon the rest of the
      // batch; its lease lapses and a later pass tries it again.
      Effect.catchDefect((defect) =>
        Effect.as(
          Effect.logError("notification delivery failed").pipe(
            Effect.annotateLogs({ notificationId: claimed.id, defect: String(defect) })
          ),
          { outcome: "skipped" as Outcome, fallback: false }
        )
      )
    )

  const runOnce = Effect.fn("Dispatcher.runOnce")(function* (options: { readonly batchSize: number }) {
    const limit = Math.max(0, Math.floor(options.batchSize))
    const claimed = yield* outbox.claim({ now: yield* DateTime.now, limit, leaseFor: policy.leaseFor })
    const started = new Set<NotificationId>()
    const results = yield* Effect.forEach(claimed, (n) => deliverOne(n, started), {
      concurrency: policy.concurrency
    }).pipe(
      // Stopping: hand back what was claimed but never started, so no one waits out its lease.
      Effect.onInterrupt(() =>
        Effect.forEach(
          claimed.filter((n) => !started.has(n.id)),
          (n) => (n.claimedUntil === undefined ? Effect.void : outbox.release(n, n.claimedUntil)),
          { discard: true }
        )
      )
    )
    const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length
    return {
      claimed: claimed.length,
      sent: count("sent"),
      retried: count("retried"),
      dead: count("dead"),
      skipped: count("skipped"),
      fallbacks: results.filter((r) => r.fallback).length
    } satisfies DispatchSummary
  })

  const run = Effect.fn("Dispatcher.run")(function* (options: {
    readonly batchSize: number
    readonly pollInterval: Duration.Input
  }) {
    const pass = runOnce({ batchSize: options.batchSize }).pipe(
      // A fault (the database unreachable) must not stop delivery for good: log, wait, go on.
      Effect.catchDefect((defect) => Effect.as(Effect.logError("dispatcher pass failed", defect), undefined)),
      Effect.flatMap((summary) =>
        // A full batch means more may be due: go on at once.
        summary !== undefined && options.batchSize > 0 && summary.claimed >= options.batchSize
          ? Effect.void
          : Effect.sleep(options.pollInterval)
      )
    )
    return yield* Effect.forever(pass)
  })

  return Dispatcher.of({ runOnce, run })
})
