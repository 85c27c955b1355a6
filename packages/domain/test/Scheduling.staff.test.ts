/**
 * Scheduling for staff and operators: the clinic's appointments as staff see them (only their
 * clinic's, filtered exactly, audited per patient), refused attempts audited as failures with
 * their reason, and the policy read from configuration.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, DateTime, Duration, Effect, Exit, Layer, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Appointment, AppointmentStatus } from "../src/Appointment.ts"
import { AppointmentEvents } from "../src/AppointmentEvents.ts"
import { AppointmentRepo } from "../src/AppointmentRepo.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { AppointmentId, PatientId } from "../src/Ids.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { Scheduling } from "../src/Scheduling.ts"
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
  provider: Schema.Literals([0, 1]),
  patient: Schema.Literals([0, 1, 2]),
  status: AppointmentStatus
})

const Filter = Schema.Struct({
  status: Schema.optional(AppointmentStatus),
  provider: Schema.optional(Schema.Literals([0, 1])),
  patient: Schema.optional(Schema.Literals([0, 1, 2])),
  // In slots of 90 minutes from `base`; the stored appointments occupy slots 0 … 7.
  from: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: -1, maximum: 8 }))),
  to: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: -1, maximum: 8 })))
})

const slotAt = (i: number) => DateTime.add(base, { minutes: 90 * i })

describe("Scheduling.staffAppointments", () => {
  it.effect.prop(
    "returns exactly the staff member's clinic's appointments that match the filter, by start, and audits each patient read",
    { stored: Schema.Array(Stored).check(Schema.isMaxLength(8)), filter: Filter },
    ({ stored, filter }) =>
      Effect.gen(function* () {
        const { ada, grace } = yield* seed()
        const ben = makePatientNamed("ben")
        const olga = makePatientNamed("olga", otherClinicId)
        yield* (yield* PatientRepo).save(ben)
        yield* (yield* PatientRepo).save(olga)
        const own = [ada, grace, ben]
        const repo = yield* AppointmentRepo
        // Saved in reverse start order, so the answer's order is the service's doing.
        const saved = stored.map((s, i) => {
          const start = slotAt(i)
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
        for (const a of [...saved].reverse()) yield* repo.save(a)
        yield* TestClock.setTime(ms(base))

        const query = {
          status: filter.status,
          providerId:
            filter.provider === undefined ? undefined : [providerId, otherProviderId][filter.provider],
          patientId: filter.patient === undefined ? undefined : own[filter.patient]?.id,
          from: filter.from === undefined ? undefined : slotAt(filter.from),
          to: filter.to === undefined ? undefined : slotAt(filter.to)
        }
        const trail = (yield* auditEvents).length
        const result = yield* Effect.result((yield* Scheduling).staffAppointments(staff, query))

        if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
          assert.isTrue(result._tag === "Failure" && result.failure._tag === "AppointmentRangeInvalid")
          assert.strictEqual((yield* auditEvents).length, trail)
          return
        }
        assert.strictEqual(result._tag, "Success")
        if (result._tag !== "Success") return
        const expected = saved.filter(
          (a) =>
            a.clinicId === clinicId &&
            (query.status === undefined || a.status === query.status) &&
            (query.providerId === undefined || a.providerId === query.providerId) &&
            (query.patientId === undefined || a.patientId === query.patientId) &&
            (query.from === undefined || ms(a.start) >= ms(query.from)) &&
            (query.to === undefined || ms(a.start) < ms(query.to))
        )
        assert.deepStrictEqual(
          result.success.map((a) => a.id),
          expected.map((a) => a.id)
        )
        for (const a of result.success) assert.notStrictEqual(a.patientId, olga.id)

        const readOf = [...new Set(expected.map((a) => a.patientId))]
        const events = (yield* auditEvents).slice(trail)
        assert.deepStrictEqual(
          events.map((e) => [
            e.action,
            e.actor.kind,
            e.actor.id,
            e.clinicId,
            e.patientId,
            e.resource,
            e.outcome
          ]),
          readOf.length > 0
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
                  query.patientId ?? null,
                  query.patientId === undefined ? `clinic:${clinicId}` : `patient:${query.patientId}`,
                  "success"
                ]
              ]
        )
      }).pipe(Effect.provide(schedulingDomain())),
    { timeout: 60_000, arbitrary: { runs: 60 } }
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
        Effect.map(svc.staffAppointments(staff, { from, to }), (xs) => xs.map((a) => a.id))
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
        (yield* svc.staffAppointments(staff, { status: "requested" })).map((a) => a.id),
        [requested.id]
      )
      assert.deepStrictEqual(yield* svc.staffAppointments(foreignStaff, {}), [])
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
        const stored = yield* svc.staffAppointments(staff, {})
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
