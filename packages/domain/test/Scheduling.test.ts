/**
 * Scheduling through the service: availability is schedule − booked − blocked − past
 * (property 2), one slot is taken once under concurrency (property 3), the 24 h change window
 * (property 4), patients reach only their own appointments (property 1), reminders follow the
 * visit, every change is one unit of work (property 10) and every read and write is audited.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Deferred, Duration, Effect, Exit, Layer, Ref, Result, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { Appointment, AppointmentStatus, BlockedPeriod, isActive, WeeklyHours } from "../src/Appointment.ts"
import { AppointmentEvents } from "../src/AppointmentEvents.ts"
import { AppointmentRepo, AppointmentRepoMemory } from "../src/AppointmentRepo.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { AppointmentId, AppointmentTypeId, BlockedPeriodId, NotificationId } from "../src/Ids.ts"
import { Notification, NotificationPayload } from "../src/Notification.ts"
import { render } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { ScheduleRepo } from "../src/ScheduleRepo.ts"
import { reminderGroupKey, Scheduling, schedulingDefaults } from "../src/Scheduling.ts"
import { PatientPrincipal } from "../src/Session.ts"
import * as Testing from "../src/testing/index.ts"
import {
  at,
  bookTypeId,
  clinicId,
  everyMorning,
  foreignProviderId,
  foreignStaff,
  foreignTypeId,
  longTypeId,
  makePatientNamed,
  makeType,
  modelSlotStarts,
  otherClinicId,
  otherProviderId,
  principalOf,
  providerId,
  requestTypeId,
  schedulingDomain,
  seed,
  seedPatients,
  staff,
  toWeeklyHours,
  Window
} from "./SchedulingSupport.ts"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const windowMs = Duration.toMillis(schedulingDefaults.changeWindow)

const setNow = (instant: DateTime.Utc | number) =>
  TestClock.setTime(typeof instant === "number" ? instant : instant.epochMilliseconds)

const scheduling = Scheduling

const activeAppointments = Effect.gen(function* () {
  const state = yield* TxRef.get((yield* AppointmentRepoMemory).state)
  return [...state.values()].filter(isActive)
})

const allAppointments = Effect.gen(function* () {
  return [...(yield* TxRef.get((yield* AppointmentRepoMemory).state)).values()]
})

const outbox = Effect.flatMap(Outbox, (o) => o.all)
const auditEvents = Effect.flatMap(AuditLog, (log) => log.all)

/** The email copy of each notification (every fixture patient gets email and SMS). */
const emails = (notes: ReadonlyArray<Notification>) => notes.filter((n) => n.channel === "email")

const ms = (instant: DateTime.Utc) => instant.epochMilliseconds

const assertTag = (error: { readonly _tag: string }, tag: string) => assert.strictEqual(error._tag, tag)

/** Tuesday 2026-01-20, 09:00 in Toronto. */
const visit = at("2026-01-20T14:00:00Z")

