/**
 * Scheduling for staff and operators: the clinic's appointments as staff see them (only their
 * clinic's, filtered exactly, in pages by a cursor, each page audited per patient on it),
 * refused attempts audited as failures with their reason, and the policy read from configuration.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, DateTime, Duration, Effect, Exit, Layer, Option, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import { TestClock } from "effect/testing"
import { Appointment, AppointmentStatus } from "../src/Appointment.ts"
import { AppointmentEvents } from "../src/AppointmentEvents.ts"
import { AppointmentRepo, compareByStartThenId } from "../src/AppointmentRepo.ts"
import type { AuditEvent } from "../src/AuditEvent.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { AppointmentId, MessageId, PatientId } from "../src/Ids.ts"
import * as Messaging from "../src/Messaging.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import * as Patients from "../src/Patients.ts"
import { DEFAULT_APPOINTMENT_PAGE_SIZE, MAX_APPOINTMENT_PAGE_SIZE, Scheduling } from "../src/Scheduling.ts"
import * as SchedulingPolicy from "../src/SchedulingPolicy.ts"
import * as Testing from "../src/testing/index.ts"
import {
  at,
  bookTypeId,
  clinicId,
  foreignProviderId,
  foreignStaff,
  foreignTypeId,
  makePatientNamed,
  otherClinicId,
  otherProviderId,
  providerId,
  requestTypeId,
  schedulingDomain,
  seed,
  staff
} from "./SchedulingSupport.ts"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const ms = (instant: DateTime.Utc) => instant.epochMilliseconds
const auditEvents = Effect.flatMap(AuditLog, (log) => log.all)

/** Tuesday 2026-01-20, 09:00 in Toronto. */
const visit = at("2026-01-20T14:00:00Z")
const base = at("2026-01-12T05:00:00Z")

// ---------------------------------------------------------------------------------------------
// staffAppointments
// ---------------------------------------------------------------------------------------------

const Stored = Schema.Struct({
  foreign: Schema.Boolean,
  // In slots of 90 minutes from `base`: several may share a start (ties go by id).
  slot: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 })),
  provider: Schema.Literals([0, 1]),
  patient: Schema.Literals([0, 1, 2]),
  status: AppointmentStatus
})

const Filter = Schema.Struct({
  status: Schema.optional(AppointmentStatus),
  provider: Schema.optional(Schema.Literals([0, 1])),
  patient: Schema.optional(Schema.Literals([0, 1, 2])),
  // In slots, like the stored appointments' starts.
  from: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: -1, maximum: 6 }))),
  to: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: -1, maximum: 6 }))),
  // Absent: the default page, which holds them all.
  limit: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4 })))
})

const slotAt = (i: number) => DateTime.add(base, { minutes: 90 * i })

/** The events `staffAppointments` writes for a page: one per patient on it, or one when it is empty. */
const listedEvents = (page: ReadonlyArray<Appointment>, patientId: PatientId | undefined) => {
  const readOf = [...new Set(page.map((a) => a.patientId))]
  return readOf.length > 0
    ? readOf.map((p) => [
        "appointment.listed",
        "staff",
        staff.staffId,
        clinicId,
        p,
        `patient:${p}`,
        "success"
      ])
    : [
        [
          "appointment.listed",
          "staff",
          staff.staffId,
          clinicId,
          patientId ?? null,
          patientId === undefined ? `clinic:${clinicId}` : `patient:${patientId}`,
          "success"
        ]
      ]
}

const eventFacts = (events: ReadonlyArray<AuditEvent>) =>
  events.map((e) => [e.action, e.actor.kind, e.actor.id, e.clinicId, e.patientId, e.resource, e.outcome])

/** Saves `count` booked appointments of the clinic, alternating Ada's and Grace's, 90 minutes apart. */
const storeAppointments = (count: number, patients: ReadonlyArray<PatientId>) =>
  Effect.gen(function* () {
    const repo = yield* AppointmentRepo
    const stored: Array<Appointment> = []
    for (let i = 0; i < count; i++) {
      const start = slotAt(i)
      const a = new Appointment({
        id: AppointmentId.make(`appointment-${String(i).padStart(4, "0")}`),
        clinicId,
        patientId: patients[i % patients.length] ?? PatientId.make("patient-nobody"),
        providerId,
        typeId: bookTypeId,
        mode: "in-person",
        start,
        end: DateTime.add(start, { minutes: 30 }),
        status: "booked",
        createdAt: base,
        updatedAt: base
      })
      yield* repo.save(a)
      stored.push(a)
    }
    return stored
  })

