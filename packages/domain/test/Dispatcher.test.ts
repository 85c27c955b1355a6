/**
 * The notification dispatcher on in-memory ports and `TestClock`: preference `both` gives one
 * email and one SMS; an SMS that fails for good falls back to email; retryable failures back
 * off exponentially with full jitter (honouring `Retry-After`) and die after 8 attempts,
 * visibly; a fault run of 1,000 notifications against a provider failing half its calls
 * delivers each exactly once; a dispatcher stopped mid-batch finishes its in-flight sends,
 * claims nothing more, and a restart delivers the rest once; reminders leave at exactly 48 h
 * and 2 h before a visit across the 2026 fall-back in Toronto, rendered in local time, and a
 * virtual visit's code 5 min before; appointment emails carry REQUEST / CANCEL calendar
 * entries with one uid and a growing sequence.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  Clock,
  Context,
  DateTime,
  Duration,
  Effect,
  Fiber,
  Layer,
  Logger,
  Redacted,
  References,
  Schema,
  TxRef
} from "effect"
import { TestClock } from "effect/testing"
import { Provider } from "../src/Appointment.ts"
import { ClinicRepo } from "../src/Clinic.ts"
import { CodeGenerator, fromBytes } from "../src/CodeGenerator.ts"
import {
  DeliveryFailed,
  type EmailMessage,
  EmailSender,
  EmailSenderMemory,
  SendReceipt,
  type SmsMessage,
  SmsSender,
  SmsSenderMemory
} from "../src/Delivery.ts"
import {
  backoffDelay,
  Dispatcher,
  type DispatcherPolicy,
  defaultPolicy,
  fallbackKey,
  policyLayer
} from "../src/Dispatcher.ts"
import { Hasher } from "../src/Hasher.ts"
import { ClinicId, NotificationId, PatientId } from "../src/Ids.ts"
import { Notification, NotificationPayload, type NotificationTemplate } from "../src/Notification.ts"
import { Notifications, render } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { ScheduleRepo } from "../src/ScheduleRepo.ts"
import { Scheduling } from "../src/Scheduling.ts"
import * as Testing from "../src/testing/index.ts"
import { VirtualVisits } from "../src/VirtualVisits.ts"
import { bookTypeId, makeProvider, providerId, requestTypeId, seed, staff } from "./SchedulingSupport.ts"

// ---------------------------------------------------------------------------------------------
// A fake provider: answers as a test tells it, and records every call
// ---------------------------------------------------------------------------------------------

interface ProviderAnswer {
  readonly channel: "email" | "sms"
  readonly key: string
  /** TestClock milliseconds when the provider answered. */
  readonly at: number
  readonly accepted: boolean
}

interface ProviderState {
  /** Keys whose send has begun, in order (a hung send begins and never answers). */
  readonly started: Array<string>
  readonly answers: Array<ProviderAnswer>
  /** Every message accepted; a message accepted twice appears twice. */
  readonly accepted: Array<EmailMessage | SmsMessage>
}

class FakeProvider extends Context.Service<FakeProvider, ProviderState>()("test/FakeProvider") {}

/** How the provider answers a call: the `call`-th for this key (1 for the first). */
type Answer = (request: {
  readonly channel: "email" | "sms"
  readonly key: string
  readonly call: number
}) => Effect.Effect<void, DeliveryFailed>

/** Both senders on one fake provider that honours no idempotency key, so a double send shows. */
const fakeProvider = (answer: Answer = () => Effect.void) => {
  const send = (state: ProviderState, channel: "email" | "sms", message: EmailMessage | SmsMessage) =>
    Effect.gen(function* () {
      const key = message.idempotencyKey
      const call = state.started.filter((k) => k === key).length + 1
      state.started.push(key)
      const record = (accepted: boolean) =>
        Effect.map(Clock.currentTimeMillis, (at) => {
          state.answers.push({ channel, key, at, accepted })
          if (accepted) state.accepted.push(message)
        })
      yield* answer({ channel, key, call }).pipe(
        Effect.tapError(() => record(false)),
        Effect.tap(() => record(true))
      )
      return new SendReceipt({ providerId: `${channel}-${state.answers.length}` })
    })
  return Layer.mergeAll(
    Layer.effect(
      EmailSender,
      Effect.map(FakeProvider, (state) => EmailSender.of({ send: (m) => send(state, "email", m) }))
    ),
    Layer.effect(
      SmsSender,
      Effect.map(FakeProvider, (state) => SmsSender.of({ send: (m) => send(state, "sms", m) }))
    )
  ).pipe(Layer.provideMerge(Layer.sync(FakeProvider, () => ({ started: [], answers: [], accepted: [] }))))
}

/** Records the instant of every claim the dispatcher makes (to prove none follows a stop). */
class ClaimLog extends Context.Service<ClaimLog, Array<number>>()("test/ClaimLog") {}

const spiedOutbox = Layer.effect(
  Outbox,
  Effect.gen(function* () {
    const outbox = yield* Outbox
    const log = yield* ClaimLog
    return Outbox.of({
      ...outbox,
      claim: (options) =>
        Effect.andThen(
          Effect.sync(() => log.push(DateTime.toEpochMillis(options.now))),
          outbox.claim(options)
        )
    })
  })
)

/** The dispatcher on the whole in-memory domain, with the given senders. */
const domainWith = <S>(
  senders: Layer.Layer<S | EmailSender | SmsSender>,
  options: {
    readonly policy?: Partial<DispatcherPolicy>
    readonly generator?: Layer.Layer<CodeGenerator>
  } = {}
) =>
  Dispatcher.layer.pipe(
    Layer.provide(spiedOutbox),
    Layer.provideMerge(Layer.sync(ClaimLog, () => [])),
    Layer.provide(policyLayer(options.policy ?? {})),
    Layer.provideMerge(senders),
    Layer.provideMerge(
      Testing.layerCareMemory(options.generator === undefined ? {} : { generator: options.generator })
    )
  )

