/**
 * The contract of `Outbox`: notifications read back exactly as enqueued, withdrawal of a
 * group's pending ones, the dispatchers' claim with its lease (concurrent claims never
 * return one notification twice), and the clinic's listing a page at a time, newest first, each
 * page strictly after the place the one before ended.
 *
 * `claim` is not scoped to a clinic, so a claim case first leases, for a thousand years,
 * every notification already due in its own era (`drain`): what it claims afterwards is then
 * exactly its own. Claim cases must therefore not run at the same time as each other (cases
 * run one after another; each test file has its own store).
 */
import { Arbitrary, Array as Arr, DateTime, Duration, Effect, Option, Schema } from "effect"
import { CodeGenerator } from "../../CodeGenerator.ts"
import { ChallengeId, ClinicId, NotificationId, PatientId } from "../../Ids.ts"
import { Notification, NotificationPayload, NotificationStatus, SealedCode } from "../../Notification.ts"
import {
  type ClinicNotificationQuery,
  compareNewestFirst,
  type NotificationKey,
  Outbox
} from "../../Outbox.ts"
import {
  intBetween as between,
  type Contract,
  checkProperty,
  contractCase,
  expect,
  expectEqual,
  readPagesUntilEmpty
} from "../Contract.ts"

const uuid = Effect.gen(function* () {
  return yield* (yield* CodeGenerator).uuid
}).pipe(Effect.provide(CodeGenerator.layer))

const world = Effect.map(uuid, (id) => ({
  clinicId: ClinicId.make(`clinic-${id}`),
  patientId: PatientId.make(`patient-${id}`)
}))

type World = Effect.Success<typeof world>

type Fields = ConstructorParameters<typeof Notification>[0]

const notification = (w: World, notBefore: DateTime.Utc, overrides: Partial<Fields> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new Notification({
        id: NotificationId.make(`notification-${id}`),
        clinicId: w.clinicId,
        patientId: w.patientId,
        channel: "email",
        to: "ada@example.org",
        language: "en",
        template: "appointment-reminder",
        payload: new NotificationPayload({ startsAt: notBefore, path: `/appointments/${id}` }),
        idempotencyKey: `appointment:${id}:reminder:email`,
        status: "pending",
        attempts: 0,
        notBefore,
        createdAt: notBefore,
        ...overrides
      })
  )

const enqueued = (notifications: ReadonlyArray<Notification>) =>
  Effect.gen(function* () {
    yield* (yield* Outbox).enqueue(notifications)
    return notifications
  })

const ofClinic = (w: World) =>
  Effect.gen(function* () {
    return (yield* (yield* Outbox).all).filter((n) => n.clinicId === w.clinicId)
  })

const ids = (notifications: ReadonlyArray<Notification>) => notifications.map((n) => n.id)

const leased = (n: Notification, claimedUntil: DateTime.Utc) => new Notification({ ...n, claimedUntil })

/** Leases away everything due by `now` that earlier cases left, so this case claims only its own. */
const drain = (now: DateTime.Utc) =>
  Effect.gen(function* () {
    const outbox = yield* Outbox
    // Bounded, so that a claim that ignores leases fails the case instead of looping forever.
    for (let round = 0; round < 100; round++) {
      if ((yield* outbox.claim({ now, limit: 1_000, leaseFor: Duration.days(365_000) })).length === 0) return
    }
    yield* expect(false, "claim keeps returning notifications it has already leased")
  })

/** A notification's place in its clinic's listing. */
const keyOf = (n: Notification): NotificationKey => ({ createdAt: n.createdAt, id: n.id })

/**
 * Reads a clinic's notifications page by page as the service does (each next page strictly
 * after the last notification of the one before) until a page comes back empty; at most
 * `guard` pages, so that a store that never moves on fails the case instead of looping.
 */
