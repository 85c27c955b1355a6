/**
 * ClinicSchedule: staff set up providers (weekly hours that make a schedule, https meeting
 * links), appointment types (5–480 minutes, the clinic's own questionnaires) and blocked
 * periods (which report the appointments they fall on); another clinic's records answer as
 * missing ones; every change, accepted or refused, is audited and nothing refused is saved.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Option, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { BlockedPeriod, type Provider, WeeklyHours } from "../src/Appointment.ts"
import { AppointmentRepo } from "../src/AppointmentRepo.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { ClinicSchedule, isHttpsUrl, type ProviderInput } from "../src/ClinicSchedule.ts"
import { BlockedPeriodId, QuestionnaireId } from "../src/Ids.ts"
import { Questionnaire } from "../src/Questionnaire.ts"
import { QuestionnaireRepo } from "../src/QuestionnaireRepo.ts"
import { ScheduleRepo, ScheduleRepoMemory } from "../src/ScheduleRepo.ts"
import { Scheduling } from "../src/Scheduling.ts"
import * as Testing from "../src/testing/index.ts"
import {
  at,
  bookTypeId,
  clinicId,
  everyMorning,
  foreignProviderId,
  foreignStaff,
  foreignTypeId,
  otherClinicId,
  otherProviderId,
  providerId,
  seed,
  staff
} from "./SchedulingSupport.ts"

/** The whole care domain in memory, as the server wires it. Provide it inside each property run. */
const domain = () => Testing.layerCareMemory()