/** A generator whose every byte is `byte`: a jitter draw of exactly 0 (0x00) or 1 (0xff). */
const constantGenerator = (byte: number) =>
  Layer.succeed(
    CodeGenerator,
    fromBytes((n) => Effect.succeed(new Uint8Array(n).fill(byte)))
  )

/** A small seeded PRNG (mulberry32), so the fault run repeats exactly. */
const mulberry32 = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

const at = (iso: string) => DateTime.makeUnsafe(iso)
const ms = (t: DateTime.Utc) => DateTime.toEpochMillis(t)
const setNow = (t: DateTime.Utc | number) => TestClock.setTime(typeof t === "number" ? t : ms(t))
const nowMs = Clock.currentTimeMillis

const rows = Effect.flatMap(Outbox, (o) => o.all)
const rowByKey = (key: string) =>
  Effect.map(rows, (all) => {
    const row = all.find((n) => n.idempotencyKey === key)
    if (row === undefined) throw new Error(`no notification with key ${key}`)
    return row
  })
const provider = FakeProvider
const sentEmails = Effect.flatMap(EmailSenderMemory, (h) => TxRef.get(h.state))
const sentSms = Effect.flatMap(SmsSenderMemory, (h) => TxRef.get(h.state))

const countBy = <A>(xs: ReadonlyArray<A>, key: (a: A) => string) => {
  const out = new Map<string, number>()
  for (const x of xs) out.set(key(x), (out.get(key(x)) ?? 0) + 1)
  return out
}

const saveClinic = Effect.flatMap(ClinicRepo, (c) => c.save(Testing.makeClinic()))

const savePatient = (
  overrides: Parameters<typeof Testing.makePatient>[0] = {},
  options: { readonly withoutEmail?: boolean } = {}
) =>
  Effect.gen(function* () {
    const { email: _, ...rest } = Testing.makePatient(overrides)
    const patient = options.withoutEmail === true ? new Patient(rest) : Testing.makePatient(overrides)
    yield* (yield* PatientRepo).save(patient)
    return patient
  })

let counter = 0
/** A notification to enqueue directly (the patient and clinic of the fixtures). */
const note = (
  notBefore: DateTime.Utc,
  overrides: Partial<ConstructorParameters<typeof Notification>[0]> = {}
): Notification => {
  const i = ++counter
  const channel = overrides.channel ?? "email"
  return new Notification({
    id: NotificationId.make(`notification-${i}`),
    clinicId: Testing.clinicId,
    patientId: PatientId.make("patient-ada"),
    channel,
    to: channel === "email" ? "ada@example.org" : "+14165550100",
    language: "en",
    template: "appointment-reminder",
    payload: new NotificationPayload({
      startsAt: DateTime.addDuration(notBefore, "2 hours"),
      path: `/appointments/appointment-${i}`
    }),
    idempotencyKey: `reminder-${i}:${channel}`,
    status: "pending",
    attempts: 0,
    notBefore,
    createdAt: notBefore,
    ...overrides
  })
}

const enqueue = (notifications: ReadonlyArray<Notification>) =>
  Effect.flatMap(Outbox, (o) => o.enqueue(notifications))

const runOnce = (batchSize = 100) => Effect.flatMap(Dispatcher, (d) => d.runOnce({ batchSize }))

const summary = (
  s: Partial<Record<"claimed" | "sent" | "retried" | "dead" | "skipped" | "fallbacks", number>>
) => ({
  claimed: 0,
  sent: 0,
  retried: 0,
  dead: 0,
  skipped: 0,
  fallbacks: 0,
  ...s
})

const permanent = (reason: string) => Effect.fail(new DeliveryFailed({ retryable: false, reason }))
const temporary = (reason: string, retryAfterMs?: number) =>
  Effect.fail(
    new DeliveryFailed({ retryable: true, reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })
  )

/** Every string field of the messages, for searching. */
const textOf = (messages: ReadonlyArray<EmailMessage | SmsMessage>) => JSON.stringify(messages)

const T0 = at("2030-01-01T08:00:00.000Z")

/** `runOnce` with every log line it writes (all levels, as JSON) kept in `logs`: what a log would show. */
const loggedPass = () => {
  const logs: Array<string> = []
  const collector = Logger.make((options) => {
    logs.push(Logger.formatJson.log(options))
  })
  const pass = runOnce().pipe(
    Effect.provide(Logger.layer([collector])),
    Effect.provideService(References.MinimumLogLevel, "All")
  )
  return { logs, pass }
}

/** Queues `code` as a login code by SMS (key `key`), sealed to `challenge` as a login seals it. */
const enqueueLoginCodeSms = (options: {
  readonly challenge: string
  readonly code: string
  readonly key: string
}) =>
  Effect.gen(function* () {
    const sealed = yield* (yield* Hasher).seal(options.challenge, Redacted.make(options.code))
    yield* enqueue([
      note(T0, {
        channel: "sms",
        template: "login-code" satisfies NotificationTemplate,
        payload: new NotificationPayload({
          purpose: "login-otp",
          code: sealed,
          codeContext: options.challenge
        }),
        idempotencyKey: options.key
      })
    ])
  })

// ---------------------------------------------------------------------------------------------
// Channels and fallback
// ---------------------------------------------------------------------------------------------