const readAllPages = (
  clinicId: ClinicId,
  query: Omit<ClinicNotificationQuery, "after" | "limit">,
  limit: number,
  guard: number
) =>
  Effect.gen(function* () {
    const outbox = yield* Outbox
    return yield* readPagesUntilEmpty(
      (after) => outbox.listByClinic(clinicId, { ...query, after, limit }),
      keyOf,
      guard
    )
  })

/**
 * A random outbox of the case's clinic and of another (noise the first must never see): each
 * notification created in one of four minutes (so several share one, and ties go by id), for
 * one of two patients, in any status; read with a random status filter in pages of a random size.
 */
const PagingScenario = Arbitrary.schema(
  Schema.Struct({
    notifications: Schema.Array(
      Schema.Struct({
        foreign: Schema.Boolean,
        minute: between(0, 3),
        patient: between(0, 1),
        status: NotificationStatus
      })
    ).check(Schema.isMaxLength(16)),
    pageSize: between(1, 6),
    status: Schema.optional(NotificationStatus)
  })
)

/** The behaviours of every `Outbox`. */
export const OutboxContract: Contract<Outbox> = [
  contractCase(
    "enqueued notifications read back exactly, in enqueue order; an empty batch changes nothing",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const t = DateTime.makeUnsafe("2030-01-02T03:04:05.678Z")
      const batch = yield* enqueued([
        yield* notification(w, t, {
          channel: "sms",
          to: "+14165550100",
          language: "fr",
          template: "link-code",
          payload: new NotificationPayload({
            purpose: "quick-link",
            challengeId: ChallengeId.make("challenge-1"),
            code: SealedCode.make("c2VhbGVk"),
            codeContext: "challenge-1",
            expiresAt: DateTime.makeUnsafe("2030-01-05T03:04:05.678Z"),
            resourceKind: "message",
            path: "/links/challenge-1"
          })
        }),
        yield* notification(w, DateTime.makeUnsafe("2030-01-01T00:00:00.000Z"), {
          groupKey: "appointment:1:reminders",
          payload: new NotificationPayload({})
        }),
        yield* notification(w, t, { status: "sent", attempts: 3 })
      ])
      const more = yield* enqueued([yield* notification(w, t)])
      yield* outbox.enqueue([])
      yield* expectEqual(yield* ofClinic(w), [...batch, ...more], "all, restricted to this clinic")
    })
  ),
  contractCase(
    "withdraw marks a group's pending notifications withdrawn and counts them; others stay",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const t = DateTime.makeUnsafe("2030-02-01T10:00:00.000Z")
      const group = `appointment:${yield* uuid}:reminders`
      const other = `appointment:${yield* uuid}:reminders`
      const [a, sent, b, elsewhere, loose] = yield* enqueued([
        yield* notification(w, t, { groupKey: group }),
        yield* notification(w, t, { groupKey: group, status: "sent", attempts: 1 }),
        yield* notification(w, t, { groupKey: group, channel: "sms", to: "+14165550100" }),
        yield* notification(w, t, { groupKey: other }),
        yield* notification(w, t)
      ])
      yield* expectEqual(yield* outbox.withdraw(group), 2, "withdrawn")
      yield* expectEqual(yield* outbox.withdraw(group), 0, "withdrawn again")
      yield* expectEqual(yield* outbox.withdraw(`group-${yield* uuid}`), 0, "unknown group")
      const withdrawn = (n: Notification | undefined) =>
        n === undefined ? undefined : new Notification({ ...n, status: "withdrawn" })
      yield* expectEqual(
        yield* ofClinic(w),
        [withdrawn(a), sent, withdrawn(b), elsewhere, loose] as ReadonlyArray<Notification>,
        "after withdrawal"
      )
    })
  ),
  contractCase(
    "claim leases pending, due, unleased notifications, oldest notBefore first (ties in enqueue order), up to the limit",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const t = (minutes: number) => DateTime.makeUnsafe(Date.UTC(2031, 0, 1, 8, minutes))
      const now = t(20)
      yield* drain(now)
      // The newest due one is enqueued first, so that enqueue order alone would pick it.
      const [dueNow, a, b, c, notDue, sent, withdrawn, failed] = yield* enqueued([
        yield* notification(w, now),
        yield* notification(w, t(10)),
        yield* notification(w, t(5)),
        yield* notification(w, t(5), { channel: "sms", to: "+14165550100" }),
        yield* notification(w, t(30)),
        yield* notification(w, t(0), { status: "sent", attempts: 1 }),
        yield* notification(w, t(0), { status: "withdrawn" }),
        yield* notification(w, t(1), { status: "failed", attempts: 2 })
      ])
      const until = DateTime.addDuration(now, "5 minutes")
      const claim = (limit: number) => outbox.claim({ now, limit, leaseFor: Duration.minutes(5) })
      yield* expectEqual(yield* claim(0), [], "a limit of 0")
      // The limit falls between b and c (same notBefore): enqueue order decides.
      yield* expectEqual(yield* claim(1), [leased(b as Notification, until)], "the oldest, first enqueued")
      const second = yield* claim(2)
      yield* expectEqual(ids(second), ids([c, a] as Array<Notification>), "the next two, by notBefore")
      yield* expectEqual(
        second,
        [c, a].map((n) => leased(n as Notification, until)),
        "claimed notifications carry their lease"
      )
      yield* expectEqual(yield* claim(10), [leased(dueNow as Notification, until)], "due exactly now")
      yield* expectEqual(yield* claim(10), [], "nothing left to claim")
      yield* expectEqual(
        yield* ofClinic(w),
        [
          leased(dueNow as Notification, until),
          leased(a as Notification, until),
          leased(b as Notification, until),
          leased(c as Notification, until),
          notDue,
          sent,
          withdrawn,
          failed
        ] as ReadonlyArray<Notification>,
        "the store after the claims"
      )
    })
  ),
  contractCase(
    "a lease keeps a notification from every other claim until it ends; then it can be claimed again",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2032-06-01T08:00:00.000Z")
      const later = (ms: number) => DateTime.addDuration(now, Duration.millis(ms))
      const lease = Duration.minutes(5)
      yield* drain(later(Duration.toMillis(lease)))
      const [n] = yield* enqueued([yield* notification(w, now)])
      const first = yield* outbox.claim({ now, limit: 10, leaseFor: lease })
      yield* expectEqual(first, [leased(n as Notification, later(300_000))], "first claim")
      yield* expectEqual(
        yield* outbox.claim({ now: later(299_999), limit: 10, leaseFor: lease }),
        [],
        "while the lease runs"
      )
      const again = yield* outbox.claim({ now: later(300_000), limit: 10, leaseFor: lease })
      yield* expectEqual(again, [leased(n as Notification, later(600_000))], "once the lease has ended")
      yield* expectEqual(yield* outbox.withdraw("no-such-group"), 0, "withdraw of nothing")
    })
  ),
  contractCase(
    "a leased notification is still withdrawn with its group (the dispatcher must re-check before sending)",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2033-06-01T08:00:00.000Z")
      yield* drain(DateTime.addDuration(now, "1 hour"))
      const group = `appointment:${yield* uuid}:reminders`
      const [n] = yield* enqueued([yield* notification(w, now, { groupKey: group })])
      yield* outbox.claim({ now, limit: 1, leaseFor: Duration.minutes(1) })
      yield* expectEqual(yield* outbox.withdraw(group), 1, "withdrawn")
      yield* expectEqual(
        yield* outbox.claim({
          now: DateTime.addDuration(now, "1 hour"),
          limit: 10,
          leaseFor: Duration.minutes(1)
        }),
        [],
        "a withdrawn notification is never claimed, even after its lease"
      )
      yield* expectEqual(
        yield* ofClinic(w),
        [
          new Notification({
            ...(n as Notification),
            status: "withdrawn",
            claimedUntil: DateTime.addDuration(now, "1 minute")
          })
        ],
        "the store"
      )
    })
  ),
  contractCase(
    "concurrent dispatchers claiming in batches until nothing is left claim every notification exactly once",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2034-06-01T08:00:00.000Z")
      yield* drain(now)
      const batch = yield* Effect.all(
        Array.from({ length: 60 }, (_, i) =>
          notification(w, DateTime.subtractDuration(now, Duration.seconds(i)))
        )
      )
      yield* outbox.enqueue(batch)
      // Bounded: a claim that hands out rows twice must fail the case, not loop forever.
      const dispatcher = Effect.gen(function* () {
        const claimed: Array<Notification> = []
        for (let round = 0; round < batch.length; round++) {
          const next = yield* outbox.claim({ now, limit: 7, leaseFor: Duration.hours(1) })
          if (next.length === 0) break
          claimed.push(...next)
        }
        return claimed
      })
      const claims = (yield* Effect.all([dispatcher, dispatcher, dispatcher, dispatcher], {
        concurrency: 4
      })).flat()
      yield* expectEqual(claims.length, batch.length, "claims in total")
      yield* expectEqual(
        [...new Set(ids(claims))].sort(),
        ids(batch).sort(),
        "every notification claimed, none twice"
      )
      yield* expect(
        claims.every((n) => n.claimedUntil !== undefined),
        "every claimed notification carries a lease"
      )
    })
  ),
  contractCase(
    "lastError and sentAt read back as enqueued",
    Effect.gen(function* () {
      const w = yield* world
      const t = DateTime.makeUnsafe("2030-03-01T10:00:00.123Z")
      const batch = yield* enqueued([
        yield* notification(w, t, { status: "sent", attempts: 2, lastError: "503 from provider", sentAt: t }),
        yield* notification(w, t, { status: "dead", attempts: 8, lastError: "timed out" })
      ])
      yield* expectEqual(yield* ofClinic(w), batch, "all")
    })
  ),
  contractCase(
    "find reads one notification as it stands; findByIdempotencyKey finds the clinic's first with that key",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const elsewhere = yield* world
      const now = DateTime.makeUnsafe("2036-01-01T08:00:00.000Z")
      yield* drain(now)
      const key = `appointment:${yield* uuid}:reminder:sms`
      const [first, second, other] = yield* enqueued([
        yield* notification(w, now, { idempotencyKey: key, channel: "sms", to: "+14165550100" }),
        yield* notification(w, now, { idempotencyKey: key }),
        yield* notification(elsewhere, now, { idempotencyKey: key })
      ])
      const n = first as Notification
      yield* expectEqual(yield* outbox.find(n), Option.some(n), "found")
      const claimed = yield* outbox.claim({ now, limit: 1, leaseFor: Duration.minutes(5) })
      yield* expectEqual(claimed, [leased(n, DateTime.addDuration(now, "5 minutes"))], "claimed")
      yield* expectEqual(
        yield* outbox.find(n),
        Option.some(claimed[0] as Notification),
        "found with its lease"
      )
      yield* expectEqual(
        yield* outbox.find({ clinicId: elsewhere.clinicId, id: n.id }),
        Option.none(),
        "the id under another clinic"
      )
      yield* expectEqual(
        yield* outbox.find({ clinicId: w.clinicId, id: NotificationId.make(`notification-${yield* uuid}`) }),
        Option.none(),
        "a missing id"
      )
      yield* expectEqual(
        Option.map(yield* outbox.findByIdempotencyKey(w.clinicId, key), (x) => x.id),
        Option.some(n.id),
        "the first recorded with the key"
      )
      yield* expectEqual(
        Option.map(yield* outbox.findByIdempotencyKey(elsewhere.clinicId, key), (x) => x.id),
        Option.some((other as Notification).id),
        "the other clinic's own"
      )
      yield* expectEqual(
        yield* outbox.findByIdempotencyKey(w.clinicId, `${key}:fallback`),
        Option.none(),
        "an unknown key"
      )
      yield* expect(second !== undefined, "the second was enqueued")
    })
  ),
  contractCase(
    "markSent: a pending notification becomes sent at sentAt with one more attempt and no lease; others stay",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2037-01-01T08:00:00.000Z")
      yield* drain(DateTime.addDuration(now, "1 day"))
      const [pending, withdrawn, dead, sent] = yield* enqueued([
        yield* notification(w, now, { attempts: 2, lastError: "503" }),
        yield* notification(w, now, { status: "withdrawn" }),
        yield* notification(w, now, { status: "dead", attempts: 8, lastError: "timed out" }),
        yield* notification(w, now, { status: "sent", attempts: 1, sentAt: now })
      ])
      const p = pending as Notification
      yield* outbox.claim({ now, limit: 10, leaseFor: Duration.minutes(5) })
      const at = DateTime.addDuration(now, "1 minute")
      yield* expectEqual(yield* outbox.markSent(p, at), true, "marked sent")
      yield* expectEqual(yield* outbox.markSent(p, DateTime.addDuration(at, "1 minute")), false, "sent again")
      for (const other of [withdrawn, dead, sent] as Array<Notification>) {
        yield* expectEqual(yield* outbox.markSent(other, at), false, `a ${other.status} one`)
      }
      yield* expectEqual(
        yield* outbox.markSent(
          { clinicId: w.clinicId, id: NotificationId.make(`notification-${yield* uuid}`) },
          at
        ),
        false,
        "a missing one"
      )
      yield* expectEqual(
        yield* ofClinic(w),
        [
          new Notification({ ...p, status: "sent", attempts: 3, sentAt: at }),
          withdrawn,
          dead,
          sent
        ] as ReadonlyArray<Notification>,
        "the store"
      )
      yield* expectEqual(
        yield* outbox.claim({
          now: DateTime.addDuration(now, "1 day"),
          limit: 10,
          leaseFor: Duration.minutes(5)
        }),
        [],
        "a sent notification is never claimed"
      )
    })
  ),
  contractCase(
    "scheduleRetry: one more attempt, the new notBefore and lastError, no lease; only at the attempts seen; claimable once due",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2038-01-01T08:00:00.000Z")
      const retryAt = DateTime.addDuration(now, "30 seconds")
      yield* drain(retryAt)
      const [n, withdrawn] = yield* enqueued([
        yield* notification(w, now),
        yield* notification(w, now, { status: "withdrawn" })
      ])
      const first = n as Notification
      yield* expectEqual(
        yield* outbox.claim({ now, limit: 10, leaseFor: Duration.hours(1) }),
        [leased(first, DateTime.addDuration(now, "1 hour"))],
        "claimed"
      )
      const retry = { attempts: 0, notBefore: retryAt, lastError: "503 Service Unavailable" }
      yield* expectEqual(yield* outbox.scheduleRetry(first, retry), true, "scheduled")
      yield* expectEqual(yield* outbox.scheduleRetry(first, retry), false, "the same attempt again")
      yield* expectEqual(
        yield* outbox.scheduleRetry(withdrawn as Notification, retry),
        false,
        "a withdrawn one"
      )
      const retried = new Notification({
        ...first,
        attempts: 1,
        notBefore: retryAt,
        lastError: "503 Service Unavailable"
      })
      yield* expectEqual(yield* ofClinic(w), [retried, withdrawn] as ReadonlyArray<Notification>, "the store")
      yield* expectEqual(
        yield* outbox.claim({
          now: DateTime.subtractDuration(retryAt, Duration.millis(1)),
          limit: 10,
          leaseFor: Duration.minutes(5)
        }),
        [],
        "not before its new time, though its lease was cleared"
      )
      const again = yield* outbox.claim({ now: retryAt, limit: 10, leaseFor: Duration.minutes(5) })
      yield* expectEqual(
        again,
        [leased(retried, DateTime.addDuration(retryAt, "5 minutes"))],
        "claimed again"
      )
      yield* expectEqual(
        yield* outbox.scheduleRetry(first, { ...retry, attempts: 1, lastError: "timed out" }),
        true,
        "the second attempt's retry"
      )
      yield* expectEqual(
        Option.map(yield* outbox.find(first), (x) => `${x.attempts}: ${x.lastError}`),
        Option.some("2: timed out"),
        "after the second retry"
      )
    })
  ),
  contractCase(
    "markDead: dead with lastError, one more attempt, no lease, never claimed again; only once",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2039-01-01T08:00:00.000Z")
      const later = DateTime.addDuration(now, "1 day")
      yield* drain(later)
      const [n, sent] = yield* enqueued([
        yield* notification(w, now, { attempts: 7, lastError: "503" }),
        yield* notification(w, now, { status: "sent", attempts: 1, sentAt: now })
      ])
      const first = n as Notification
      yield* outbox.claim({ now, limit: 10, leaseFor: Duration.minutes(5) })
      yield* expectEqual(yield* outbox.markDead(first, "400 invalid number"), true, "marked dead")
      yield* expectEqual(yield* outbox.markDead(first, "again"), false, "dead again")
      yield* expectEqual(yield* outbox.markDead(sent as Notification, "late"), false, "a sent one")
      yield* expectEqual(
        yield* ofClinic(w),
        [
          new Notification({ ...first, status: "dead", attempts: 8, lastError: "400 invalid number" }),
          sent
        ] as ReadonlyArray<Notification>,
        "the store"
      )
      yield* expectEqual(
        yield* outbox.claim({ now: later, limit: 10, leaseFor: Duration.minutes(5) }),
        [],
        "a dead notification is never claimed"
      )
    })
  ),
  contractCase(
    "release clears exactly this lease of a pending notification, so another claim takes it at once",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2040-01-01T08:00:00.000Z")
      yield* drain(now)
      const [n] = yield* enqueued([yield* notification(w, now)])
      const first = n as Notification
      const lease = DateTime.addDuration(now, "5 minutes")
      yield* outbox.claim({ now, limit: 10, leaseFor: Duration.minutes(5) })
      yield* expectEqual(
        yield* outbox.release(first, DateTime.addDuration(lease, "1 millis")),
        false,
        "another lease"
      )
      yield* expectEqual(
        yield* outbox.claim({ now, limit: 10, leaseFor: Duration.minutes(5) }),
        [],
        "still leased"
      )
      yield* expectEqual(yield* outbox.release(first, lease), true, "released")
      yield* expectEqual(yield* outbox.release(first, lease), false, "released again")
      yield* expectEqual(yield* ofClinic(w), [first], "the store: as enqueued")
      const again = yield* outbox.claim({ now, limit: 10, leaseFor: Duration.minutes(1) })
      yield* expectEqual(again, [leased(first, DateTime.addDuration(now, "1 minute"))], "claimed at once")
      yield* expectEqual(yield* outbox.markSent(first, now), true, "sent")
      yield* expectEqual(
        yield* outbox.release(first, DateTime.addDuration(now, "1 minute")),
        false,
        "a sent one"
      )
    })
  ),
  contractCase(
    "concurrent outcomes for one notification: exactly one markDead and one scheduleRetry per attempt change it",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const now = DateTime.makeUnsafe("2030-05-01T08:00:00.000Z")
      const [a, b] = yield* enqueued([yield* notification(w, now), yield* notification(w, now)])
      const retry = { attempts: 0, notBefore: now, lastError: "503" }
      const retries = yield* Effect.all(
        Array.from({ length: 10 }, () => outbox.scheduleRetry(a as Notification, retry)),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(retries.filter((x) => x).length, 1, "retries that changed it")
      const deaths = yield* Effect.all(
        Array.from({ length: 10 }, (_, i) => outbox.markDead(b as Notification, `failure ${i}`)),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(deaths.filter((x) => x).length, 1, "deaths that changed it")
      yield* expectEqual(
        (yield* ofClinic(w)).map((n) => [n.status, n.attempts]),
        [
          ["pending", 1],
          ["dead", 1]
        ],
        "the store"
      )
    })
  ),
  contractCase(
    "listByPatient: the patient's notifications in that clinic, whatever their status, newest created first (ties latest enqueued first), up to the limit",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const sibling = { ...w, patientId: PatientId.make(`patient-sibling-${yield* uuid}`) }
      const elsewhere = { ...w, clinicId: ClinicId.make(`clinic-elsewhere-${yield* uuid}`) }
      const t0 = DateTime.makeUnsafe("2030-06-01T09:00:00.000Z")
      const t1 = DateTime.makeUnsafe("2030-06-02T09:00:00.000Z")
      const t2 = DateTime.makeUnsafe("2030-06-03T09:00:00.000Z")
      const [early, late, tieFirst] = yield* enqueued([
        yield* notification(w, t0, { createdAt: t0, status: "sent", attempts: 1, sentAt: t0 }),
        // Queued ahead: notBefore plays no part in the order.
        yield* notification(w, t0, {
          createdAt: t2,
          status: "dead",
          attempts: 8,
          lastError: "550 no such user"
        }),
        yield* notification(w, t2, { createdAt: t1, status: "withdrawn" })
      ])
      const [, foreign] = yield* enqueued([
        yield* notification(sibling, t2, { createdAt: t2 }),
        yield* notification(elsewhere, t2)
      ])
      const [tieSecond] = yield* enqueued([
        yield* notification(w, t0, { createdAt: t1, channel: "sms", to: "+14165550100" })
      ])
      const expected = [late, tieSecond, tieFirst, early] as ReadonlyArray<Notification>
      yield* expectEqual(
        yield* outbox.listByPatient(w.clinicId, w.patientId, { limit: 10 }),
        expected,
        "all of them, newest first"
      )
      yield* expectEqual(
        yield* outbox.listByPatient(w.clinicId, w.patientId, { limit: 2 }),
        expected.slice(0, 2),
        "the newest two"
      )
      yield* expectEqual(
        yield* outbox.listByPatient(w.clinicId, w.patientId, { limit: 0 }),
        [],
        "a limit of zero"
      )
      yield* expectEqual(
        yield* outbox.listByPatient(elsewhere.clinicId, w.patientId, { limit: 10 }),
        [foreign] as ReadonlyArray<Notification>,
        "the same patient id in another clinic: only that clinic's"
      )
      yield* expectEqual(
        yield* outbox.listByPatient(w.clinicId, PatientId.make(`patient-${yield* uuid}`), { limit: 10 }),
        [],
        "a patient without notifications"
      )
    })
  ),
  contractCase(
    "listByClinic: the clinic's notifications of every patient, newest created first, ties by id in descending code-point order; a status keeps only its own; after is exclusive; at most limit",
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const w = yield* world
      const sibling = { ...w, patientId: PatientId.make(`patient-sibling-${yield* uuid}`) }
      const elsewhere = { ...w, clinicId: ClinicId.make(`clinic-elsewhere-${yield* uuid}`) }
      const t0 = DateTime.makeUnsafe("2030-08-01T09:00:00.000Z")
      const t1 = DateTime.makeUnsafe("2030-08-02T09:00:00.000Z")
      const t2 = DateTime.makeUnsafe("2030-08-03T09:00:00.000Z")
      // Ids fixed within the case's own clinic: by code point "Z" < "a" < "é", where a
      // natural-language collation would put "Z" last.
      const id = (suffix: string) => ({ id: NotificationId.make(`notification-${suffix}`) })
      const dead = { status: "dead", attempts: 8, lastError: "550 no such user" } as const
      const [early, tieA, tieZ, tieE, late, siblings] = yield* enqueued([
        yield* notification(w, t0, { ...id("early"), status: "sent", attempts: 1, sentAt: t0 }),
        yield* notification(w, t0, { ...id("a"), createdAt: t1, ...dead }),
        yield* notification(w, t2, { ...id("Z"), createdAt: t1, channel: "sms", to: "+14165550100" }),
        yield* notification(w, t0, { ...id("é"), createdAt: t1, ...dead }),
        // Queued ahead: notBefore plays no part in the order.
        yield* notification(w, t0, { ...id("late"), createdAt: t2, status: "withdrawn" }),
        yield* notification(sibling, t0, { ...id("sibling"), createdAt: t1, ...dead })
      ])
      const [foreign] = yield* enqueued([yield* notification(elsewhere, t2, { ...id("a"), ...dead })])
      const list = (query: ClinicNotificationQuery) => outbox.listByClinic(w.clinicId, query)
      const expected = [late, tieE, siblings, tieA, tieZ, early] as ReadonlyArray<Notification>
      yield* expectEqual(yield* list({ limit: 10 }), expected, "every patient's, newest first, as enqueued")
      yield* expectEqual(yield* list({ limit: 2 }), expected.slice(0, 2), "the newest two")
      yield* expectEqual(yield* list({ limit: 0 }), [], "a limit of zero")
      yield* expectEqual(
        yield* list({ after: keyOf(siblings as Notification), limit: 10 }),
        expected.slice(3),
        "strictly after a tie's middle"
      )
      yield* expectEqual(
        yield* list({ after: keyOf(early as Notification), limit: 10 }),
        [],
        "after the oldest"
      )
      yield* expectEqual(
        ids(yield* list({ status: "dead", limit: 10 })),
        ids([tieE, siblings, tieA] as ReadonlyArray<Notification>),
        "the dead ones only"
      )
      yield* expectEqual(
        ids(yield* list({ status: "dead", after: keyOf(tieE as Notification), limit: 1 })),
        ids([siblings] as ReadonlyArray<Notification>),
        "a status and after together"
      )
      yield* expectEqual(yield* list({ status: "failed", limit: 10 }), [], "a status none is in")
      yield* expectEqual(
        yield* outbox.listByClinic(elsewhere.clinicId, { limit: 10 }),
        [foreign] as ReadonlyArray<Notification>,
        "the other clinic sees only its own, even under the same id"
      )
      yield* expectEqual(
        yield* outbox.listByClinic(ClinicId.make(`clinic-${yield* uuid}`), { limit: 10 }),
        [],
        "a clinic without notifications"
      )
    })
  ),
  contractCase(
    "paging listByClinic by the last notification of each page visits every matching notification of the clinic exactly once, newest first, in full pages",
    checkProperty(
      PagingScenario,
      (scenario) =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          const w = yield* world
          const other = ClinicId.make(`clinic-other-${yield* uuid}`)
          const patients = [w.patientId, PatientId.make(`patient-other-${yield* uuid}`)]
          const t0 = DateTime.makeUnsafe("2030-09-01T12:00:00.000Z")
          const stored: Array<Notification> = []
          for (const spec of scenario.notifications) {
            const createdAt = DateTime.addDuration(t0, Duration.minutes(spec.minute))
            stored.push(
              yield* notification(w, t0, {
                clinicId: spec.foreign ? other : w.clinicId,
                patientId: patients[spec.patient] ?? w.patientId,
                status: spec.status,
                createdAt
              })
            )
          }
          yield* outbox.enqueue(stored)
          const { pageSize, status } = scenario
          const expected = stored
            .filter((n) => n.clinicId === w.clinicId && (status === undefined || n.status === status))
            .sort(compareNewestFirst)
          const pages = yield* readAllPages(w.clinicId, { status }, pageSize, expected.length + 1)
          // Full pages but the last: the pages are the expected notifications cut every `pageSize`.
          yield* expectEqual(
            pages.map(ids),
            Arr.chunksOf(expected, pageSize).map(ids),
            `pages of ${pageSize}`
          )
          yield* expectEqual(pages.flat(), expected, "the notifications read back exactly as enqueued")
        }),
      { runs: 40, size: 30 }
    )
  )
]
