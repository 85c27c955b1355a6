/**
 * What a patient chooses from before asking for slots: `Scheduling.listProviders` and
 * `Scheduling.listAppointmentTypes` answer the caller's clinic's records only, by name, with
 * nothing but the fields a patient needs (no hours, no meeting link, no questionnaires), and
 * audit nothing (no patient data is read).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { AppointmentType, Provider } from "../src/Appointment.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { AppointmentTypeId, ProviderId } from "../src/Ids.ts"
import { ScheduleRepo } from "../src/ScheduleRepo.ts"
import { Scheduling } from "../src/Scheduling.ts"
import {
  bookTypeId,
  everyMorning,
  foreignProviderId,
  foreignStaff,
  foreignTypeId,
  longTypeId,
  makePatientNamed,
  otherClinicId,
  otherProviderId,
  principalOf,
  providerId,
  requestTypeId,
  schedulingDomain,
  seed,
  staff
} from "./SchedulingSupport.ts"

const auditEvents = Effect.flatMap(AuditLog, (log) => log.all)

const saveProvider = (id: string, name: string, clinicId = staff.clinicId) =>
  Effect.flatMap(ScheduleRepo, (repo) =>
    repo.saveProvider(
      new Provider({
        id: ProviderId.make(id),
        clinicId,
        name,
        weeklyHours: everyMorning,
        meetingUrl: `https://meet.example.org/${id}`
      })
    )
  )

const saveType = (id: string, name: string, clinicId = staff.clinicId) =>
  Effect.flatMap(ScheduleRepo, (repo) =>
    repo.saveType(
      new AppointmentType({
        id: AppointmentTypeId.make(id),
        clinicId,
        name,
        mode: "virtual",
        durationMinutes: 15,
        patientBooking: "request",
        questionnaireIds: []
      })
    )
  )

const PROVIDER_KEYS = ["id", "name"]
const TYPE_KEYS = ["durationMinutes", "id", "mode", "name", "patientBooking"]

/** The order a person reads names in, as the service promises it. */
const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true })