describe("Dispatcher: channels and fallback", () => {
  it.effect(
    "preference both: exactly one email and one SMS, each with its own key, rendered; never again",
    () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        yield* saveClinic
        const ada = yield* savePatient()
        const payload = new NotificationPayload({
          startsAt: at("2030-01-05T14:00:00Z"),
          endsAt: at("2030-01-05T14:30:00Z"),
          path: "/appointments/appointment-7"
        })
        yield* (yield* Notifications).queue({
          patient: ada,
          template: "appointment-booked",
          payload,
          key: "booked-7"
        })
        assert.deepStrictEqual(yield* runOnce(), summary({ claimed: 2, sent: 2 }))
        const emails = yield* sentEmails
        const sms = yield* sentSms
        assert.deepStrictEqual(
          emails.map((m) => [m.to, m.idempotencyKey, m.fromName]),
          [["ada@example.org", "booked-7:email", "Toronto West Family Health"]]
        )
        assert.deepStrictEqual(
          sms.map((m) => [m.to, m.idempotencyKey]),
          [["+14165550100", "booked-7:sms"]]
        )
        const email = emails[0] as EmailMessage
        const clinic = Testing.makeClinic()
        const expected = render(yield* rowByKey("booked-7:email"), clinic)
        assert.strictEqual(email.subject, expected.subject)
        assert.strictEqual(email.text, expected.text)
        assert.strictEqual((sms[0] as SmsMessage).body, render(yield* rowByKey("booked-7:sms"), clinic).text)
        const link = "https://portal.example.org/toronto-west/appointments/appointment-7"
        assert.include(email.text, link)
        assert.strictEqual(
          email.html,
          `<div lang="en">Toronto West Family Health — appointment booked: Saturday, January 5, 2030 at 9:00 a.m..<br>\n<a href="${link}">${link}</a></div>`
        )
        // Nothing of the patient's record beyond the address it goes to.
        for (const secret of ["Ada", "Lovelace", "1985", "1234567890", "King"]) {
          assert.notInclude(textOf([...emails, ...sms]), secret)
        }
        for (const row of yield* rows) {
          assert.deepStrictEqual(
            [row.status, row.attempts, row.sentAt && ms(row.sentAt)],
            ["sent", 1, ms(T0)]
          )
          assert.strictEqual(row.claimedUntil, undefined)
        }
        yield* TestClock.adjust("1 hour")
        assert.deepStrictEqual(yield* runOnce(), summary({}))
        assert.strictEqual((yield* sentEmails).length + (yield* sentSms).length, 2)
      }).pipe(Effect.provide(domainWith(Layer.mergeAll(EmailSender.layerMemory, SmsSender.layerMemory))))
  )

  it.effect(
    "an SMS failing permanently is dead at once, and an email fallback is queued and delivered once",
    () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        yield* saveClinic
        const ada = yield* savePatient({ notificationPreference: "sms" })
        const payload = new NotificationPayload({
          startsAt: at("2030-01-03T15:00:00Z"),
          path: "/appointments/a-1"
        })
        yield* (yield* Notifications).queue({
          patient: ada,
          template: "appointment-reminder",
          payload,
          key: "reminder-a-1",
          groupKey: "appointment:a-1:reminders"
        })
        assert.deepStrictEqual(yield* runOnce(), summary({ claimed: 1, dead: 1, fallbacks: 1 }))
        const dead = yield* rowByKey("reminder-a-1:sms")
        assert.deepStrictEqual(
          [dead.status, dead.attempts, dead.lastError, dead.claimedUntil],
          ["dead", 1, "400 not a mobile number", undefined]
        )
        const fallback = yield* rowByKey(fallbackKey("reminder-a-1:sms"))
        assert.strictEqual(fallback.idempotencyKey, "reminder-a-1:sms:fallback")
        assert.deepStrictEqual(
          [
            fallback.channel,
            fallback.to,
            fallback.template,
            fallback.status,
            fallback.attempts,
            fallback.groupKey
          ],
          ["email", "ada@example.org", "appointment-reminder", "pending", 0, "appointment:a-1:reminders"]
        )
        assert.deepStrictEqual(fallback.payload, dead.payload)
        assert.strictEqual(ms(fallback.notBefore), ms(T0))
        assert.deepStrictEqual(yield* runOnce(), summary({ claimed: 1, sent: 1 }))
        const p = yield* provider
        assert.deepStrictEqual(
          p.answers.map((a) => [a.channel, a.key, a.accepted]),
          [
            ["sms", "reminder-a-1:sms", false],
            ["email", "reminder-a-1:sms:fallback", true]
          ]
        )
        const email = p.accepted[0] as EmailMessage
        assert.deepStrictEqual(
          [email.to, email.subject],
          ["ada@example.org", "Toronto West Family Health: appointment reminder"]
        )
        yield* TestClock.adjust("1 day")
        assert.deepStrictEqual(yield* runOnce(), summary({}))
        assert.strictEqual((yield* provider).answers.length, 2)
      }).pipe(
        Effect.provide(
          domainWith(
            fakeProvider(({ channel }) =>
              channel === "sms" ? permanent("400 not a mobile number") : Effect.void
            )
          )
        )
      )
  )

  it.effect(
    "no fallback where the patient has no email, or already gets this notice by email (preference both)",
    () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        yield* saveClinic
        const both = yield* savePatient()
        const smsOnly = yield* savePatient(
          { id: PatientId.make("patient-grace"), notificationPreference: "sms" },
          { withoutEmail: true }
        )
        const notifications = yield* Notifications
        const payload = new NotificationPayload({
          startsAt: at("2030-01-03T15:00:00Z"),
          path: "/appointments/a-2"
        })
        yield* notifications.queue({ patient: both, template: "appointment-reminder", payload, key: "both" })
        yield* notifications.queue({
          patient: smsOnly,
          template: "appointment-reminder",
          payload,
          key: "sms-only"
        })
        assert.deepStrictEqual(yield* runOnce(), summary({ claimed: 3, sent: 1, dead: 2 }))
        assert.deepStrictEqual(yield* runOnce(), summary({}))
        assert.deepStrictEqual(
          (yield* rows).map((n) => [n.idempotencyKey, n.status]),
          [
            ["both:email", "sent"],
            ["both:sms", "dead"],
            ["sms-only:sms", "dead"]
          ]
        )
        assert.deepStrictEqual(
          (yield* provider).accepted.map((m) => m.idempotencyKey),
          ["both:email"]
        )
      }).pipe(
        Effect.provide(
          domainWith(fakeProvider(({ channel }) => (channel === "sms" ? permanent("400") : Effect.void)))
        )
      )
  )

  it.effect("a notification withdrawn between the claim and its send is not sent", () =>
    Effect.gen(function* () {
      yield* setNow(T0)
      yield* saveClinic
      const slow = note(T0)
      const grouped = note(T0, { groupKey: "appointment:x:reminders" })
      yield* enqueue([slow, grouped])
      const pass = yield* Effect.forkChild(runOnce())
      yield* TestClock.adjust("1 second")
      // Both are claimed; the first is being sent, the second waits its turn.
      assert.deepStrictEqual(
        (yield* rows).map((n) => n.claimedUntil !== undefined),
        [true, true]
      )
      assert.strictEqual(yield* (yield* Outbox).withdraw("appointment:x:reminders"), 1)
      // Long enough for both sends, were the second (wrongly) made.
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* Fiber.join(pass), summary({ claimed: 2, sent: 1, skipped: 1 }))
      assert.deepStrictEqual((yield* provider).started, [slow.idempotencyKey])
      assert.deepStrictEqual(
        (yield* rows).map((n) => n.status),
        ["sent", "withdrawn"]
      )
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(() => Effect.sleep("10 seconds")),
          { policy: { concurrency: 1 } }
        )
      )
    )
  )

  it.effect("a claimed notification whose lease ran out before its turn is not sent on the stale lease", () =>
    Effect.gen(function* () {
      yield* setNow(T0)
      yield* saveClinic
      const batch = [note(T0), note(T0), note(T0)]
      yield* enqueue(batch)
      // One at a time, 25 s each, on a 40 s lease: the third's turn comes at 50 s.
      const pass = yield* Effect.forkChild(runOnce())
      yield* TestClock.adjust("75 seconds")
      assert.deepStrictEqual(yield* Fiber.join(pass), summary({ claimed: 3, sent: 2, skipped: 1 }))
      assert.deepStrictEqual(
        (yield* provider).started,
        batch.slice(0, 2).map((n) => n.idempotencyKey)
      )
      // Still pending, claimable by the next pass (its lapsed lease stops no one).
      const next = yield* Effect.forkChild(runOnce())
      yield* TestClock.adjust("25 seconds")
      assert.deepStrictEqual(yield* Fiber.join(next), summary({ claimed: 1, sent: 1 }))
      assert.strictEqual((yield* provider).accepted.length, 3)
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(() => Effect.sleep("25 seconds")),
          {
            policy: { concurrency: 1, leaseFor: Duration.seconds(40), sendTimeout: Duration.seconds(30) }
          }
        )
      )
    )
  )

  it.effect("a message that cannot be built is dead at once; a sender's defect is a retryable failure", () =>
    Effect.gen(function* () {
      yield* setNow(T0)
      yield* saveClinic
      const orphan = note(T0, { clinicId: ClinicId.make("clinic-closed") })
      const crashing = note(T0, { channel: "sms" })
      yield* enqueue([orphan, crashing])
      assert.deepStrictEqual(yield* runOnce(), summary({ claimed: 2, retried: 1, dead: 1 }))
      const [dead, retried] = yield* rows
      assert.deepStrictEqual(
        [dead?.status, dead?.attempts, dead?.lastError],
        ["dead", 1, "its clinic is no longer on file"]
      )
      assert.deepStrictEqual(
        [retried?.status, retried?.attempts, retried?.lastError],
        ["pending", 1, "the sender failed unexpectedly"]
      )
      assert.deepStrictEqual((yield* provider).started, [crashing.idempotencyKey])
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(({ channel }) =>
            channel === "sms" ? Effect.die(new Error("socket exploded")) : Effect.void
          )
        )
      )
    )
  )

  it.effect("a send that never answers times out and is retried", () =>
    Effect.gen(function* () {
      yield* setNow(T0)
      yield* saveClinic
      const n = note(T0)
      yield* enqueue([n])
      const pass = yield* Effect.forkChild(runOnce())
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(yield* Fiber.join(pass), summary({ claimed: 1, retried: 1 }))
      const row = yield* rowByKey(n.idempotencyKey)
      assert.deepStrictEqual([row.status, row.attempts, row.lastError], ["pending", 1, "no answer within 5s"])
      // Full jitter with a draw of 1: the whole first ceiling, from when the timeout fired.
      assert.strictEqual(ms(row.notBefore), ms(T0) + 5 * SECOND + 30 * SECOND)
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(() => Effect.never),
          {
            policy: { sendTimeout: Duration.seconds(5) },
            generator: constantGenerator(0xff)
          }
        )
      )
    )
  )
})