const auditEvents = Effect.flatMap(AuditLog, (log) => log.all)
const scheduleState = Effect.flatMap(ScheduleRepoMemory, (m) => TxRef.get(m.state))
const ms = (instant: DateTime.Utc) => instant.epochMilliseconds

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`

/**
 * A stretch of a weekday in 30-minute marks of the day: a start and a length from −2 to 8
 * marks (cut to the day), so that empty, reversed, touching and overlapping stretches are all
 * common.
 */
const Stretch = Schema.Struct({
  weekday: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 2 })),
  start: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 47 })),
  length: Schema.Int.check(Schema.isBetween({ minimum: -2, maximum: 8 }))
})

const endOf = (s: typeof Stretch.Type) => Math.min(47, Math.max(0, s.start + s.length))

const toHours = (stretches: ReadonlyArray<typeof Stretch.Type>) =>
  stretches.map(
    (s) => new WeeklyHours({ weekday: s.weekday, start: hhmm(s.start * 30), end: hhmm(endOf(s) * 30) })
  )

/**
 * The model: a stretch must end after it starts and share no minute with an earlier stretch
 * of its day; each overlapping pair is named once, at its later stretch, with the earlier one.
 */
const modelProblems = (stretches: ReadonlyArray<typeof Stretch.Type>) => {
  const problems: Array<ReadonlyArray<string | number>> = []
  const row = (s: typeof Stretch.Type) => [s.weekday, hhmm(s.start * 30), hhmm(endOf(s) * 30)]
  stretches.forEach((s, i) => {
    if (endOf(s) <= s.start) {
      problems.push([...row(s), "not-after-start"])
      return
    }
    for (const o of stretches.slice(0, i)) {
      if (o.weekday !== s.weekday || endOf(o) <= o.start) continue
      // Minute by minute, independent of the service's interval arithmetic.
      let shared = false
      for (let m = s.start * 30; m < endOf(s) * 30; m++)
        if (m >= o.start * 30 && m < endOf(o) * 30) shared = true
      if (shared) problems.push([...row(s), "overlaps", hhmm(o.start * 30), hhmm(endOf(o) * 30)])
    }
  })
  return problems
}

const providerInput = (overrides: Partial<ProviderInput> = {}): ProviderInput => ({
  name: "Dr. Okafor",
  weeklyHours: everyMorning,
  ...overrides
})

const saveQuestionnaire = (id: string, clinic = clinicId) =>
  Effect.gen(function* () {
    const questionnaireId = QuestionnaireId.make(id)
    yield* (yield* QuestionnaireRepo).saveQuestionnaire(
      new Questionnaire({
        id: questionnaireId,
        clinicId: clinic,
        title: "Intake",
        items: [],
        createdAt: at("2026-01-01T00:00:00Z")
      })
    )
    return questionnaireId
  })

describe("ClinicSchedule: providers", () => {
  it.effect.prop(
    "weekly hours are accepted iff every stretch ends after it starts and no two of a weekday overlap; a refusal saves nothing and is audited",
    { stretches: Schema.Array(Stretch).check(Schema.isMaxLength(5)) },
    ({ stretches }) =>
      Effect.gen(function* () {
        const clinic = yield* ClinicSchedule
        const hours = toHours(stretches)
        const expected = modelProblems(stretches)
        const result = yield* Effect.result(
          clinic.createProvider(staff, providerInput({ weeklyHours: hours }))
        )
        const events = yield* auditEvents
        assert.strictEqual(events.length, 1)
        const event = events[0]
        if (expected.length === 0) {
          assert.strictEqual(result._tag, "Success")
          if (result._tag !== "Success") return
          assert.deepStrictEqual(result.success.weeklyHours, hours)
          assert.strictEqual(result.success.clinicId, clinicId)
          assert.deepStrictEqual([...(yield* scheduleState).providers.values()], [result.success])
          assert.deepStrictEqual(
            [event?.action, event?.actor.id, event?.resource, event?.outcome],
            ["provider.created", staff.staffId, `provider:${result.success.id}`, "success"]
          )
          return
        }
        assert.isTrue(result._tag === "Failure" && result.failure._tag === "WeeklyHoursInvalid")
        if (result._tag !== "Failure" || result.failure._tag !== "WeeklyHoursInvalid") return
        assert.deepStrictEqual(
          result.failure.problems.map((p) => [
            p.weekday,
            p.start,
            p.end,
            p.problem,
            ...(p.other === undefined ? [] : [p.other.start, p.other.end])
          ]),
          expected
        )
        assert.strictEqual((yield* scheduleState).providers.size, 0)
        assert.deepStrictEqual(
          [event?.action, event?.outcome, event?.reason, event?.patientId],
          ["provider.created", "failure", "WeeklyHoursInvalid", null]
        )
        assert.match(result.failure.message, /^Check the weekly hours: /)
      }).pipe(Effect.provide(domain())),
    { timeout: 60_000, arbitrary: { runs: 60 } }
  )

  it.effect("the weekly-hours message names the day and both stretches", () =>
    Effect.gen(function* () {
      const clinic = yield* ClinicSchedule
      const error = yield* Effect.flip(
        clinic.createProvider(
          staff,
          providerInput({
            weeklyHours: [
              new WeeklyHours({ weekday: 1, start: "09:00", end: "12:00" }),
              new WeeklyHours({ weekday: 1, start: "11:30", end: "13:00" }),
              new WeeklyHours({ weekday: 2, start: "12:00", end: "12:00" }),
              // Touching stretches are fine.
              new WeeklyHours({ weekday: 3, start: "09:00", end: "12:00" }),
              new WeeklyHours({ weekday: 3, start: "12:00", end: "13:00" })
            ]
          })
        )
      )
      assert.strictEqual(
        error.message,
        "Check the weekly hours: Monday 11:30–13:00 overlaps 09:00–12:00 of the same day; Tuesday 12:00–12:00 must end after it starts. Stretches of one day may touch but not overlap."
      )
    }).pipe(Effect.provide(domain()))
  )

  it.effect("a meeting link must be a full https address; a name must be 1 to 200 characters", () =>
    Effect.gen(function* () {
      const clinic = yield* ClinicSchedule
      const accepted = [
        "https://meet.example.org/dr-okafor",
        " https://video.example.ca ",
        "https://x.example:8443/r?id=1"
      ]
      const refused = [
        "http://meet.example.org/dr-okafor",
        "meet.example.org/dr-okafor",
        "https://",
        "https://meet example.org",
        "javascript:alert(1)",
        "ftp://meet.example.org",
        ""
      ]
      for (const url of accepted) {
        const provider = yield* clinic.createProvider(staff, providerInput({ meetingUrl: url }))
        assert.strictEqual(provider.meetingUrl, url.trim())
      }
      for (const url of refused) {
        const error = yield* Effect.flip(clinic.createProvider(staff, providerInput({ meetingUrl: url })))
        assert.strictEqual(error._tag, "MeetingUrlInvalid", url)
        assert.isFalse(isHttpsUrl(url.trim()))
      }
      for (const name of ["", "   ", "x".repeat(201)]) {
        const error = yield* Effect.flip(clinic.createProvider(staff, providerInput({ name })))
        assert.deepStrictEqual(
          [error._tag, error.message],
          ["NameInvalid", "Give the provider a name of 1 to 200 characters."]
        )
      }
      assert.strictEqual((yield* scheduleState).providers.size, accepted.length)
      const outcomes = (yield* auditEvents).map((e) => e.outcome)
      assert.deepStrictEqual(outcomes, [
        ...accepted.map(() => "success"),
        ...refused.map(() => "failure"),
        "failure",
        "failure",
        "failure"
      ])
    }).pipe(Effect.provide(domain()))
  )

  it.effect(
    "an update changes only what it names, removes a link with null, and moves availability with the hours",
    () =>
      Effect.gen(function* () {
        const { adaP } = yield* seed()
        const clinic = yield* ClinicSchedule
        const scheduling = yield* Scheduling
        yield* TestClock.setTime(ms(at("2026-01-01T00:00:00Z")))
        const created = yield* clinic.createProvider(
          staff,
          providerInput({ meetingUrl: "https://meet.example.org/okafor" })
        )
        const renamed = yield* clinic.updateProvider(staff, created.id, { name: "Dr. A. Okafor" })
        assert.deepStrictEqual(
          [renamed.name, renamed.weeklyHours, renamed.meetingUrl],
          ["Dr. A. Okafor", created.weeklyHours, "https://meet.example.org/okafor"]
        )
        const unlinked = yield* clinic.updateProvider(staff, created.id, { meetingUrl: null })
        assert.isFalse("meetingUrl" in unlinked)
        const evenings = [new WeeklyHours({ weekday: 2, start: "18:00", end: "19:00" })]
        yield* clinic.updateProvider(staff, created.id, { weeklyHours: evenings })
        // Tuesday 2026-01-06 in Toronto: only 18:00 and 18:30 (23:00Z, 23:30Z) are open now.
        const slots = yield* scheduling.availability(
          adaP,
          created.id,
          bookTypeId,
          at("2026-01-06T05:00:00Z"),
          at("2026-01-07T05:00:00Z")
        )
        assert.deepStrictEqual(
          slots.map((s) => DateTime.formatIso(s.start)),
          ["2026-01-06T23:00:00.000Z", "2026-01-06T23:30:00.000Z"]
        )
        // A refused update leaves the provider as it was.
        const refused = yield* Effect.flip(
          clinic.updateProvider(staff, created.id, { meetingUrl: "http://x.example" })
        )
        assert.strictEqual(refused._tag, "MeetingUrlInvalid")
        const stored = (yield* scheduleState).providers.get(created.id)
        assert.deepStrictEqual(stored?.weeklyHours, evenings)
        assert.deepStrictEqual(
          (yield* auditEvents).map((e) => [e.action, e.outcome]),
          [
            ["provider.created", "success"],
            ["provider.updated", "success"],
            ["provider.updated", "success"],
            ["provider.updated", "success"],
            ["provider.updated", "failure"]
          ]
        )
      }).pipe(Effect.provide(domain()))
  )
})

describe("ClinicSchedule: appointment types", () => {
  it.effect.prop(
    "a duration is accepted iff it is a whole number of minutes from 5 to 480",
    {
      minutes: Schema.Union([
        Schema.Int.check(Schema.isBetween({ minimum: -10, maximum: 500 })),
        Schema.Literals([4.5, 30.5, 479.99, 5, 480, 4, 481])
      ])
    },
    ({ minutes }) =>
      Effect.gen(function* () {
        const clinic = yield* ClinicSchedule
        const result = yield* Effect.result(
          clinic.createAppointmentType(staff, {
            name: "Check-up",
            mode: "in-person",
            durationMinutes: minutes,
            patientBooking: "book",
            questionnaireIds: []
          })
        )
        const valid = Number.isInteger(minutes) && minutes >= 5 && minutes <= 480
        if (valid) {
          assert.isTrue(result._tag === "Success" && result.success.durationMinutes === minutes)
          assert.strictEqual((yield* scheduleState).types.size, 1)
        } else {
          assert.isTrue(result._tag === "Failure" && result.failure._tag === "DurationInvalid")
          if (result._tag === "Failure" && result.failure._tag === "DurationInvalid") {
            assert.deepStrictEqual([result.failure.minimum, result.failure.maximum], [5, 480])
          }
          assert.strictEqual((yield* scheduleState).types.size, 0)
        }
        const events = yield* auditEvents
        assert.deepStrictEqual(
          events.map((e) => [e.action, e.outcome, e.reason]),
          [["appointment-type.created", valid ? "success" : "failure", valid ? undefined : "DurationInvalid"]]
        )
      }).pipe(Effect.provide(domain())),
    { timeout: 60_000, arbitrary: { runs: 60 } }
  )

  it.effect(
    "questionnaires must be the clinic's own: missing and foreign ones are named, repeats dropped",
    () =>
      Effect.gen(function* () {
        const clinic = yield* ClinicSchedule
        const intake = yield* saveQuestionnaire("q-intake")
        const consent = yield* saveQuestionnaire("q-consent")
        const foreign = yield* saveQuestionnaire("q-ottawa", otherClinicId)
        const missing = QuestionnaireId.make("q-missing")
        const input = {
          name: "Physical",
          mode: "in-person" as const,
          durationMinutes: 60,
          patientBooking: "request" as const
        }
        const refused = yield* Effect.flip(
          clinic.createAppointmentType(staff, { ...input, questionnaireIds: [intake, foreign, missing] })
        )
        assert.strictEqual(refused._tag, "UnknownQuestionnaires")
        if (refused._tag === "UnknownQuestionnaires")
          assert.deepStrictEqual(refused.questionnaireIds, [foreign, missing])
        assert.strictEqual(
          refused.message,
          "These questionnaires are not among your clinic's: q-ottawa, q-missing. Define them first, or leave them out."
        )
        const type = yield* clinic.createAppointmentType(staff, {
          ...input,
          questionnaireIds: [intake, consent, intake]
        })
        assert.deepStrictEqual(type.questionnaireIds, [intake, consent])
        const updated = yield* clinic.updateAppointmentType(staff, type.id, {
          durationMinutes: 45,
          questionnaireIds: []
        })
        assert.deepStrictEqual(
          [updated.name, updated.durationMinutes, updated.questionnaireIds, updated.patientBooking],
          ["Physical", 45, [], "request"]
        )
        const badUpdate = yield* Effect.flip(
          clinic.updateAppointmentType(staff, type.id, { questionnaireIds: [foreign] })
        )
        assert.strictEqual(badUpdate._tag, "UnknownQuestionnaires")
        assert.deepStrictEqual((yield* scheduleState).types.get(type.id), updated)
        assert.deepStrictEqual(
          (yield* clinic.listAppointmentTypes(staff)).map((t) => t.id),
          [type.id]
        )
      }).pipe(Effect.provide(domain()))
  )
})

describe("ClinicSchedule: blocked periods", () => {
  it.effect(
    "blocking over booked appointments is allowed: it cancels nothing, returns the active ones it overlaps (audited per patient), and availability skips it until removed",
    () =>
      Effect.gen(function* () {
        const { ada, adaP, grace, graceP } = yield* seed()
        const clinic = yield* ClinicSchedule
        const scheduling = yield* Scheduling
        const monday = at("2026-01-05T12:00:00Z")
        yield* TestClock.setTime(ms(monday))
        // Tuesday 2026-01-06 09:00–12:00 Toronto is 14:00–17:00Z.
        const nine = at("2026-01-06T14:00:00Z")
        const adas = yield* scheduling.request(adaP, { providerId, typeId: bookTypeId, start: nine })
        const graces = yield* scheduling.request(graceP, {
          providerId,
          typeId: bookTypeId,
          start: DateTime.add(nine, { hours: 1 })
        })
        const cancelled = yield* scheduling.request(adaP, {
          providerId,
          typeId: bookTypeId,
          start: DateTime.add(nine, { minutes: 30 })
        })
        yield* scheduling.cancel(adaP, cancelled.id)
        const elsewhere = yield* scheduling.request(graceP, {
          providerId: otherProviderId,
          typeId: bookTypeId,
          start: nine
        })
        const trail = (yield* auditEvents).length
        // 09:15–10:15: overlaps Ada's 09:00 and Grace's 10:00, not the cancelled 09:30's slot-holder.
        const blocked = yield* clinic.blockPeriod(staff, providerId, {
          start: DateTime.add(nine, { minutes: 15 }),
          end: DateTime.add(nine, { minutes: 75 })
        })
        assert.deepStrictEqual(
          blocked.affected.map((a) => a.id),
          [adas.id, graces.id]
        )
        assert.deepStrictEqual(
          (yield* auditEvents).slice(trail).map((e) => [e.action, e.patientId, e.resource, e.outcome]),
          [
            ["blocked-period.created", null, `blocked-period:${blocked.period.id}`, "success"],
            ["appointment.listed", ada.id, `patient:${ada.id}`, "success"],
            ["appointment.listed", grace.id, `patient:${grace.id}`, "success"]
          ]
        )
        // Nothing was cancelled or moved.
        const all = (yield* scheduling.staffAppointments(staff, {})).appointments
        assert.deepStrictEqual(
          all.map((a) => [a.id, a.status]).sort(),
          [
            [adas.id, "booked"],
            [graces.id, "booked"],
            [cancelled.id, "cancelled"],
            [elsewhere.id, "booked"]
          ].sort()
        )
        const open = (p = providerId) =>
          Effect.map(
            scheduling.availability(adaP, p, bookTypeId, nine, DateTime.add(nine, { hours: 3 })),
            (slots) => slots.map((s) => DateTime.formatIso(s.start))
          )
        // 09:30 is free of appointments but blocked; 10:30 onwards is open.
        assert.deepStrictEqual(yield* open(), [
          "2026-01-06T15:30:00.000Z",
          "2026-01-06T16:00:00.000Z",
          "2026-01-06T16:30:00.000Z"
        ])
        assert.deepStrictEqual(
          (yield* clinic.listBlockedPeriods(staff, providerId, nine, DateTime.add(nine, { days: 1 }))).map(
            (b) => b.id
          ),
          [blocked.period.id]
        )
        const removed = yield* clinic.removeBlockedPeriod(staff, blocked.period.id)
        assert.deepStrictEqual(removed, blocked.period)
        assert.deepStrictEqual(yield* open(), [
          "2026-01-06T14:30:00.000Z",
          "2026-01-06T15:30:00.000Z",
          "2026-01-06T16:00:00.000Z",
          "2026-01-06T16:30:00.000Z"
        ])
        const again = yield* Effect.flip(clinic.removeBlockedPeriod(staff, blocked.period.id))
        assert.strictEqual(again._tag, "BlockedPeriodNotFound")
      }).pipe(Effect.provide(domain()))
  )

  it.effect.prop(
    "a blocked period must end after it starts; a refused one saves nothing",
    {
      startMinutes: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 120 })),
      // In steps of 20 minutes, so that the empty period (0) comes up often.
      lengthSteps: Schema.Int.check(Schema.isBetween({ minimum: -3, maximum: 3 }))
    },
    ({ startMinutes, lengthSteps }) =>
      Effect.gen(function* () {
        yield* seed()
        const clinic = yield* ClinicSchedule
        const start = DateTime.add(at("2026-01-06T14:00:00Z"), { minutes: startMinutes })
        const lengthMinutes = lengthSteps * 20
        const end = DateTime.add(start, { minutes: lengthMinutes })
        const result = yield* Effect.result(clinic.blockPeriod(staff, providerId, { start, end }))
        const stored = (yield* scheduleState).blocked.size
        if (lengthMinutes > 0) {
          assert.strictEqual(result._tag, "Success")
          assert.strictEqual(stored, 1)
        } else {
          assert.isTrue(result._tag === "Failure" && result.failure._tag === "BlockedPeriodInvalid")
          assert.strictEqual(stored, 0)
          assert.deepStrictEqual(
            (yield* auditEvents).map((e) => [e.action, e.outcome, e.reason]),
            [["blocked-period.created", "failure", "BlockedPeriodInvalid"]]
          )
        }
      }).pipe(Effect.provide(domain())),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )
})

describe("ClinicSchedule: clinic scoping (property 1, schedule)", () => {
  it.effect(
    "another clinic's provider, type or blocked period answers as a missing one, changes nothing, and is audited",
    () =>
      Effect.gen(function* () {
        yield* seed()
        const clinic = yield* ClinicSchedule
        const schedule = yield* ScheduleRepo
        const ottawaBlock = BlockedPeriodId.make("blocked-ottawa")
        yield* schedule.saveBlocked(
          new BlockedPeriod({
            id: ottawaBlock,
            providerId: foreignProviderId,
            start: at("2026-01-06T14:00:00Z"),
            end: at("2026-01-06T15:00:00Z")
          })
        )
        const before = yield* scheduleState
        const range = [at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")] as const
        const answers = [
          yield* Effect.flip(clinic.updateProvider(staff, foreignProviderId, { name: "Mine now" })),
          yield* Effect.flip(clinic.updateAppointmentType(staff, foreignTypeId, { durationMinutes: 10 })),
          yield* Effect.flip(
            clinic.blockPeriod(staff, foreignProviderId, { start: range[0], end: range[1] })
          ),
          yield* Effect.flip(clinic.listBlockedPeriods(staff, foreignProviderId, ...range)),
          yield* Effect.flip(clinic.removeBlockedPeriod(staff, ottawaBlock))
        ].map((e) => (e._tag === "NotFound" ? `NotFound:${e.kind}` : e._tag))
        assert.deepStrictEqual(answers, [
          "NotFound:provider",
          "NotFound:appointment-type",
          "NotFound:provider",
          "NotFound:provider",
          "BlockedPeriodNotFound"
        ])
        assert.deepStrictEqual(yield* scheduleState, before)
        // Ottawa's staff see Ottawa's, Toronto's see Toronto's.
        assert.deepStrictEqual(
          (yield* clinic.listProviders(foreignStaff)).map((p: Provider) => p.id),
          [foreignProviderId]
        )
        assert.deepStrictEqual(
          (yield* clinic.listProviders(staff)).map((p) => p.id).sort(),
          [providerId, otherProviderId].sort()
        )
        assert.deepStrictEqual(
          (yield* clinic.listAppointmentTypes(foreignStaff)).map((t) => t.id),
          [foreignTypeId]
        )
        assert.isTrue(
          Option.isSome(yield* schedule.findBlocked(ottawaBlock)),
          "Ottawa's period is still there"
        )
        assert.deepStrictEqual(
          (yield* auditEvents).map((e) => [e.clinicId, e.action, e.outcome, e.reason]),
          [
            [clinicId, "provider.updated", "failure", "NotFound"],
            [clinicId, "appointment-type.updated", "failure", "NotFound"],
            [clinicId, "blocked-period.created", "failure", "NotFound"],
            [clinicId, "blocked-period.removed", "failure", "BlockedPeriodNotFound"]
          ]
        )
        // Blocking reads no other clinic's appointments either.
        yield* TestClock.setTime(ms(at("2026-01-01T00:00:00Z")))
        const repo = yield* AppointmentRepo
        assert.deepStrictEqual(yield* repo.listByClinic({ clinicId: otherClinicId, limit: 100 }), [])
      }).pipe(Effect.provide(domain()))
  )

  it.effect("every change is audited with the staff member as actor; the chain holds", () =>
    Effect.gen(function* () {
      const clinic = yield* ClinicSchedule
      const provider = yield* clinic.createProvider(staff, providerInput())
      yield* clinic.updateProvider(staff, provider.id, { name: "Dr. B" })
      const type = yield* clinic.createAppointmentType(staff, {
        name: "Visit",
        mode: "virtual",
        durationMinutes: 20,
        patientBooking: "book",
        questionnaireIds: []
      })
      yield* clinic.updateAppointmentType(staff, type.id, { mode: "in-person" })
      const { period } = yield* clinic.blockPeriod(staff, provider.id, {
        start: at("2026-01-06T14:00:00Z"),
        end: at("2026-01-06T15:00:00Z")
      })
      yield* clinic.removeBlockedPeriod(staff, period.id)
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
          ["provider.created", "staff", staff.staffId, null, `provider:${provider.id}`, "success"],
          ["provider.updated", "staff", staff.staffId, null, `provider:${provider.id}`, "success"],
          [
            "appointment-type.created",
            "staff",
            staff.staffId,
            null,
            `appointment-type:${type.id}`,
            "success"
          ],
          [
            "appointment-type.updated",
            "staff",
            staff.staffId,
            null,
            `appointment-type:${type.id}`,
            "success"
          ],
          ["blocked-period.created", "staff", staff.staffId, null, `blocked-period:${period.id}`, "success"],
          ["blocked-period.removed", "staff", staff.staffId, null, `blocked-period:${period.id}`, "success"]
        ]
      )
      assert.deepStrictEqual(yield* (yield* AuditLog).verify(clinicId), { _tag: "Intact", events: 6 })
    }).pipe(Effect.provide(domain()))
  )
})