describe("Scheduling: the providers and types a patient chooses from", () => {
  it.effect(
    "a patient lists their clinic's providers by name, id and name only; another clinic's never",
    () =>
      Effect.gen(function* () {
        const { ada } = yield* seed()
        // Saved out of order, with case, an accent and numbers that a plain string sort gets wrong.
        yield* saveProvider("provider-zhou", "Dr. Zhou")
        yield* saveProvider("provider-roy", "Dr. Émile Roy")
        yield* saveProvider("provider-adams", "dr. Adams")
        yield* saveProvider("provider-10", "Dr. 10")
        yield* saveProvider("provider-2", "Dr. 2")
        yield* saveProvider("provider-gatineau", "Dr. Aaron", otherClinicId)
        const svc = yield* Scheduling
        const listed = yield* svc.listProviders(principalOf(ada))
        assert.deepStrictEqual(
          listed.map((p) => [p.id, p.name]),
          [
            ["provider-2", "Dr. 2"],
            ["provider-10", "Dr. 10"],
            ["provider-adams", "dr. Adams"],
            // Two of the fixtures' providers share the name: the id orders them.
            [providerId, "Dr. Chen"],
            [otherProviderId, "Dr. Chen"],
            ["provider-roy", "Dr. Émile Roy"],
            ["provider-zhou", "Dr. Zhou"]
          ]
        )
        for (const p of listed) assert.deepStrictEqual(Object.keys(p).sort(), PROVIDER_KEYS)
        // Staff of the clinic see the same list; another clinic's callers see only theirs.
        assert.deepStrictEqual(yield* svc.listProviders(staff), listed)
        const lin = principalOf(makePatientNamed("lin", otherClinicId))
        assert.deepStrictEqual(
          (yield* svc.listProviders(lin)).map((p) => p.id),
          ["provider-gatineau", foreignProviderId]
        )
        assert.deepStrictEqual(yield* svc.listProviders(foreignStaff), yield* svc.listProviders(lin))
        // A schedule holds no patient data: nothing is audited.
        assert.deepStrictEqual(yield* auditEvents, [])
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect(
    "a patient lists their clinic's types by name, without questionnaires; another clinic's never",
    () =>
      Effect.gen(function* () {
        const { ada } = yield* seed()
        yield* saveType("type-annual", "annual physical")
        yield* saveType("type-gatineau", "A visit in Gatineau", otherClinicId)
        const svc = yield* Scheduling
        const listed = yield* svc.listAppointmentTypes(principalOf(ada))
        assert.deepStrictEqual(listed, [
          {
            id: AppointmentTypeId.make("type-annual"),
            name: "annual physical",
            mode: "virtual",
            durationMinutes: 15,
            patientBooking: "request"
          },
          // The fixtures' three types share a name: the id orders them.
          {
            id: bookTypeId,
            name: "Sensitive visit reason",
            mode: "in-person",
            durationMinutes: 30,
            patientBooking: "book"
          },
          {
            id: requestTypeId,
            name: "Sensitive visit reason",
            mode: "virtual",
            durationMinutes: 30,
            patientBooking: "request"
          },
          {
            id: longTypeId,
            name: "Sensitive visit reason",
            mode: "in-person",
            durationMinutes: 60,
            patientBooking: "book"
          }
        ])
        for (const t of listed) assert.deepStrictEqual(Object.keys(t).sort(), TYPE_KEYS)
        assert.deepStrictEqual(yield* svc.listAppointmentTypes(staff), listed)
        const lin = principalOf(makePatientNamed("lin", otherClinicId))
        assert.deepStrictEqual(
          (yield* svc.listAppointmentTypes(lin)).map((t) => t.id),
          [AppointmentTypeId.make("type-gatineau"), foreignTypeId]
        )
        assert.deepStrictEqual(yield* auditEvents, [])
      }).pipe(Effect.provide(schedulingDomain()))
  )

  it.effect.prop(
    "for random providers and types in two clinics, each clinic's callers list exactly theirs, by name",
    {
      providers: Schema.Array(Schema.Struct({ name: Schema.String, here: Schema.Boolean })).check(
        Schema.isMaxLength(12)
      ),
      types: Schema.Array(Schema.Struct({ name: Schema.String, here: Schema.Boolean })).check(
        Schema.isMaxLength(12)
      )
    },
    ({ providers, types }) =>
      Effect.gen(function* () {
        const clinicOf = (here: boolean) => (here ? staff.clinicId : otherClinicId)
        yield* Effect.forEach(providers, (p, i) => saveProvider(`p-${i}`, p.name, clinicOf(p.here)))
        yield* Effect.forEach(types, (t, i) => saveType(`t-${i}`, t.name, clinicOf(t.here)))
        const svc = yield* Scheduling
        for (const here of [true, false]) {
          const caller = here ? staff : principalOf(makePatientNamed("lin", otherClinicId))
          const listedProviders = yield* svc.listProviders(caller)
          const listedTypes = yield* svc.listAppointmentTypes(caller)
          const expected = (xs: ReadonlyArray<{ readonly here: boolean }>, prefix: string) =>
            xs.flatMap((x, i) => (x.here === here ? [`${prefix}-${i}`] : [])).sort()
          assert.deepStrictEqual(listedProviders.map((p) => p.id as string).sort(), expected(providers, "p"))
          assert.deepStrictEqual(listedTypes.map((t) => t.id as string).sort(), expected(types, "t"))
          for (const listed of [listedProviders, listedTypes]) {
            listed.forEach((x, i) => {
              const next = listed[i + 1]
              if (next === undefined) return
              const order = collator.compare(x.name, next.name)
              assert.isTrue(order < 0 || (order === 0 && x.id < next.id), `${x.name} before ${next.name}`)
            })
          }
          for (const p of listedProviders) {
            const saved = providers[Number(p.id.slice(2))]
            assert.strictEqual(p.name, saved?.name)
          }
        }
      }).pipe(Effect.provide(schedulingDomain())),
    { arbitrary: { runs: 50 } }
  )
})