// ---------------------------------------------------------------------------------------------
// Backoff
// ---------------------------------------------------------------------------------------------

/**
 * Drives one notification through a provider that always fails retryably; at each retry it
 * checks that the dispatcher claims nothing a millisecond early. Returns the waits it chose.
 */
const retryRun = Effect.gen(function* () {
  yield* setNow(T0)
  yield* saveClinic
  const n = note(T0)
  yield* enqueue([n])
  const waits: Array<number> = []
  let due = ms(T0)
  for (let attempt = 1; attempt <= 8; attempt++) {
    if (attempt > 1) {
      yield* setNow(due - 1)
      assert.deepStrictEqual(yield* runOnce(), summary({}), `attempt ${attempt}: nothing a millisecond early`)
    }
    yield* setNow(due)
    const row = yield* rowByKey(n.idempotencyKey)
    assert.strictEqual(row.attempts, attempt - 1)
    const result = yield* runOnce()
    const after = yield* rowByKey(n.idempotencyKey)
    if (attempt < 8) {
      assert.deepStrictEqual(result, summary({ claimed: 1, retried: 1 }))
      assert.deepStrictEqual(
        [after.status, after.attempts, after.claimedUntil],
        ["pending", attempt, undefined]
      )
      assert.include(after.lastError ?? "", "503")
      waits.push(ms(after.notBefore) - due)
      due = ms(after.notBefore)
    } else {
      assert.deepStrictEqual(result, summary({ claimed: 1, dead: 1 }))
      assert.deepStrictEqual([after.status, after.attempts], ["dead", 8])
      assert.include(after.lastError ?? "", "503")
    }
  }
  // Dead is final: no ninth attempt, however long one waits.
  yield* TestClock.adjust("30 days")
  assert.deepStrictEqual(yield* runOnce(), summary({}))
  const p = yield* provider
  assert.strictEqual(p.answers.length, 8)
  return { waits, answeredAt: p.answers.map((a) => a.at - ms(T0)) }
})