describe("Scheduling availability (property 2)", () => {
  it.effect.prop(
    "availability ∪ booked ∪ blocked ∪ past is the schedule, exactly, for random hours, bookings and blocks",
    {
      windows: Schema.Array(Window).check(Schema.isMaxLength(4)),
      durationSteps: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 24 })),
      week: Schema.Literals(["2026-03-05", "2026-10-29", "2026-01-08", "2026-06-18"]),
      nowMinutes: Schema.Int.check(Schema.isBetween({ minimum: -1440, maximum: 8 * 1440 })),
      appointments: Schema.Array(
        Schema.Struct({
          startMinutes: Schema.Int.check(Schema.isBetween({ minimum: -300, maximum: 7 * 1440 })),
          lengthMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 240 })),
          status: AppointmentStatus,
          otherProvider: Schema.Boolean
        })
      ).check(Schema.isMaxLength(10)),
      blocks: Schema.Array(
        Schema.Struct({
          startMinutes: Schema.Int.check(Schema.isBetween({ minimum: -600, maximum: 7 * 1440 })),
          lengthMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 720 })),
          otherProvider: Schema.Boolean
        })
      ).check(Schema.isMaxLength(4))
    },
    ({ windows, durationSteps, week, nowMinutes, appointments, blocks }) =>
      Effect.gen(function* () {
        const hours = toWeeklyHours(windows)
        const durationMinutes = durationSteps * 5
        const { ada } = yield* seed({ hours })
        const typeId = AppointmentTypeId.make("type-random")
        const schedule = yield* ScheduleRepo
        const repo = yield* AppointmentRepo
        yield* schedule.saveType(makeType(typeId, durationMinutes, "book"))
        const from = at(`${week}T00:00:00Z`)
        const to = DateTime.add(from, { days: 7 })
        for (const [i, a] of appointments.entries()) {
          const start = DateTime.add(from, { minutes: a.startMinutes })
          // An overlapping active one is refused by the repository, as it would be in real life.
          yield* Effect.exit(
            repo.save(
              new Appointment({
                id: AppointmentId.make(`appointment-${i}`),
                clinicId,
                patientId: ada.id,
                providerId: a.otherProvider ? otherProviderId : providerId,
                typeId: bookTypeId,
                mode: "in-person",
                start,
                end: DateTime.add(start, { minutes: a.lengthMinutes }),
                status: a.status,
                createdAt: from,
                updatedAt: from
              })
            )
          )
        }
        const blocked = blocks.map((b, i) => {
          const start = DateTime.add(from, { minutes: b.startMinutes })
          return new BlockedPeriod({
            id: BlockedPeriodId.make(`blocked-${i}`),
            providerId: b.otherProvider ? otherProviderId : providerId,
            start,
            end: DateTime.add(start, { minutes: b.lengthMinutes })
          })
        })
        yield* Effect.forEach(blocked, (b) => schedule.saveBlocked(b))
        const now = DateTime.add(from, { minutes: nowMinutes })
        yield* setNow(now)

        const offered = yield* (yield* scheduling).availability(
          principalOf(ada),
          providerId,
          typeId,
          from,
          to
        )

        const length = durationMinutes * 60_000
        const scheduleStarts = modelSlotStarts("America/Toronto", hours, durationMinutes, from, to)
        const hits = (t: number, x: { readonly start: DateTime.Utc; readonly end: DateTime.Utc }) =>
          ms(x.start) < t + length && t < ms(x.end)
        const booked = (yield* activeAppointments).filter((a) => a.providerId === providerId)
        const mine = blocked.filter((b) => b.providerId === providerId)
        const isBooked = (t: number) => booked.some((a) => hits(t, a))
        const isBlocked = (t: number) => mine.some((b) => hits(t, b))
        const isPast = (t: number) => t < ms(now)
        const offeredStarts = offered.map((s) => ms(s.start))

        // Never booked, blocked, past or outside the hours …
        for (const t of offeredStarts) {
          assert.isFalse(isBooked(t), `offered a booked slot at ${t}`)
          assert.isFalse(isBlocked(t), `offered a blocked slot at ${t}`)
          assert.isFalse(isPast(t), `offered a past slot at ${t}`)
          assert.isTrue(scheduleStarts.includes(t), `offered a slot outside the hours at ${t}`)
        }
        // … and every slot of the schedule is offered unless it is one of those.
        assert.deepStrictEqual(
          offeredStarts,
          scheduleStarts.filter((t) => !isBooked(t) && !isBlocked(t) && !isPast(t))
        )
        for (const s of offered) assert.strictEqual(ms(s.end) - ms(s.start), length)
      }).pipe(Effect.provide(schedulingDomain())),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )

  it.effect(
    "a week across the spring change: 09:00–12:00 Toronto is 14–17Z until Saturday, 13–16Z from Sunday",
    () =>
      Effect.gen(function* () {
        const { ada } = yield* seed({ hours: everyMorning })
        yield* setNow(at("2026-03-01T00:00:00Z"))
        const slots = yield* (yield* scheduling).availability(
          principalOf(ada),
          providerId,
          longTypeId,
          at("2026-03-06T00:00:00Z"),
          at("2026-03-10T00:00:00Z")
        )
        assert.deepStrictEqual(
          slots.map((s) => DateTime.formatIso(s.start)),
          [
            "2026-03-06T14:00:00.000Z",
            "2026-03-06T15:00:00.000Z",
            "2026-03-06T16:00:00.000Z",
            "2026-03-07T14:00:00.000Z",
            "2026-03-07T15:00:00.000Z",
            "2026-03-07T16:00:00.000Z",
            "2026-03-08T13:00:00.000Z",
            "2026-03-08T14:00:00.000Z",
            "2026-03-08T15:00:00.000Z",
            "2026-03-09T13:00:00.000Z",
            "2026-03-09T14:00:00.000Z",
            "2026-03-09T15:00:00.000Z"
          ]
        )
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("a week across the fall change: 13–16Z until Saturday 2026-10-31, 14–17Z from Sunday", () =>
    Effect.gen(function* () {
      const { ada } = yield* seed({ hours: everyMorning })
      yield* setNow(at("2026-10-01T00:00:00Z"))
      const slots = yield* (yield* scheduling).availability(
        principalOf(ada),
        providerId,
        longTypeId,
        at("2026-10-31T00:00:00Z"),
        at("2026-11-02T00:00:00Z")
      )
      assert.deepStrictEqual(
        slots.map((s) => DateTime.formatIso(s.start)),
        [
          "2026-10-31T13:00:00.000Z",
          "2026-10-31T14:00:00.000Z",
          "2026-10-31T15:00:00.000Z",
          "2026-11-01T14:00:00.000Z",
          "2026-11-01T15:00:00.000Z",
          "2026-11-01T16:00:00.000Z"
        ]
      )
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("the range must be non-empty and at most 62 days", () =>
    Effect.gen(function* () {
      const { ada } = yield* seed()
      const svc = yield* scheduling
      const ask = (from: DateTime.Utc, to: DateTime.Utc) =>
        svc.availability(principalOf(ada), providerId, bookTypeId, from, to)
      const from = at("2026-01-01T00:00:00Z")
      for (const to of [from, DateTime.subtract(from, { milliseconds: 1 })]) {
        const error = yield* Effect.flip(ask(from, to))
        assertTag(error, "AvailabilityRangeInvalid")
        assert.strictEqual(error._tag === "AvailabilityRangeInvalid" && error.reason, "empty")
      }
      const ok = yield* ask(from, DateTime.add(from, { days: 62 }))
      assert.strictEqual(ok.length, 62 * 6)
      const tooLong = yield* Effect.flip(ask(from, DateTime.add(from, { days: 62, milliseconds: 1 })))
      assertTag(tooLong, "AvailabilityRangeInvalid")
      assert.strictEqual(tooLong._tag === "AvailabilityRangeInvalid" && tooLong.reason, "too-long")
      assert.strictEqual(tooLong.message, "Ask for at most 62 days of availability at a time.")
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("staff and patients see their own clinic's availability; another clinic's answers NotFound", () =>
    Effect.gen(function* () {
      const { ada } = yield* seed()
      const svc = yield* scheduling
      const from = at("2026-01-05T00:00:00Z")
      const to = at("2026-01-06T00:00:00Z")
      const asPatient = yield* svc.availability(principalOf(ada), providerId, bookTypeId, from, to)
      const asStaff = yield* svc.availability(staff, providerId, bookTypeId, from, to)
      assert.strictEqual(asPatient.length, 6)
      assert.deepStrictEqual(asStaff, asPatient)
      const foreignProvider = yield* Effect.flip(
        svc.availability(principalOf(ada), foreignProviderId, bookTypeId, from, to)
      )
      assert.deepStrictEqual(
        [foreignProvider._tag, foreignProvider._tag === "NotFound" && foreignProvider.kind],
        ["NotFound", "provider"]
      )
      const foreignType = yield* Effect.flip(
        svc.availability(principalOf(ada), providerId, foreignTypeId, from, to)
      )
      assert.deepStrictEqual(
        [foreignType._tag, foreignType._tag === "NotFound" && foreignType.kind],
        ["NotFound", "appointment-type"]
      )
      const otherStaff = yield* Effect.flip(svc.availability(foreignStaff, providerId, bookTypeId, from, to))
      assertTag(otherStaff, "NotFound")
      // Reading availability touches no patient data: nothing is audited.
      assert.strictEqual((yield* auditEvents).length, 0)
    }).pipe(Effect.provide(schedulingDomain()))
  )
})

describe("Scheduling requests and bookings", () => {
  it.effect(
    "a bookable type is booked at once; a request-only type is requested until staff confirm it",
    () =>
      Effect.gen(function* () {
        const { ada, adaP } = yield* seed()
        const svc = yield* scheduling
        yield* setNow(visit.epochMilliseconds - 10 * DAY)
        const booked = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
        assert.strictEqual(booked.status, "booked")
        assert.strictEqual(ms(booked.end), ms(visit) + 30 * 60_000)
        assert.strictEqual(booked.mode, "in-person")
        const later = DateTime.add(visit, { hours: 1 })
        const requested = yield* svc.request(adaP, { providerId, typeId: requestTypeId, start: later })
        assert.strictEqual(requested.status, "requested")
        assert.strictEqual(requested.mode, "virtual")
        assert.deepStrictEqual(
          emails(yield* outbox).map((n) => [n.template, n.payload.path]),
          [
            ["appointment-booked", `/appointments/${booked.id}`],
            ["appointment-reminder", `/appointments/${booked.id}`],
            ["appointment-reminder", `/appointments/${booked.id}`],
            ["appointment-requested", `/appointments/${requested.id}`]
          ]
        )
        // A request holds its slot.
        const open = yield* svc.availability(
          adaP,
          providerId,
          bookTypeId,
          visit,
          DateTime.add(visit, { hours: 3 })
        )
        assert.deepStrictEqual(
          open.map((s) => DateTime.formatIso(s.start)),
          [
            "2026-01-20T14:30:00.000Z",
            "2026-01-20T15:30:00.000Z",
            "2026-01-20T16:00:00.000Z",
            "2026-01-20T16:30:00.000Z"
          ]
        )
        const confirmed = yield* svc.confirm(staff, requested.id)
        assert.strictEqual(confirmed.status, "booked")
        assert.deepStrictEqual(
          emails(yield* outbox)
            .slice(4)
            .map((n) => [n.template, ms(n.notBefore)]),
          [
            ["appointment-booked", ms(visit) - 10 * DAY],
            ["appointment-reminder", ms(later) - 48 * HOUR],
            ["appointment-reminder", ms(later) - 2 * HOUR]
          ]
        )
        assertTag(yield* Effect.flip(svc.confirm(staff, requested.id)), "AppointmentNotChangeable")
        assert.strictEqual(ada.id, booked.patientId)
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "a start that is not an open slot right now is refused with SlotUnavailable; nothing is written but its failure event",
    () =>
      Effect.gen(function* () {
        const { adaP, graceP } = yield* seed()
        const svc = yield* scheduling
        yield* setNow(visit.epochMilliseconds - 10 * DAY)
        yield* svc.request(graceP, { providerId, typeId: bookTypeId, start: visit })
        yield* (yield* ScheduleRepo).saveBlocked(
          new BlockedPeriod({
            id: BlockedPeriodId.make("lunch"),
            providerId,
            start: DateTime.add(visit, { hours: 2 }),
            end: DateTime.add(visit, { hours: 3 })
          })
        )
        const before = [(yield* allAppointments).length, (yield* outbox).length, (yield* auditEvents).length]
        const refused = [
          visit, // taken by Grace
          DateTime.add(visit, { minutes: 15 }), // overlaps Grace's, and off the slot grid
          DateTime.add(visit, { minutes: 1 }), // off the grid
          DateTime.add(visit, { hours: 2, minutes: 30 }), // blocked
          DateTime.add(visit, { hours: 3 }), // 12:00, after the hours
          DateTime.add(visit, { hours: -1 }), // 08:00, before the hours
          DateTime.add(visit, { days: -11 }) // in the past
        ]
        for (const start of refused) {
          const error = yield* Effect.flip(svc.request(adaP, { providerId, typeId: bookTypeId, start }))
          assertTag(error, "SlotUnavailable")
          assert.strictEqual(
            error.message,
            "That time is not open for booking. Choose a time from the provider's current availability."
          )
        }
        assert.deepStrictEqual([(yield* allAppointments).length, (yield* outbox).length], before.slice(0, 2))
        // Each refusal is audited as a failure with its reason, and nothing else is.
        assert.deepStrictEqual(
          (yield* auditEvents)
            .slice(before[2])
            .map((e) => [e.action, e.actor.id, e.patientId, e.resource, e.outcome, e.reason]),
          refused.map(() => [
            "appointment.booked",
            adaP.patientId,
            adaP.patientId,
            `provider:${providerId}`,
            "failure",
            "SlotUnavailable"
          ])
        )
        // The very next open slot is fine.
        const ok = yield* svc.request(adaP, {
          providerId,
          typeId: bookTypeId,
          start: DateTime.add(visit, { minutes: 30 })
        })
        assert.strictEqual(ok.status, "booked")
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "staff book outside the hours and over a block, but never in the past nor over another booking",
    () =>
      Effect.gen(function* () {
        const { ada, grace } = yield* seed()
        const svc = yield* scheduling
        yield* setNow(visit.epochMilliseconds - 10 * DAY)
        const evening = DateTime.add(visit, { hours: 9 }) // 18:00 local
        const booked = yield* svc.book(staff, {
          patientId: ada.id,
          providerId,
          typeId: longTypeId,
          start: evening
        })
        assert.strictEqual(booked.status, "booked")
        const clash = yield* Effect.flip(
          svc.book(staff, {
            patientId: grace.id,
            providerId,
            typeId: bookTypeId,
            start: DateTime.add(evening, { minutes: 59 })
          })
        )
        assertTag(clash, "SlotTaken")
        const past = yield* Effect.flip(
          svc.book(staff, {
            patientId: grace.id,
            providerId,
            typeId: bookTypeId,
            start: at("2026-01-01T14:00:00Z")
          })
        )
        assertTag(past, "SlotUnavailable")
        const foreignPatient = yield* Effect.flip(
          svc.book(foreignStaff, {
            patientId: grace.id,
            providerId: foreignProviderId,
            typeId: foreignTypeId,
            start: visit
          })
        )
        assert.deepStrictEqual(
          [foreignPatient._tag, foreignPatient._tag === "NotFound" && foreignPatient.kind],
          ["NotFound", "patient"]
        )
        assert.strictEqual((yield* activeAppointments).length, 1)
      }).pipe(Effect.provide(schedulingDomain()))
  )
})

describe("Scheduling reschedules", () => {
  it.effect(
    "a patient moves only to an open slot (their own time counts as free); staff anywhere not past",
    () =>
      Effect.gen(function* () {
        // On Tuesdays a second window, 09:30–11:30, puts 60-minute slots on the half hour too.
        const { adaP, graceP } = yield* seed({
          hours: [...everyMorning, new WeeklyHours({ weekday: 2, start: "09:30", end: "11:30" })]
        })
        const svc = yield* scheduling
        yield* setNow(ms(visit) - 10 * DAY)
        const mine = yield* svc.request(adaP, { providerId, typeId: longTypeId, start: visit })
        yield* svc.request(graceP, { providerId, typeId: bookTypeId, start: moveTo })
        yield* (yield* ScheduleRepo).saveBlocked(
          new BlockedPeriod({
            id: BlockedPeriodId.make("meeting"),
            providerId,
            start: DateTime.add(moveTo, { hours: 2 }),
            end: DateTime.add(moveTo, { hours: 3 })
          })
        )
        const before = [yield* allAppointments, (yield* outbox).length] as const
        for (const start of [
          moveTo, // Grace's
          DateTime.add(moveTo, { hours: 2 }), // blocked
          DateTime.add(moveTo, { minutes: 20 }), // off the grid
          DateTime.add(moveTo, { hours: 5 }), // after the hours
          DateTime.add(visit, { days: -11 }) // past
        ]) {
          assertTag(yield* Effect.flip(svc.reschedule(adaP, mine.id, start)), "SlotUnavailable")
        }
        assert.deepStrictEqual([yield* allAppointments, (yield* outbox).length], [...before])
        // Half an hour later overlaps only the appointment being moved: allowed.
        const later = yield* svc.reschedule(adaP, mine.id, DateTime.add(visit, { minutes: 30 }))
        assert.deepStrictEqual(
          [ms(later.start), ms(later.end)],
          [ms(visit) + HOUR / 2, ms(visit) + (3 * HOUR) / 2]
        )
        // Staff may move it outside the hours, but not into the past nor onto Grace.
        const evening = yield* svc.reschedule(staff, mine.id, DateTime.add(visit, { hours: 9 }))
        assert.strictEqual(ms(evening.start), ms(visit) + 9 * HOUR)
        assertTag(
          yield* Effect.flip(svc.reschedule(staff, mine.id, DateTime.add(visit, { days: -11 }))),
          "SlotUnavailable"
        )
        assertTag(
          yield* Effect.flip(svc.reschedule(staff, mine.id, DateTime.add(moveTo, { minutes: -59 }))),
          "SlotTaken"
        )
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("a moved request stays a request: a notice, and no reminders until staff confirm it", () =>
    Effect.gen(function* () {
      const { adaP } = yield* seed()
      const svc = yield* scheduling
      yield* setNow(ms(visit) - 10 * DAY)
      const requested = yield* svc.request(adaP, { providerId, typeId: requestTypeId, start: visit })
      const moved = yield* svc.reschedule(adaP, requested.id, moveTo)
      assert.strictEqual(moved.status, "requested")
      assert.deepStrictEqual(
        emails(yield* outbox).map((n) => n.template),
        ["appointment-requested", "appointment-rescheduled"]
      )
    }).pipe(Effect.provide(schedulingDomain()))
  )
})

/**
 * Holds every call of `listActiveByProvider` (the availability check) until `n` callers have
 * made it, so that all `n` requests have passed the check before any of them writes.
 */
const barrier = (n: number) =>
  Layer.effect(
    AppointmentRepo,
    Effect.gen(function* () {
      const inner = yield* AppointmentRepo
      const arrived = yield* Ref.make(0)
      const open = yield* Deferred.make<void>()
      const arrive = Effect.gen(function* () {
        if ((yield* Ref.updateAndGet(arrived, (k) => k + 1)) >= n) yield* Deferred.succeed(open, undefined)
        yield* Deferred.await(open)
      })
      return AppointmentRepo.of({
        ...inner,
        listActiveByProvider: (provider, from, to) =>
          Effect.andThen(arrive, inner.listActiveByProvider(provider, from, to))
      })
    })
  )

const N = Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 40 }))

/** Tuesday 2026-01-06, 09:00 Toronto; the clock stands on Monday. */
const slot = at("2026-01-06T14:00:00Z")
const monday = at("2026-01-05T12:00:00Z")

describe("Scheduling under concurrency (property 3)", () => {
  it.effect.prop(
    "N requests for one slot that all passed the availability check: one is booked, N − 1 get SlotTaken",
    { n: N },
    ({ n }) =>
      Effect.gen(function* () {
        yield* seed()
        const patients = yield* seedPatients(n)
        yield* setNow(monday)
        const svc = yield* scheduling
        const results = yield* Effect.all(
          patients.map((p) =>
            Effect.result(svc.request(principalOf(p), { providerId, typeId: bookTypeId, start: slot }))
          ),
          { concurrency: "unbounded" }
        )
        const wins = results.filter(Result.isSuccess)
        assert.strictEqual(wins.length, 1)
        assert.deepStrictEqual(
          results.filter(Result.isFailure).map((r) => r.failure._tag),
          Array.from({ length: n - 1 }, () => "SlotTaken")
        )
        const active = yield* activeAppointments
        assert.deepStrictEqual(
          active.map((a) => a.id),
          [wins[0]?.success.id]
        )
        assert.strictEqual(ms(active[0]?.start ?? monday), ms(slot))
        // One booking's worth of notifications and one success event, not N; each loser's refusal is audited.
        assert.strictEqual(emails(yield* outbox).filter((x) => x.template === "appointment-booked").length, 1)
        const booked = (yield* auditEvents).filter((e) => e.action === "appointment.booked")
        assert.deepStrictEqual(
          booked.filter((e) => e.outcome === "success").map((e) => e.resource),
          [`appointment:${wins[0]?.success.id}`]
        )
        assert.deepStrictEqual(
          booked
            .filter((e) => e.outcome === "failure")
            .map((e) => [e.reason, e.resource])
            .sort(),
          Array.from({ length: n - 1 }, () => ["SlotTaken", `provider:${providerId}`])
        )
        assert.deepStrictEqual(booked.map((e) => e.patientId).sort(), patients.map((p) => p.id).sort())
      }).pipe(Effect.provide(schedulingDomain({ appointmentRepo: barrier(n) }))),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect.prop(
    "N requests for one slot as they come: one is booked; a loser gets SlotTaken if it raced past the check, SlotUnavailable if the slot was already gone",
    { n: N },
    ({ n }) =>
      Effect.gen(function* () {
        yield* seed()
        const patients = yield* seedPatients(n)
        yield* setNow(monday)
        const svc = yield* scheduling
        const results = yield* Effect.all(
          patients.map((p) =>
            Effect.result(svc.request(principalOf(p), { providerId, typeId: bookTypeId, start: slot }))
          ),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Result.isSuccess).length, 1)
        for (const r of results.filter(Result.isFailure)) {
          assert.include(["SlotTaken", "SlotUnavailable"], r.failure._tag)
        }
        assert.strictEqual((yield* activeAppointments).length, 1)
        // Once the booking has committed, the slot has left availability: SlotUnavailable, exactly.
        const late = yield* Effect.flip(
          svc.request(principalOf(patients[0] ?? makePatientNamed("x")), {
            providerId,
            typeId: bookTypeId,
            start: slot
          })
        )
        assertTag(late, "SlotUnavailable")
      }).pipe(Effect.provide(schedulingDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect.prop(
    "concurrent requests for overlapping slots of a 30- and a 60-minute type: the booked ones never overlap, each refusal overlaps a booking",
    {
      picks: Schema.Array(
        Schema.Struct({
          long: Schema.Boolean,
          index: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 }))
        })
      ).check(Schema.isMinLength(2), Schema.isMaxLength(40))
    },
    ({ picks }) =>
      Effect.gen(function* () {
        yield* seed()
        const patients = yield* seedPatients(picks.length)
        yield* setNow(monday)
        const svc = yield* scheduling
        const asked = picks.map((p) =>
          p.long
            ? { typeId: longTypeId, start: DateTime.add(slot, { hours: p.index % 3 }), minutes: 60 }
            : { typeId: bookTypeId, start: DateTime.add(slot, { minutes: 30 * p.index }), minutes: 30 }
        )
        const results = yield* Effect.all(
          asked.map((a, i) =>
            Effect.result(
              svc.request(principalOf(patients[i] ?? makePatientNamed("x")), {
                providerId,
                typeId: a.typeId,
                start: a.start
              })
            )
          ),
          { concurrency: "unbounded" }
        )
        const won = results.flatMap((r) => (Result.isSuccess(r) ? [r.success] : []))
        assert.isAtLeast(won.length, 1)
        const overlap = (
          a: { start: DateTime.Utc; end: DateTime.Utc },
          b: { start: DateTime.Utc; end: DateTime.Utc }
        ) => ms(a.start) < ms(b.end) && ms(b.start) < ms(a.end)
        for (const [i, a] of won.entries()) {
          for (const b of won.slice(i + 1)) assert.isFalse(overlap(a, b), "two bookings overlap")
        }
        for (const [i, r] of results.entries()) {
          if (Result.isSuccess(r)) continue
          // Every caller passed the availability check (barrier), so a refusal is the write's.
          assertTag(r.failure, "SlotTaken")
          const mine = asked[i] as (typeof asked)[number]
          const wanted = { start: mine.start, end: DateTime.add(mine.start, { minutes: mine.minutes }) }
          assert.isTrue(
            won.some((w) => overlap(w, wanted)),
            "refused although nothing overlapping was booked"
          )
        }
        assert.deepStrictEqual(
          (yield* activeAppointments).map((a) => a.id).sort(),
          won.map((w) => w.id).sort()
        )
      }).pipe(Effect.provide(schedulingDomain({ appointmentRepo: barrier(picks.length) }))),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect.prop(
    "N staff bookings of one time (staff skip the availability check): one is booked, N − 1 get SlotTaken",
    { n: N },
    ({ n }) =>
      Effect.gen(function* () {
        yield* seed()
        const patients = yield* seedPatients(n)
        yield* setNow(monday)
        const svc = yield* scheduling
        const results = yield* Effect.all(
          patients.map((p) =>
            Effect.result(svc.book(staff, { patientId: p.id, providerId, typeId: longTypeId, start: slot }))
          ),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Result.isSuccess).length, 1)
        assert.deepStrictEqual(
          results.filter(Result.isFailure).map((r) => r.failure._tag),
          Array.from({ length: n - 1 }, () => "SlotTaken")
        )
        assert.strictEqual((yield* activeAppointments).length, 1)
      }).pipe(Effect.provide(schedulingDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )
})

/** Books Ada into `visit` ten days ahead and moves the clock to `beforeMs` before it. */
const bookedVisit = (beforeMs: number) =>
  Effect.gen(function* () {
    const { adaP } = yield* seed()
    const svc = yield* scheduling
    yield* setNow(ms(visit) - 10 * DAY)
    const booked = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
    yield* setNow(ms(visit) - beforeMs)
    return { adaP, booked, svc }
  })

/** Friday 2026-01-23, 09:00 Toronto: where the visit moves to. */
const moveTo = at("2026-01-23T14:00:00Z")

describe("Scheduling change window (property 4)", () => {
  it.effect("a patient cancels at 24 h + 1 ms before the start", () =>
    Effect.gen(function* () {
      const { adaP, booked, svc } = yield* bookedVisit(windowMs + 1)
      assert.strictEqual((yield* svc.cancel(adaP, booked.id)).status, "cancelled")
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("a patient reschedules at 24 h + 1 ms before the start", () =>
    Effect.gen(function* () {
      const { adaP, booked, svc } = yield* bookedVisit(windowMs + 1)
      const moved = yield* svc.reschedule(adaP, booked.id, moveTo)
      assert.deepStrictEqual([ms(moved.start), moved.status], [ms(moveTo), "booked"])
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "at exactly 24 h before the start both are refused with ChangeWindowClosed; nothing changes but the audited refusals",
    () =>
      Effect.gen(function* () {
        const { adaP, booked, svc } = yield* bookedVisit(windowMs)
        const before = [yield* allAppointments, (yield* outbox).length, (yield* auditEvents).length] as const
        for (const attempt of [svc.cancel(adaP, booked.id), svc.reschedule(adaP, booked.id, moveTo)]) {
          const error = yield* Effect.flip(attempt)
          assertTag(error, "ChangeWindowClosed")
          if (error._tag !== "ChangeWindowClosed") continue
          assert.deepStrictEqual([ms(error.startsAt), error.windowMinutes], [ms(visit), 24 * 60])
          assert.strictEqual(
            error.message,
            "Appointments can be changed or cancelled online until 24 hours before they start. Please call the clinic to change or cancel this one."
          )
        }
        assert.deepStrictEqual([yield* allAppointments, (yield* outbox).length], [before[0], before[1]])
        assert.deepStrictEqual(
          (yield* auditEvents)
            .slice(before[2])
            .map((e) => [e.action, e.actor.kind, e.resource, e.outcome, e.reason]),
          [
            ["appointment.cancelled", "patient", `appointment:${booked.id}`, "failure", "ChangeWindowClosed"],
            [
              "appointment.rescheduled",
              "patient",
              `appointment:${booked.id}`,
              "failure",
              "ChangeWindowClosed"
            ]
          ]
        )
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect.prop(
    "a patient may change or cancel iff more than 24 h remain; staff always may",
    {
      beforeMs: Schema.Int.check(Schema.isBetween({ minimum: -2 * DAY, maximum: 10 * DAY - 1 })),
      op: Schema.Literals(["cancel", "reschedule"]),
      byStaff: Schema.Boolean
    },
    ({ beforeMs, op, byStaff }) =>
      Effect.gen(function* () {
        const { adaP, booked, svc } = yield* bookedVisit(beforeMs)
        const caller = byStaff ? staff : adaP
        const attempt =
          op === "cancel" ? svc.cancel(caller, booked.id) : svc.reschedule(caller, booked.id, moveTo)
        const result = yield* Effect.result(attempt)
        if (byStaff || beforeMs > windowMs) {
          assert.isTrue(Result.isSuccess(result), `refused ${beforeMs} ms before the start`)
          if (Result.isSuccess(result)) {
            assert.strictEqual(result.success.status, op === "cancel" ? "cancelled" : "booked")
          }
        } else {
          assert.isTrue(Result.isFailure(result) && result.failure._tag === "ChangeWindowClosed")
        }
      }).pipe(Effect.provide(schedulingDomain())),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )

  it.effect("the window is a policy value: with 48 h, 48 h + 1 ms is allowed and 48 h refused", () =>
    Effect.gen(function* () {
      const { adaP, booked, svc } = yield* bookedVisit(48 * HOUR)
      const error = yield* Effect.flip(svc.cancel(adaP, booked.id))
      assertTag(error, "ChangeWindowClosed")
      assert.include(error.message, "until 48 hours before")
      yield* setNow(ms(visit) - 48 * HOUR - 1)
      assert.strictEqual((yield* svc.cancel(adaP, booked.id)).status, "cancelled")
    }).pipe(Effect.provide(schedulingDomain({ policy: { changeWindow: Duration.hours(48) } })))
  )

  it.effect("a cancelled or completed appointment cannot be changed again", () =>
    Effect.gen(function* () {
      const { adaP, booked, svc } = yield* bookedVisit(5 * DAY)
      yield* svc.cancel(adaP, booked.id)
      for (const attempt of [
        svc.cancel(adaP, booked.id),
        svc.reschedule(adaP, booked.id, moveTo),
        svc.cancel(staff, booked.id),
        svc.complete(staff, booked.id)
      ]) {
        const error = yield* Effect.flip(attempt)
        assertTag(error, "AppointmentNotChangeable")
      }
    }).pipe(Effect.provide(schedulingDomain()))
  )
})

describe("Scheduling isolation (property 1, appointments)", () => {
  it.effect.prop(
    "patient A never reads, moves or cancels B's appointments, and A's lists hold only A's",
    {
      a: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 9 })),
      b: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 9 })),
      aSlots: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 }))).check(
        Schema.isMaxLength(3)
      ),
      bSlots: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 }))).check(
        Schema.isMinLength(1),
        Schema.isMaxLength(3)
      )
    },
    ({ a, b, aSlots, bSlots }) =>
      Effect.gen(function* () {
        if (a === b) return
        yield* seed()
        const patients = yield* seedPatients(10)
        const pa = principalOf(patients[a] ?? makePatientNamed("x"))
        const pb = principalOf(patients[b] ?? makePatientNamed("y"))
        const svc = yield* scheduling
        yield* setNow(monday)
        const book = (p: PatientPrincipal, days: ReadonlyArray<number>) =>
          Effect.forEach([...new Set(days)], (d) =>
            Effect.result(
              svc.request(p, {
                providerId,
                typeId: bookTypeId,
                start: DateTime.add(slot, { days: d + (p === pa ? 0 : 7) })
              })
            )
          ).pipe(Effect.map((rs) => rs.flatMap((r) => (Result.isSuccess(r) ? [r.success] : []))))
        const mine = yield* book(pa, aSlots)
        const theirs = yield* book(pb, bSlots)
        assert.strictEqual(theirs.length, new Set(bSlots).size)
        const snapshot = yield* allAppointments
        // B's patient id in another clinic's session: the clinic must match too.
        const elsewhere = new PatientPrincipal({ ...pb, clinicId: otherClinicId })
        const missing = AppointmentId.make("no-such-appointment")
        const missingError = yield* Effect.flip(svc.get(pa, missing))
        for (const t of theirs) {
          for (const caller of [pa, elsewhere]) {
            for (const attempt of [
              svc.get(caller, t.id),
              svc.cancel(caller, t.id),
              svc.reschedule(caller, t.id, DateTime.add(slot, { days: 20 }))
            ]) {
              const error = yield* Effect.flip(attempt)
              assert.deepStrictEqual(
                [error._tag, error._tag === "NotFound" && error.kind, error.message],
                ["NotFound", "appointment", missingError.message]
              )
            }
          }
          const byForeignStaff: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
            svc.cancel(foreignStaff, t.id),
            svc.complete(foreignStaff, t.id),
            svc.confirm(foreignStaff, t.id),
            svc.reschedule(foreignStaff, t.id, DateTime.add(slot, { days: 20 }))
          ]
          for (const attempt of byForeignStaff) assertTag(yield* Effect.flip(attempt), "NotFound")
        }
        assert.deepStrictEqual(yield* allAppointments, snapshot)
        const listed = [...(yield* svc.listUpcoming(pa)), ...(yield* svc.listPast(pa))]
        assert.deepStrictEqual(listed.map((x) => x.id).sort(), mine.map((x) => x.id).sort())
        assert.deepStrictEqual(
          [...(yield* svc.listUpcoming(elsewhere)), ...(yield* svc.listPast(elsewhere))],
          []
        )
      }).pipe(Effect.provide(schedulingDomain())),
    { timeout: 60_000, arbitrary: { runs: 25 } }
  )

  it.effect("upcoming holds what has not ended (soonest first), past what has (latest first)", () =>
    Effect.gen(function* () {
      const { adaP, graceP } = yield* seed()
      const svc = yield* scheduling
      yield* setNow(monday)
      const first = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: slot })
      const second = yield* svc.request(adaP, {
        providerId,
        typeId: requestTypeId,
        start: DateTime.add(slot, { days: 1 })
      })
      const third = yield* svc.request(adaP, {
        providerId,
        typeId: bookTypeId,
        start: DateTime.add(slot, { days: 2 })
      })
      yield* svc.cancel(adaP, third.id)
      yield* svc.request(graceP, { providerId, typeId: bookTypeId, start: DateTime.add(slot, { hours: 1 }) })
      const idsOf = (xs: ReadonlyArray<Appointment>) => xs.map((x) => x.id)
      assert.deepStrictEqual(idsOf(yield* svc.listUpcoming(adaP)), [first.id, second.id, third.id])
      assert.deepStrictEqual(idsOf(yield* svc.listPast(adaP)), [])
      // The first ends at 14:30Z on Tuesday: at that instant it is past.
      yield* setNow(ms(first.end) - 1)
      assert.deepStrictEqual(idsOf(yield* svc.listUpcoming(adaP)), [first.id, second.id, third.id])
      yield* setNow(first.end)
      assert.deepStrictEqual(idsOf(yield* svc.listUpcoming(adaP)), [second.id, third.id])
      yield* setNow(DateTime.add(slot, { days: 5 }))
      assert.deepStrictEqual(idsOf(yield* svc.listPast(adaP)), [third.id, second.id, first.id])
      assert.deepStrictEqual((yield* svc.get(adaP, second.id)).status, "requested")
    }).pipe(Effect.provide(schedulingDomain()))
  )
})

describe("Scheduling reminders and notices", () => {
  it.effect(
    "booking queues the notice now and reminders 48 h and 2 h before, grouped, with only a time and a link",
    () =>
      Effect.gen(function* () {
        const { adaP } = yield* seed()
        const svc = yield* scheduling
        const now = ms(visit) - 10 * DAY
        yield* setNow(now)
        const booked = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
        const notes = yield* outbox
        assert.deepStrictEqual(
          notes.map((n) => [n.channel, n.template, ms(n.notBefore), n.groupKey ?? null, n.status]),
          [
            ["email", "appointment-booked", now, null, "pending"],
            ["sms", "appointment-booked", now, null, "pending"],
            ["email", "appointment-reminder", ms(visit) - 48 * HOUR, reminderGroupKey(booked.id), "pending"],
            ["sms", "appointment-reminder", ms(visit) - 48 * HOUR, reminderGroupKey(booked.id), "pending"],
            ["email", "appointment-reminder", ms(visit) - 2 * HOUR, reminderGroupKey(booked.id), "pending"],
            ["sms", "appointment-reminder", ms(visit) - 2 * HOUR, reminderGroupKey(booked.id), "pending"]
          ]
        )
        assert.strictEqual(reminderGroupKey(booked.id), `appointment:${booked.id}:reminders`)
        for (const n of notes) {
          assert.deepStrictEqual(Object.keys(n.payload).sort(), ["endsAt", "path", "startsAt"])
          assert.deepStrictEqual(
            [ms(n.payload.startsAt ?? monday), ms(n.payload.endsAt ?? monday), n.payload.path],
            [ms(visit), ms(booked.end), `/appointments/${booked.id}`]
          )
          assert.strictEqual(ms(booked.end) - ms(visit), 30 * 60_000)
        }
        assert.strictEqual(new Set(notes.map((n) => n.idempotencyKey)).size, notes.length)
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("a reminder whose time has passed is skipped; one due exactly now is queued", () =>
    Effect.gen(function* () {
      const { adaP } = yield* seed()
      const svc = yield* scheduling
      yield* setNow(ms(visit) - 30 * HOUR)
      yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
      assert.deepStrictEqual(
        emails(yield* outbox)
          .filter((n) => n.template === "appointment-reminder")
          .map((n) => ms(n.notBefore)),
        [ms(visit) - 2 * HOUR]
      )
      const later = DateTime.add(visit, { days: 1 })
      yield* setNow(ms(later) - 48 * HOUR)
      yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: later })
      assert.deepStrictEqual(
        emails(yield* outbox)
          .filter(
            (n) =>
              n.template === "appointment-reminder" &&
              n.payload.startsAt &&
              ms(n.payload.startsAt) === ms(later)
          )
          .map((n) => ms(n.notBefore)),
        [ms(later) - 48 * HOUR, ms(later) - 2 * HOUR]
      )
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "a reschedule withdraws the reminders, sends a notice and queues new ones; twice, with no key reused",
    () =>
      Effect.gen(function* () {
        const { adaP, booked, svc } = yield* bookedVisit(10 * DAY)
        const moved = yield* svc.reschedule(adaP, booked.id, moveTo)
        const third = DateTime.add(moveTo, { minutes: 30 })
        // The clock has not moved: a key built on the time alone would collide.
        yield* svc.reschedule(adaP, booked.id, third)
        const notes = emails(yield* outbox)
        assert.deepStrictEqual(
          notes.map((n) => [n.template, n.status, ms(n.notBefore), ms(n.payload.startsAt ?? monday)]),
          [
            ["appointment-booked", "pending", ms(visit) - 10 * DAY, ms(visit)],
            ["appointment-reminder", "withdrawn", ms(visit) - 48 * HOUR, ms(visit)],
            ["appointment-reminder", "withdrawn", ms(visit) - 2 * HOUR, ms(visit)],
            ["appointment-rescheduled", "pending", ms(visit) - 10 * DAY, ms(moveTo)],
            ["appointment-reminder", "withdrawn", ms(moveTo) - 48 * HOUR, ms(moveTo)],
            ["appointment-reminder", "withdrawn", ms(moveTo) - 2 * HOUR, ms(moveTo)],
            ["appointment-rescheduled", "pending", ms(visit) - 10 * DAY, ms(third)],
            ["appointment-reminder", "pending", ms(third) - 48 * HOUR, ms(third)],
            ["appointment-reminder", "pending", ms(third) - 2 * HOUR, ms(third)]
          ]
        )
        const all = yield* outbox
        assert.strictEqual(new Set(all.map((n) => n.idempotencyKey)).size, all.length)
        assert.strictEqual(ms(moved.end), ms(moveTo) + 30 * 60_000)
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("a cancel withdraws the reminders and sends a notice; a completion withdraws them silently", () =>
    Effect.gen(function* () {
      const { adaP, booked, svc } = yield* bookedVisit(10 * DAY)
      yield* svc.cancel(adaP, booked.id)
      assert.deepStrictEqual(
        emails(yield* outbox).map((n) => [n.template, n.status]),
        [
          ["appointment-booked", "pending"],
          ["appointment-reminder", "withdrawn"],
          ["appointment-reminder", "withdrawn"],
          ["appointment-cancelled", "pending"]
        ]
      )
      const other = yield* svc.book(staff, {
        patientId: adaP.patientId,
        providerId,
        typeId: bookTypeId,
        start: moveTo
      })
      yield* svc.complete(staff, other.id)
      assert.deepStrictEqual(
        emails(yield* outbox)
          .slice(4)
          .map((n) => [n.template, n.status]),
        [
          ["appointment-booked", "pending"],
          ["appointment-reminder", "withdrawn"],
          ["appointment-reminder", "withdrawn"]
        ]
      )
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("reminders render the visit's local time in the clinic's zone, in summer and in winter", () =>
    Effect.gen(function* () {
      const { adaP } = yield* seed()
      const svc = yield* scheduling
      const summer = at("2026-07-07T13:00:00Z") // 09:00 EDT
      const winter = at("2026-01-06T14:00:00Z") // 09:00 EST
      yield* setNow(at("2026-01-01T00:00:00Z"))
      yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: winter })
      yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: summer })
      const reminders = emails(yield* outbox).filter((n) => n.template === "appointment-reminder")
      const clinic = Testing.makeClinic()
      const texts = reminders.map((n) => render(n, clinic).text)
      assert.strictEqual(texts.length, 4)
      for (const text of texts.slice(0, 2)) assert.include(text, "Tuesday, January 6, 2026 at 9:00 a.m.")
      for (const text of texts.slice(2)) assert.include(text, "Tuesday, July 7, 2026 at 9:00 a.m.")
      for (const text of texts) {
        assert.notInclude(text, "Dr. Chen")
        assert.notInclude(text, "Sensitive visit reason")
        assert.notInclude(text, "Ada")
      }
      const french = render(
        new Notification({ ...(reminders[2] as Notification), language: "fr" }),
        clinic
      ).text
      assert.include(french, "mardi 7 juillet 2026 à 09 h 00")
    }).pipe(Effect.provide(schedulingDomain()))
  )
})

/** Handlers that write to the outbox and then die, each in one of the three moments. */
const dyingEvents = (moment: "booked" | "rescheduled" | "cancelled") =>
  Layer.effect(
    AppointmentEvents,
    Effect.gen(function* () {
      const box = yield* Outbox
      const writeThenDie = (a: Appointment) =>
        Effect.andThen(
          box.enqueue([
            new Notification({
              id: NotificationId.make(`stray-${a.id}`),
              clinicId: a.clinicId,
              patientId: a.patientId,
              channel: "email",
              to: "ada@example.org",
              language: "en",
              template: "appointment-booked",
              payload: new NotificationPayload({}),
              idempotencyKey: `stray-${a.id}`,
              status: "pending",
              attempts: 0,
              notBefore: a.start,
              createdAt: a.start
            })
          ]),
          Effect.die(new Error(`the ${moment} handler failed`))
        )
      return AppointmentEvents.of({
        booked: (a) => (moment === "booked" ? writeThenDie(a) : Effect.void),
        rescheduled: (_, after) => (moment === "rescheduled" ? writeThenDie(after) : Effect.void),
        cancelled: (a) => (moment === "cancelled" ? writeThenDie(a) : Effect.void)
      })
    })
  )

describe("Scheduling changes are one unit of work (property 10)", () => {
  it.effect(
    "a booking whose event handler dies leaves no appointment, no outbox record, no audit event",
    () =>
      Effect.gen(function* () {
        const { adaP } = yield* seed()
        const svc = yield* scheduling
        yield* setNow(monday)
        const exit = yield* Effect.exit(svc.request(adaP, { providerId, typeId: bookTypeId, start: slot }))
        assert.isTrue(Exit.hasDies(exit))
        assert.deepStrictEqual(yield* allAppointments, [])
        assert.deepStrictEqual(yield* outbox, [])
        assert.deepStrictEqual(yield* auditEvents, [])
        // The slot is still open.
        const open = yield* svc.availability(
          adaP,
          providerId,
          bookTypeId,
          slot,
          DateTime.add(slot, { minutes: 30 })
        )
        assert.strictEqual(open.length, 1)
      }).pipe(Effect.provide(schedulingDomain({ events: dyingEvents("booked") })))
  )

  for (const moment of ["rescheduled", "cancelled"] as const) {
    it.effect(
      `a change whose ${moment} handler dies leaves the appointment, its reminders and the log as they were`,
      () =>
        Effect.gen(function* () {
          const { adaP, booked, svc } = yield* bookedVisit(5 * DAY)
          const before = [
            yield* allAppointments,
            yield* outbox,
            (yield* auditEvents).map((e) => e.id)
          ] as const
          const exit = yield* Effect.exit(
            moment === "cancelled" ? svc.cancel(adaP, booked.id) : svc.reschedule(adaP, booked.id, moveTo)
          )
          assert.isTrue(Exit.hasDies(exit))
          assert.deepStrictEqual(
            [yield* allAppointments, yield* outbox, (yield* auditEvents).map((e) => e.id)],
            [...before]
          )
          assert.deepStrictEqual(
            emails(yield* outbox).map((n) => n.status),
            ["pending", "pending", "pending"]
          )
        }).pipe(Effect.provide(schedulingDomain({ events: dyingEvents(moment) })))
    )
  }
})

describe("Scheduling audit", () => {
  it.effect("every read and write of an appointment is audited with its actor; the chain holds", () =>
    Effect.gen(function* () {
      const { ada, adaP } = yield* seed()
      const svc = yield* scheduling
      yield* setNow(monday)
      const a = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: slot })
      const r = yield* svc.request(adaP, {
        providerId,
        typeId: requestTypeId,
        start: DateTime.add(slot, { days: 2 })
      })
      yield* svc.availability(adaP, providerId, bookTypeId, slot, DateTime.add(slot, { days: 1 }))
      yield* svc.get(adaP, a.id)
      yield* svc.listUpcoming(adaP)
      yield* svc.listPast(adaP)
      yield* svc.reschedule(adaP, a.id, DateTime.add(slot, { minutes: 30 }))
      yield* svc.confirm(staff, r.id)
      yield* svc.complete(staff, r.id)
      yield* svc.cancel(adaP, a.id)
      const b = yield* svc.book(staff, { patientId: ada.id, providerId, typeId: bookTypeId, start: slot })
      yield* svc.reschedule(staff, b.id, DateTime.add(slot, { hours: 1 }))
      yield* svc.cancel(staff, b.id)
      const patient = `patient:${ada.id}`
      assert.deepStrictEqual(
        (yield* auditEvents).map((e) => [
          e.action,
          e.actor.kind,
          e.actor.id,
          e.patientId,
          e.resource,
          e.outcome
        ]),
        [
          ["appointment.booked", "patient", ada.id, ada.id, `appointment:${a.id}`, "success"],
          ["appointment.requested", "patient", ada.id, ada.id, `appointment:${r.id}`, "success"],
          ["appointment.read", "patient", ada.id, ada.id, `appointment:${a.id}`, "success"],
          ["appointment.listed", "patient", ada.id, ada.id, patient, "success"],
          ["appointment.listed", "patient", ada.id, ada.id, patient, "success"],
          ["appointment.rescheduled", "patient", ada.id, ada.id, `appointment:${a.id}`, "success"],
          ["appointment.confirmed", "staff", staff.staffId, ada.id, `appointment:${r.id}`, "success"],
          ["appointment.completed", "staff", staff.staffId, ada.id, `appointment:${r.id}`, "success"],
          ["appointment.cancelled", "patient", ada.id, ada.id, `appointment:${a.id}`, "success"],
          ["appointment.booked", "staff", staff.staffId, ada.id, `appointment:${b.id}`, "success"],
          ["appointment.rescheduled", "staff", staff.staffId, ada.id, `appointment:${b.id}`, "success"],
          ["appointment.cancelled", "staff", staff.staffId, ada.id, `appointment:${b.id}`, "success"]
        ]
      )
      assert.deepStrictEqual(yield* (yield* AuditLog).verify(clinicId), { _tag: "Intact", events: 12 })
    }).pipe(Effect.provide(schedulingDomain()))
  )
})