describe("Scheduling.staffAppointments", () => {
  it.effect.prop(
    "pages through exactly the staff member's clinic's appointments that match the filter, each once, by start then id, auditing each page's patients",
    { stored: Schema.Array(Stored).check(Schema.isMaxLength(10)), filter: Filter },
    ({ stored, filter }) =>
      Effect.gen(function* () {
        const { ada, grace } = yield* seed()
        const ben = makePatientNamed("ben")
        const olga = makePatientNamed("olga", otherClinicId)
        yield* (yield* PatientRepo).save(ben)
        yield* (yield* PatientRepo).save(olga)
        const own = [ada, grace, ben]
        const repo = yield* AppointmentRepo
        const made = stored.map((s, i) => {
          const start = slotAt(s.slot)
          return new Appointment({
            id: AppointmentId.make(`appointment-${i}`),
            clinicId: s.foreign ? otherClinicId : clinicId,
            patientId: s.foreign ? olga.id : (own[s.patient] ?? ada).id,
            providerId: s.foreign ? foreignProviderId : s.provider === 0 ? providerId : otherProviderId,
            typeId: s.foreign ? foreignTypeId : bookTypeId,
            mode: "in-person",
            start,
            end: DateTime.add(start, { minutes: 30 }),
            status: s.status,
            createdAt: base,
            updatedAt: base
          })
        })
        // Saved in reverse, so the answer's order is the service's doing; a clash with an active
        // appointment of the provider is refused by the repository and kept out.
        const saved: Array<Appointment> = []
        for (const a of [...made].reverse()) {
          if (Exit.isSuccess(yield* Effect.exit(repo.save(a)))) saved.push(a)
        }
        yield* TestClock.setTime(ms(base))

        const query = {
          status: filter.status,
          providerId:
            filter.provider === undefined ? undefined : [providerId, otherProviderId][filter.provider],
          patientId: filter.patient === undefined ? undefined : own[filter.patient]?.id,
          from: filter.from === undefined ? undefined : slotAt(filter.from),
          to: filter.to === undefined ? undefined : slotAt(filter.to),
          limit: filter.limit
        }
        const svc = yield* Scheduling
        const trail = (yield* auditEvents).length
        const first = yield* Effect.result(svc.staffAppointments(staff, query))

        if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
          assert.isTrue(first._tag === "Failure" && first.failure._tag === "AppointmentRangeInvalid")
          assert.strictEqual((yield* auditEvents).length, trail)
          return
        }
        if (first._tag !== "Success") return assert.fail(`refused: ${JSON.stringify(first)}`)
        const expected = saved
          .filter(
            (a) =>
              a.clinicId === clinicId &&
              (query.status === undefined || a.status === query.status) &&
              (query.providerId === undefined || a.providerId === query.providerId) &&
              (query.patientId === undefined || a.patientId === query.patientId) &&
              (query.from === undefined || ms(a.start) >= ms(query.from)) &&
              (query.to === undefined || ms(a.start) < ms(query.to))
          )
          .sort(compareByStartThenId)
        const size = filter.limit ?? DEFAULT_APPOINTMENT_PAGE_SIZE

        // Each page as a client reads it: the next with the cursor of the one before.
        const pages: Array<ReadonlyArray<Appointment>> = []
        let page = first.success
        let before = trail
        for (;;) {
          const events = (yield* auditEvents).slice(before)
          assert.deepStrictEqual(eventFacts(events), listedEvents(page.appointments, query.patientId))
          pages.push(page.appointments)
          if (page.nextCursor === null || pages.length > expected.length) break
          before = (yield* auditEvents).length
          page = yield* svc.staffAppointments(staff, { ...query, cursor: page.nextCursor })
        }
        assert.deepStrictEqual(
          pages.map((p) => p.map((a) => a.id)),
          Array.from({ length: Math.max(1, Math.ceil(expected.length / size)) }, (_, k) =>
            expected.slice(k * size, (k + 1) * size).map((a) => a.id)
          )
        )
        for (const a of pages.flat()) assert.notStrictEqual(a.patientId, olga.id)
      }).pipe(Effect.provide(schedulingDomain())),
    { timeout: 60_000, arbitrary: { runs: 80 } }
  )

  it.effect(
    "a page of 2 appointments of 2 patients writes 2 appointment.listed events, not one per appointment of the clinic",
    () =>
      Effect.gen(function* () {
        const { ada, grace } = yield* seed()
        const ben = makePatientNamed("ben")
        yield* (yield* PatientRepo).save(ben)
        const stored = yield* storeAppointments(9, [ada.id, grace.id, ben.id])
        const svc = yield* Scheduling
        const trail = (yield* auditEvents).length
        const page = yield* svc.staffAppointments(staff, { limit: 2 })
        assert.deepStrictEqual(
          page.appointments.map((a) => a.id),
          stored.slice(0, 2).map((a) => a.id)
        )
        assert.deepStrictEqual(
          (yield* auditEvents).slice(trail).map((e) => [e.action, e.patientId, e.outcome]),
          [
            ["appointment.listed", ada.id, "success"],
            ["appointment.listed", grace.id, "success"]
          ]
        )
        // The next page continues after the first, whatever was booked before its place meanwhile.
        yield* (yield* AppointmentRepo).save(
          new Appointment({
            ...(stored[0] ?? assert.fail("none stored")),
            id: AppointmentId.make("appointment-early"),
            start: DateTime.subtract(base, { hours: 2 }),
            end: DateTime.subtract(base, { hours: 1 })
          })
        )
        const next = yield* svc.staffAppointments(staff, { limit: 2, cursor: page.nextCursor ?? undefined })
        assert.deepStrictEqual(
          next.appointments.map((a) => a.id),
          stored.slice(2, 4).map((a) => a.id)
        )
        assert.isNotNull(next.nextCursor)
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "the page size defaults to 100 and may be 1 to 500; anything else is InvalidPageSize, audited as nothing",
    () =>
      Effect.gen(function* () {
        const { ada } = yield* seed()
        const stored = yield* storeAppointments(501, [ada.id])
        const svc = yield* Scheduling
        const fallback = yield* svc.staffAppointments(staff, {})
        assert.strictEqual(DEFAULT_APPOINTMENT_PAGE_SIZE, 100)
        assert.strictEqual(MAX_APPOINTMENT_PAGE_SIZE, 500)
        assert.strictEqual(fallback.appointments.length, 100)
        assert.isNotNull(fallback.nextCursor)
        const most = yield* svc.staffAppointments(staff, { limit: 500 })
        assert.strictEqual(most.appointments.length, 500)
        const rest = yield* svc.staffAppointments(staff, { limit: 500, cursor: most.nextCursor ?? undefined })
        assert.deepStrictEqual(
          rest.appointments.map((a) => a.id),
          [stored[500]?.id]
        )
        assert.isNull(rest.nextCursor)
        assert.strictEqual((yield* svc.staffAppointments(staff, { limit: 1 })).appointments.length, 1)
        const trail = (yield* auditEvents).length
        for (const limit of [0, -1, 1.5, 501, Number.NaN]) {
          const error = yield* Effect.flip(svc.staffAppointments(staff, { limit }))
          if (error._tag !== "InvalidPageSize") return assert.fail(`${limit}: ${error._tag}`)
          assert.strictEqual(error.max, 500)
          assert.match(
            error.message,
            /^A page holds 1 to 500 entries; .+ was asked for\. Ask for a whole number/
          )
        }
        assert.strictEqual((yield* auditEvents).length, trail)
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "a cursor this listing did not hand out (altered, truncated, another listing's) is InvalidCursor, audited as nothing",
    () =>
      Effect.gen(function* () {
        const { ada } = yield* seed()
        yield* storeAppointments(3, [ada.id])
        const svc = yield* Scheduling
        const good = (yield* svc.staffAppointments(staff, { limit: 1 })).nextCursor
        if (good === null) return assert.fail("no next page")
        const json = (value: unknown) => Base64Url.encode(JSON.stringify(value))
        const trail = (yield* auditEvents).length
        for (const cursor of [
          "",
          "not a cursor",
          good.slice(0, -2),
          `${good}x`,
          good.replace(/^./, (c) => (c === "W" ? "X" : "W")),
          json(["p1", "lovelace", "ada", "patient-ada"]),
          json(["a2", ms(base), "appointment-0000"]),
          json(["a1", "soon", "appointment-0000"]),
          json(["a1", ms(base) + 0.5, "appointment-0000"]),
          json(["a1", ms(base), ""]),
          json(["a1", 8.64e15, "appointment-0000"]),
          json(["a1", ms(base), "x".repeat(2_000)]),
          Base64Url.encode(`m1.${ms(base)}.appointment-0000`),
          Patients.encodeCursor({ family: "lovelace", given: "ada", id: ada.id }),
          Messaging.encodeCursor({ sentAt: base, id: MessageId.make("message-1") })
        ]) {
          const error = yield* Effect.flip(svc.staffAppointments(staff, { cursor }))
          assert.strictEqual(error._tag, "InvalidCursor", JSON.stringify(cursor))
          assert.strictEqual(
            error.message,
            "This page link is not valid. Reload the list from its first page."
          )
        }
        assert.strictEqual((yield* auditEvents).length, trail)
        // The cursor is a place: the same one reads the same page again.
        const again = (yield* svc.staffAppointments(staff, { limit: 1, cursor: good })).appointments
        assert.deepStrictEqual(
          again.map((a) => a.id),
          [AppointmentId.make("appointment-0001")]
        )
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("the range includes its start and excludes its end; an empty or reversed range is refused", () =>
    Effect.gen(function* () {
      const { adaP } = yield* seed()
      const svc = yield* Scheduling
      yield* TestClock.setTime(ms(visit) - 10 * DAY)
      const first = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
      const second = yield* svc.request(adaP, {
        providerId,
        typeId: bookTypeId,
        start: DateTime.add(visit, { minutes: 30 })
      })
      const ids = (from: DateTime.Utc, to: DateTime.Utc) =>
        Effect.map(svc.staffAppointments(staff, { from, to }), (page) => page.appointments.map((a) => a.id))
      assert.deepStrictEqual(yield* ids(first.start, second.start), [first.id])
      assert.deepStrictEqual(yield* ids(second.start, DateTime.add(second.start, { milliseconds: 1 })), [
        second.id
      ])
      assert.deepStrictEqual(yield* ids(DateTime.add(first.start, { milliseconds: 1 }), second.start), [])
      for (const [from, to] of [
        [second.start, second.start],
        [second.start, first.start]
      ] as const) {
        const error = yield* Effect.flip(svc.staffAppointments(staff, { from, to }))
        assert.deepStrictEqual(
          [error._tag, error.message],
          ["AppointmentRangeInvalid", "The end of the range must come after its start."]
        )
      }
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("finds the requests to confirm; another clinic's staff see none of them", () =>
    Effect.gen(function* () {
      const { adaP, graceP } = yield* seed()
      const svc = yield* Scheduling
      yield* TestClock.setTime(ms(visit) - 10 * DAY)
      const requested = yield* svc.request(adaP, {
        providerId,
        typeId: requestTypeId,
        start: visit
      })
      yield* svc.request(graceP, { providerId, typeId: bookTypeId, start: DateTime.add(visit, { hours: 1 }) })
      assert.deepStrictEqual(
        (yield* svc.staffAppointments(staff, { status: "requested" })).appointments.map((a) => a.id),
        [requested.id]
      )
      assert.deepStrictEqual(yield* svc.staffAppointments(foreignStaff, {}), {
        appointments: [],
        nextCursor: null
      })
    }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect("a provider or patient of another clinic, or one that does not exist, answers NotFound", () =>
    Effect.gen(function* () {
      yield* seed()
      const svc = yield* Scheduling
      const olga = makePatientNamed("olga", otherClinicId)
      yield* (yield* PatientRepo).save(olga)
      const kinds = []
      for (const filter of [
        { providerId: foreignProviderId },
        { patientId: olga.id },
        { patientId: PatientId.make("patient-nobody") }
      ]) {
        const error = yield* Effect.flip(svc.staffAppointments(staff, filter))
        kinds.push(error._tag === "NotFound" ? error.kind : error._tag)
      }
      assert.deepStrictEqual(kinds, ["provider", "patient", "patient"])
      assert.deepStrictEqual(yield* auditEvents, [])
    }).pipe(Effect.provide(schedulingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Refusals are audited
// ---------------------------------------------------------------------------------------------

describe("Scheduling: refused attempts are audited as failures with their reason", () => {
  it.effect(
    "SlotTaken, SlotUnavailable and ChangeWindowClosed each leave one failure event; the chain holds",
    () =>
      Effect.gen(function* () {
        const { ada, adaP, grace, graceP } = yield* seed()
        const svc = yield* Scheduling
        yield* TestClock.setTime(ms(visit) - 10 * DAY)
        const mine = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
        const theirs = yield* svc.request(graceP, {
          providerId,
          typeId: bookTypeId,
          start: DateTime.add(visit, { hours: 1 })
        })
        const trail = (yield* auditEvents).length
        // Staff move Ada's onto Grace's time: the repository refuses the write itself.
        const taken = yield* Effect.flip(svc.reschedule(staff, mine.id, theirs.start))
        // Staff book in the past.
        const past = yield* Effect.flip(
          svc.book(staff, {
            patientId: grace.id,
            providerId,
            typeId: bookTypeId,
            start: at("2026-01-01T14:00:00Z")
          })
        )
        // A patient moves onto a taken slot (refused by the availability check) …
        const unavailable = yield* Effect.flip(svc.reschedule(adaP, mine.id, theirs.start))
        // … and cancels inside the change window.
        yield* TestClock.setTime(ms(visit) - HOUR)
        const closed = yield* Effect.flip(svc.cancel(adaP, mine.id))
        assert.deepStrictEqual(
          [taken._tag, past._tag, unavailable._tag, closed._tag],
          ["SlotTaken", "SlotUnavailable", "SlotUnavailable", "ChangeWindowClosed"]
        )
        assert.deepStrictEqual(
          (yield* auditEvents)
            .slice(trail)
            .map((e) => [e.action, e.actor.kind, e.patientId, e.resource, e.outcome, e.reason]),
          [
            ["appointment.rescheduled", "staff", ada.id, `appointment:${mine.id}`, "failure", "SlotTaken"],
            ["appointment.booked", "staff", grace.id, `provider:${providerId}`, "failure", "SlotUnavailable"],
            [
              "appointment.rescheduled",
              "patient",
              ada.id,
              `appointment:${mine.id}`,
              "failure",
              "SlotUnavailable"
            ],
            [
              "appointment.cancelled",
              "patient",
              ada.id,
              `appointment:${mine.id}`,
              "failure",
              "ChangeWindowClosed"
            ]
          ]
        )
        // Nothing else changed: both appointments stand where they were.
        const stored = (yield* svc.staffAppointments(staff, {})).appointments
        assert.deepStrictEqual(
          stored.map((a) => [a.id, ms(a.start), a.status]),
          [
            [mine.id, ms(visit), "booked"],
            [theirs.id, ms(theirs.start), "booked"]
          ]
        )
        const report = yield* (yield* AuditLog).verify(clinicId)
        assert.strictEqual(report._tag, "Intact")
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "a refusal that is not one of those (not found, not changeable) is not audited as a failure",
    () =>
      Effect.gen(function* () {
        const { adaP } = yield* seed()
        const svc = yield* Scheduling
        yield* TestClock.setTime(ms(visit) - 10 * DAY)
        const mine = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
        yield* svc.cancel(adaP, mine.id)
        const trail = (yield* auditEvents).length
        assert.strictEqual((yield* Effect.flip(svc.cancel(adaP, mine.id)))._tag, "AppointmentNotChangeable")
        assert.strictEqual(
          (yield* Effect.flip(
            svc.request(adaP, { providerId: foreignProviderId, typeId: bookTypeId, start: visit })
          ))._tag,
          "NotFound"
        )
        assert.strictEqual((yield* auditEvents).length, trail)
      }).pipe(Effect.provide(schedulingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// SchedulingPolicy.layerConfig
// ---------------------------------------------------------------------------------------------

const readPolicy = (env: Record<string, string>) =>
  Effect.exit(
    Effect.gen(function* () {
      return yield* SchedulingPolicy.SchedulingPolicy
    }).pipe(
      Effect.provide(
        SchedulingPolicy.layerConfig.pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )
      )
    )
  )

const shape = (policy: SchedulingPolicy.SchedulingPolicy) => ({
  changeWindow: Duration.toMillis(policy.changeWindow),
  reminderLeads: policy.reminderLeads.map(Duration.toMillis),
  maxAvailabilityDays: policy.maxAvailabilityDays
})

describe("SchedulingPolicy.layerConfig", () => {
  it.effect("unset variables keep the defaults of the rules table", () =>
    Effect.gen(function* () {
      const exit = yield* readPolicy({})
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) {
        assert.deepStrictEqual(shape(exit.value), {
          changeWindow: DAY,
          reminderLeads: [48 * HOUR, 2 * HOUR],
          maxAvailabilityDays: 62
        })
      }
    })
  )

  it.effect(
    "SCHEDULING_CHANGE_WINDOW, SCHEDULING_REMINDER_LEADS and SCHEDULING_MAX_AVAILABILITY_DAYS are read",
    () =>
      Effect.gen(function* () {
        const exit = yield* readPolicy({
          SCHEDULING_CHANGE_WINDOW: "48 hours",
          SCHEDULING_REMINDER_LEADS: "72 hours, 24 hours,30 minutes",
          SCHEDULING_MAX_AVAILABILITY_DAYS: "31"
        })
        assert.isTrue(Exit.isSuccess(exit))
        if (Exit.isSuccess(exit)) {
          assert.deepStrictEqual(shape(exit.value), {
            changeWindow: 2 * DAY,
            reminderLeads: [3 * DAY, DAY, HOUR / 2],
            maxAvailabilityDays: 31
          })
        }
      })
  )

  it.effect("an unreadable value fails with a ConfigError; an impossible one stops the layer", () =>
    Effect.gen(function* () {
      for (const env of [
        { SCHEDULING_CHANGE_WINDOW: "a day or so" },
        { SCHEDULING_REMINDER_LEADS: "48 hours,soon" },
        { SCHEDULING_MAX_AVAILABILITY_DAYS: "thirty" }
      ]) {
        const exit = yield* readPolicy(env)
        assert.isTrue(Exit.isFailure(exit) && !Exit.hasDies(exit), JSON.stringify(env))
      }
      for (const env of [
        { SCHEDULING_CHANGE_WINDOW: "-1 hours" },
        { SCHEDULING_REMINDER_LEADS: "0 hours" },
        { SCHEDULING_MAX_AVAILABILITY_DAYS: "0" }
      ]) {
        const exit = yield* readPolicy(env)
        assert.isTrue(Exit.hasDies(exit), JSON.stringify(env))
      }
    })
  )

  it.effect.prop(
    "the configured change window is the one Scheduling applies: refused at exactly the window, allowed 1 ms before it",
    {
      hours: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 96 })),
      extraMs: Schema.Literals([0, 1])
    },
    ({ hours, extraMs }) =>
      Effect.gen(function* () {
        const { adaP } = yield* seed()
        const svc = yield* Scheduling
        yield* TestClock.setTime(ms(visit) - 10 * DAY)
        const booked = yield* svc.request(adaP, { providerId, typeId: bookTypeId, start: visit })
        yield* TestClock.setTime(ms(visit) - hours * HOUR - extraMs)
        const result = yield* Effect.result(svc.cancel(adaP, booked.id))
        if (extraMs === 1) assert.strictEqual(result._tag, "Success")
        else {
          assert.isTrue(result._tag === "Failure" && result.failure._tag === "ChangeWindowClosed")
          if (result._tag === "Failure" && result.failure._tag === "ChangeWindowClosed") {
            assert.strictEqual(result.failure.windowMinutes, hours * 60)
          }
        }
        assert.isTrue(Option.isSome(yield* (yield* AppointmentRepo).findById(booked.id)))
      }).pipe(
        Effect.provide(
          Scheduling.layer.pipe(
            Layer.provide(AppointmentEvents.layerNone),
            Layer.provide(
              SchedulingPolicy.layerConfig.pipe(
                Layer.provide(
                  ConfigProvider.layer(
                    ConfigProvider.fromEnv({ env: { SCHEDULING_CHANGE_WINDOW: `${hours} hours` } })
                  )
                )
              )
            ),
            Layer.provideMerge(Testing.layerAuthenticationMemory())
          )
        )
      ),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )
})