const S = SECOND

describe("Dispatcher: backoff", () => {
  it.effect(
    "full jitter at its top (a draw of 1): 30 s doubling each time; dead and visible after 8 attempts",
    () =>
      Effect.gen(function* () {
        const { waits, answeredAt } = yield* retryRun
        assert.deepStrictEqual(waits, [30 * S, 60 * S, 120 * S, 240 * S, 480 * S, 960 * S, 1920 * S])
        assert.deepStrictEqual(
          answeredAt,
          [0, 30, 90, 210, 450, 930, 1890, 3810].map((s) => s * S)
        )
      }).pipe(
        Effect.provide(
          domainWith(
            fakeProvider(() => temporary("503 Service Unavailable")),
            { generator: constantGenerator(0xff) }
          )
        )
      )
  )

  it.effect("Retry-After is a minimum: a draw of 1 waits max(ceiling, 90 s)", () =>
    Effect.gen(function* () {
      const { waits } = yield* retryRun
      assert.deepStrictEqual(waits, [90 * S, 90 * S, 120 * S, 240 * S, 480 * S, 960 * S, 1920 * S])
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(() => temporary("503 Service Unavailable", 90_000)),
          {
            generator: constantGenerator(0xff)
          }
        )
      )
    )
  )

  it.effect("Retry-After is a minimum: a draw of 0 (full jitter's bottom) waits exactly 90 s", () =>
    Effect.gen(function* () {
      const { waits } = yield* retryRun
      assert.deepStrictEqual(
        waits,
        Array.from({ length: 7 }, () => 90 * S)
      )
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(() => temporary("503 Service Unavailable", 90_000)),
          {
            generator: constantGenerator(0x00)
          }
        )
      )
    )
  )

  it.effect("with real draws every wait lies within its ceiling and they are jittered, not fixed", () =>
    Effect.gen(function* () {
      const { waits } = yield* retryRun
      const ceilings = [30, 60, 120, 240, 480, 960, 1920].map((s) => s * S)
      for (const [i, w] of waits.entries()) {
        assert.isTrue(w >= 0 && w <= (ceilings[i] as number), `wait ${i + 1}: ${w}`)
      }
      assert.notDeepEqual(waits, ceilings)
      assert.isTrue(new Set(waits).size > 1)
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(() => temporary("503 Service Unavailable")),
          {
            generator: CodeGenerator.layerSeeded(11)
          }
        )
      )
    )
  )

  it.prop(
    "backoffDelay: within [max(0, Retry-After), max(Retry-After, min(cap, base·2^(n−1)))], growing with the draw",
    {
      failed: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 30 })),
      u: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
      v: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
      retryAfter: Schema.Int.check(Schema.isBetween({ minimum: -5_000, maximum: 7_200_000 }))
    },
    ({ failed, u, v, retryAfter }) => {
      const ceiling = Math.min(3_600_000, 30_000 * 2 ** (failed - 1))
      const floor = Math.max(0, retryAfter)
      const d = Duration.toMillis(backoffDelay(defaultPolicy, failed, u, retryAfter))
      assert.isTrue(d >= floor && d <= Math.max(floor, ceiling), `${d} for ${failed}, ${u}, ${retryAfter}`)
      const [lo, hi] = u <= v ? [u, v] : [v, u]
      assert.isTrue(
        Duration.toMillis(backoffDelay(defaultPolicy, failed, lo)) <=
          Duration.toMillis(backoffDelay(defaultPolicy, failed, hi))
      )
      assert.strictEqual(Duration.toMillis(backoffDelay(defaultPolicy, failed, 1)), ceiling)
      assert.strictEqual(Duration.toMillis(backoffDelay(defaultPolicy, failed, 0)), 0)
    }
  )
})

// ---------------------------------------------------------------------------------------------
// Faults and shutdown
// ---------------------------------------------------------------------------------------------

describe("Dispatcher: faults and shutdown", () => {
  const random = mulberry32(20_261_101)
  let failures = 0
  let calls = 0

  it.effect(
    "fault run: a provider failing half its calls at random; 1,000 notifications each delivered exactly once",
    () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        yield* saveClinic
        const batch = Array.from({ length: 1_000 }, (_, i) =>
          note(DateTime.addDuration(T0, Duration.minutes(i % 60)), { channel: i % 2 === 0 ? "email" : "sms" })
        )
        yield* enqueue(batch)
        const dispatcher = yield* Dispatcher
        const fiber = yield* Effect.forkChild(dispatcher.run({ batchSize: 100, pollInterval: "10 seconds" }))
        let rounds = 0
        for (; rounds < 5_000; rounds++) {
          yield* TestClock.adjust("1 minute")
          if ((yield* rows).every((n) => n.status !== "pending")) break
        }
        yield* Fiber.interrupt(fiber)
        const all = yield* rows
        const p = yield* provider
        // Every one sent, none lost, none dead (30 attempts: none is that unlucky with this seed).
        assert.deepStrictEqual([...countBy(all, (n) => n.status)], [["sent", 1_000]])
        // Each delivered exactly once, counted by idempotency key at the provider.
        const delivered = countBy(p.accepted, (m) => m.idempotencyKey)
        assert.strictEqual(delivered.size, 1_000)
        assert.isTrue([...delivered.values()].every((c) => c === 1))
        assert.deepStrictEqual([...delivered.keys()].sort(), batch.map((n) => n.idempotencyKey).sort())
        // The faults were real: about half of all calls failed, and some notifications needed many.
        assert.isTrue(failures / calls > 0.4 && failures / calls < 0.6, `${failures} of ${calls}`)
        const answers = countBy(p.answers, (a) => a.key)
        const byId = new Map(batch.map((n) => [n.idempotencyKey, n]))
        for (const n of all) {
          // Every call the provider answered is one recorded attempt; none sent before it was due.
          assert.strictEqual(n.attempts, answers.get(n.idempotencyKey))
          const original = byId.get(n.idempotencyKey) as Notification
          const accepted = p.answers.find((a) => a.key === n.idempotencyKey && a.accepted)
          assert.isTrue(accepted !== undefined && accepted.at >= ms(original.notBefore))
          assert.strictEqual(n.sentAt && ms(n.sentAt), accepted?.at)
        }
        const maxAttempts = Math.max(...all.map((n) => n.attempts))
        assert.isTrue(maxAttempts >= 6 && maxAttempts < 30, `max attempts ${maxAttempts}`)
      }).pipe(
        Effect.provide(
          domainWith(
            fakeProvider(() => {
              calls++
              if (random() < 0.5) {
                failures++
                return random() < 0.2 ? temporary("429 Too Many Requests", 5_000) : temporary("503")
              }
              return Effect.void
            }),
            { policy: { maxAttempts: 30 }, generator: CodeGenerator.layerSeeded(5) }
          )
        )
      ),
    { timeout: 60_000 }
  )

  it.effect(
    "stopped mid-batch: in-flight sends finish and are recorded, nothing more is claimed, the rest is handed back; a restart delivers each remaining one once",
    () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        yield* saveClinic
        const batch = Array.from({ length: 40 }, () => note(T0))
        yield* enqueue(batch)
        const dispatcher = yield* Dispatcher
        const first = yield* Effect.forkChild(dispatcher.run({ batchSize: 40, pollInterval: "1 second" }))
        // Four at a time, ten seconds each: at 25 s eight are done and four are in flight.
        yield* TestClock.adjust("25 seconds")
        const p = yield* provider
        assert.strictEqual(p.answers.length, 8)
        assert.strictEqual(p.started.length, 12)
        const stopAt = yield* nowMs
        const stopping = yield* Effect.forkChild(Fiber.interrupt(first))
        yield* TestClock.adjust("10 seconds")
        yield* Fiber.join(stopping)
        // The four in flight finished and were recorded; none was started after the stop.
        assert.strictEqual(p.started.length, 12)
        assert.strictEqual(p.answers.length, 12)
        assert.isTrue(p.answers.every((a) => a.accepted && a.at <= stopAt + 5 * SECOND))
        const afterStop = yield* rows
        assert.deepStrictEqual([...countBy(afterStop, (n) => n.status)].sort(), [
          ["pending", 28],
          ["sent", 12]
        ])
        // Handed back, not left leased: another dispatcher need not wait out the lease.
        assert.isTrue(afterStop.every((n) => n.claimedUntil === undefined))
        const claims = yield* ClaimLog
        assert.isTrue(
          claims.every((t) => t < stopAt),
          `claims at ${claims.map((t) => t - ms(T0))}`
        )
        // A restart delivers the rest, each once, at once.
        const restartAt = yield* nowMs
        const second = yield* Effect.forkChild(dispatcher.run({ batchSize: 40, pollInterval: "1 second" }))
        yield* TestClock.adjust("70 seconds")
        yield* Fiber.interrupt(second)
        assert.isTrue(claims.some((t) => t === restartAt))
        const delivered = countBy(p.accepted, (m) => m.idempotencyKey)
        assert.strictEqual(delivered.size, 40)
        assert.isTrue([...delivered.values()].every((c) => c === 1))
        assert.isTrue((yield* rows).every((n) => n.status === "sent" && n.attempts === 1))
      }).pipe(
        Effect.provide(
          domainWith(
            fakeProvider(() => Effect.sleep("10 seconds")),
            { policy: { concurrency: 4 } }
          )
        )
      )
  )

  it.effect("an interrupted pass that has claimed but not started hands every claim back", () =>
    Effect.gen(function* () {
      yield* setNow(T0)
      yield* saveClinic
      yield* enqueue([note(T0), note(T0), note(T0)])
      const pass = yield* Effect.forkChild(runOnce())
      yield* TestClock.adjust("1 second")
      const stopping = yield* Effect.forkChild(Fiber.interrupt(pass))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(stopping)
      assert.deepStrictEqual(
        (yield* rows).map((n) => [n.status, n.claimedUntil === undefined]),
        [
          ["sent", true],
          ["pending", true],
          ["pending", true]
        ]
      )
    }).pipe(
      Effect.provide(
        domainWith(
          fakeProvider(() => Effect.sleep("10 seconds")),
          { policy: { concurrency: 1 } }
        )
      )
    )
  )
})

// ---------------------------------------------------------------------------------------------
// Scheduled notifications on TestClock, calendar entries
// ---------------------------------------------------------------------------------------------

/** A pass a millisecond before `due` sends nothing; a pass at `due` sends. */
const deliveredExactlyAt = (due: number) =>
  Effect.gen(function* () {
    const count = Effect.map(Effect.all([sentEmails, sentSms]), ([e, m]) => e.length + m.length)
    const before = yield* count
    yield* setNow(due - 1)
    yield* runOnce()
    assert.strictEqual(yield* count, before, "not a millisecond early")
    yield* setNow(due)
    yield* runOnce()
    assert.isAbove(yield* count, before, "at the instant it is due")
  })

const memorySenders = Layer.mergeAll(EmailSender.layerMemory, SmsSender.layerMemory)

describe("Dispatcher: scheduled notifications and calendar entries", () => {
  it.effect(
    "across the 2026 fall-back in Toronto, reminders leave at exactly 48 h and 2 h before the start, in local time",
    () =>
      Effect.gen(function* () {
        const { adaP } = yield* seed()
        const scheduling = yield* Scheduling
        yield* setNow(at("2026-10-25T12:00:00Z"))
        // Monday 2 November, 09:00 EST (= 14:00Z); clocks went back at 02:00 on Sunday 1 November.
        const start = at("2026-11-02T14:00:00Z")
        const booked = yield* scheduling.request(adaP, { providerId, typeId: bookTypeId, start })
        yield* runOnce()
        const templates = (ms: ReadonlyArray<EmailMessage>) => ms.map((m) => m.subject)
        assert.deepStrictEqual(templates(yield* sentEmails), [
          "Toronto West Family Health: appointment booked"
        ])
        // 48 h of real time before: Saturday 31 October 14:00Z, 10:00 EDT — not 09:00 local two days before.
        for (const [lead, count] of [
          [48 * HOUR, 2],
          [2 * HOUR, 3]
        ] as const) {
          yield* deliveredExactlyAt(ms(start) - lead)
          const emails = yield* sentEmails
          const sms = yield* sentSms
          assert.strictEqual(emails.length, count)
          assert.strictEqual(sms.length, count)
          const email = emails[count - 1] as EmailMessage
          const text = (sms[count - 1] as SmsMessage).body
          assert.strictEqual(email.subject, "Toronto West Family Health: appointment reminder")
          for (const body of [email.text, text, email.html]) {
            assert.include(body, "Monday, November 2, 2026 at 9:00 a.m.")
            assert.notInclude(body, "10:00")
          }
          assert.include(email.text, `/appointments/${booked.id}`)
          assert.strictEqual(email.calendar, undefined)
        }
        const reminderRows = (yield* rows).filter((n) => n.template === "appointment-reminder")
        assert.deepStrictEqual(
          reminderRows.map((n) => [n.channel, n.sentAt && DateTime.formatIso(n.sentAt)]),
          [
            ["email", "2026-10-31T14:00:00.000Z"],
            ["sms", "2026-10-31T14:00:00.000Z"],
            ["email", "2026-11-02T12:00:00.000Z"],
            ["sms", "2026-11-02T12:00:00.000Z"]
          ]
        )
      }).pipe(Effect.provide(domainWith(memorySenders)))
  )

  it.effect("a virtual visit's code leaves exactly 5 min before, opens the visit, and is never logged", () =>
    Effect.gen(function* () {
      const { ada } = yield* seed()
      yield* (yield* ScheduleRepo).saveProvider(
        new Provider({ ...makeProvider(), meetingUrl: "https://meet.example.org/dr-chen" })
      )
      const scheduling = yield* Scheduling
      yield* setNow(at("2026-10-30T12:00:00Z"))
      // Monday 2 November, 10:00 EST.
      const start = at("2026-11-02T15:00:00Z")
      yield* scheduling.book(staff, { patientId: ada.id, providerId, typeId: requestTypeId, start })
      const { logs, pass } = loggedPass()
      const due = ms(start) - 5 * MINUTE
      yield* setNow(due - 1)
      yield* pass
      const beforeCode = (yield* sentEmails).length
      assert.isFalse((yield* sentEmails).some((m) => m.subject.includes("virtual visit")))
      yield* setNow(due)
      yield* pass
      const emails = (yield* sentEmails).slice(beforeCode)
      const codeEmail = emails.find((m) => m.subject === "Toronto West Family Health: your virtual visit")
      const codeSms = (yield* sentSms).find((m) => m.body.startsWith("Your virtual visit"))
      assert.isDefined(codeEmail)
      assert.isDefined(codeSms)
      const code = /Access code: (\S+)$/.exec(codeEmail?.text ?? "")?.[1] ?? ""
      assert.match(code, /^[2-9A-HJ-NP-Za-km-z]{8}$/)
      assert.include(codeSms?.body ?? "", `Access code: ${code}`)
      assert.include(codeEmail?.text ?? "", "Monday, November 2, 2026 at 10:00 a.m.")
      const join = yield* (yield* VirtualVisits).join(Redacted.make(code))
      assert.strictEqual(join.meetingUrl, "https://meet.example.org/dr-chen")
      assert.isFalse(logs.some((line) => line.includes(code)))
    }).pipe(Effect.provide(domainWith(memorySenders)))
  )

  it.effect(
    "a code that keeps failing by SMS is logged as dead and falls back to email, never logging the code",
    () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        yield* saveClinic
        yield* savePatient({ notificationPreference: "sms" })
        yield* enqueueLoginCodeSms({ challenge: "challenge-9", code: "K7mP2xQa", key: "login-9:sms" })
        const { logs, pass } = loggedPass()
        for (let i = 0; i < 3; i++) {
          yield* pass
          yield* TestClock.adjust("2 hours")
        }
        assert.deepStrictEqual(
          (yield* rows).map((n) => [n.idempotencyKey, n.status, n.attempts]),
          [
            ["login-9:sms", "dead", 2],
            ["login-9:sms:fallback", "sent", 1]
          ]
        )
        const p = yield* provider
        assert.include((p.accepted[0] as EmailMessage).text, "K7mP2xQa")
        assert.isTrue(logs.some((line) => line.includes("notification dead")))
        assert.isTrue(logs.some((line) => line.includes("notification retried")))
        assert.isFalse(logs.some((line) => line.includes("K7mP2xQa")))
        assert.isFalse((yield* rows).some((n) => JSON.stringify(n).includes("K7mP2xQa")))
      }).pipe(
        Effect.provide(
          domainWith(
            fakeProvider(({ channel, call }) =>
              channel === "email" ? Effect.void : call === 1 ? temporary("503") : permanent("400 unreachable")
            )
          )
        )
      )
  )

  it.effect(
    "a provider that quotes the message in its refusal never puts the code in the log or lastError",
    () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        yield* saveClinic
        yield* savePatient({ notificationPreference: "sms" }, { withoutEmail: true })
        yield* enqueueLoginCodeSms({ challenge: "challenge-7", code: "Q4wT9zRb", key: "login-7:sms" })
        const { logs, pass } = loggedPass()
        for (let i = 0; i < 3; i++) {
          yield* pass
          yield* TestClock.adjust("2 hours")
        }
        const [row] = yield* rows
        assert.strictEqual(row?.status, "dead")
        // The refusal is kept, with the code replaced.
        assert.match(row?.lastError ?? "", /^400 invalid body: Your .*\[code\]/)
        assert.isTrue(logs.some((line) => line.includes("[code]")))
        assert.isFalse(logs.some((line) => line.includes("Q4wT9zRb")))
        assert.isFalse(JSON.stringify(yield* rows).includes("Q4wT9zRb"))
      }).pipe(
        Effect.provide(
          domainWith(
            Layer.mergeAll(
              Layer.succeed(
                EmailSender,
                EmailSender.of({ send: () => Effect.die(new Error("no email expected")) })
              ),
              Layer.succeed(
                SmsSender,
                SmsSender.of({
                  send: (m) =>
                    Effect.fail(
                      new DeliveryFailed({
                        retryable: false,
                        reason: `400 invalid body: ${m.body}`
                      })
                    )
                })
              )
            )
          )
        )
      )
  )

  it.effect(
    "booked: REQUEST with the visit's start and end; moved: REQUEST, same uid, higher sequence; cancelled: CANCEL, same uid, higher still",
    () =>
      Effect.gen(function* () {
        const { adaP } = yield* seed()
        const scheduling = yield* Scheduling
        yield* setNow(at("2026-10-01T12:00:00Z"))
        const start = at("2026-11-02T14:00:00Z")
        const booked = yield* scheduling.request(adaP, { providerId, typeId: bookTypeId, start })
        yield* runOnce()
        yield* TestClock.adjust("1 minute")
        const moved = at("2026-11-03T15:30:00Z")
        yield* scheduling.reschedule(adaP, booked.id, moved)
        yield* runOnce()
        yield* TestClock.adjust("1 minute")
        yield* scheduling.cancel(adaP, booked.id)
        yield* runOnce()
        const emails = yield* sentEmails
        const calendars = emails.flatMap((m) => (m.calendar === undefined ? [] : [m.calendar]))
        assert.deepStrictEqual(
          calendars.map((c) => [c.method, c.uid, DateTime.formatIso(c.start), DateTime.formatIso(c.end)]),
          [
            [
              "REQUEST",
              `appointment-${booked.id}@careportal`,
              "2026-11-02T14:00:00.000Z",
              "2026-11-02T14:30:00.000Z"
            ],
            [
              "REQUEST",
              `appointment-${booked.id}@careportal`,
              "2026-11-03T15:30:00.000Z",
              "2026-11-03T16:00:00.000Z"
            ],
            [
              "CANCEL",
              `appointment-${booked.id}@careportal`,
              "2026-11-03T15:30:00.000Z",
              "2026-11-03T16:00:00.000Z"
            ]
          ]
        )
        const [s1, s2, s3] = calendars.map((c) => c.sequence) as [number, number, number]
        assert.isTrue(s1 >= 0 && s2 > s1 && s3 > s2, `${s1} < ${s2} < ${s3}`)
        assert.strictEqual(s2 - s1, 60)
        for (const c of calendars) {
          assert.strictEqual(c.summary, "Toronto West Family Health: appointment")
          assert.strictEqual(c.url, `https://portal.example.org/toronto-west/appointments/${booked.id}`)
        }
        // The calendar never names the kind of visit (the type is called "Sensitive visit reason").
        assert.notInclude(textOf(emails), "Sensitive")
        assert.deepStrictEqual(
          emails.map((m) => m.subject),
          [
            "Toronto West Family Health: appointment booked",
            "Toronto West Family Health: appointment moved",
            "Toronto West Family Health: appointment cancelled"
          ]
        )
      }).pipe(Effect.provide(domainWith(memorySenders)))
  )
})
