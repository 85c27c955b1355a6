/**
 * The domain's services on the PostgreSQL ports, exactly as a server runs them: the rules that
 * depend on the database (single use, lockout, no double booking, all-or-nothing units) hold at
 * the service level across real pool connections, and one patient's whole journey works.
 */
import {
  Appointment,
  Authentication,
  Clinic,
  Hasher,
  Ids,
  Notifications,
  Outbox,
  Passcode,
  Patient,
  PatientRepo,
  Portal,
  ScheduleRepo,
  Scheduling,
  Session,
  UnitOfWork
} from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as Ports from "../src/Ports.ts"
import { warmDatabase } from "./warmDatabase.ts"

const services = Portal.layerServices.pipe(
  Layer.provideMerge(Ports.layerPorts({ hasher: Hasher.Hasher.layerMemory })),
  Layer.provideMerge(warmDatabase(8))
)

let next = 0
/** A patient of their own (card, contacts and id unique in this run). */
const freshPatient = () =>
  Effect.gen(function* () {
    const n = ++next
    const patient = Testing.makePatient({
      id: Ids.PatientId.make(`patient-${n}-${Math.random().toString(36).slice(2)}`),
      healthCard: new Patient.HealthCardIdentifier({ idType: "ON-HCN", number: String(2_000_000_000 + n) }),
      email: Patient.EmailAddress.make(`patient${n}@example.org`),
      mobile: Patient.E164.make(`+1416555${String(1000 + n).slice(-4)}`)
    })
    yield* (yield* PatientRepo.PatientRepo).save(patient)
    return patient
  })

/** The newest code queued for a challenge, opened as the patient's device would. */
const codeFor = (challengeId: Ids.ChallengeId) =>
  Effect.gen(function* () {
    const note = [...(yield* (yield* Outbox.Outbox).all)]
      .reverse()
      .find((n) => n.payload.challengeId === challengeId)
    if (note === undefined) return yield* Effect.die(new Error("no code was queued"))
    return Option.getOrThrow(yield* Notifications.openCode(yield* Hasher.Hasher, note))
  })

const startLogin = (patient: Patient.Patient) =>
  Effect.gen(function* () {
    const auth = yield* Authentication.Authentication
    const { challengeId } = yield* auth.startLogin({
      clinicId: patient.clinicId,
      identifier: patient.healthCard,
      contact: patient.email ?? ""
    })
    return { challengeId, code: yield* codeFor(challengeId) }
  })

const countBy = <A>(xs: ReadonlyArray<A>, key: (a: A) => string) => {
  const out: Record<string, number> = {}
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1
  return out
}

layer(services, { timeout: 120_000, excludeTestServices: true })("the services on PostgreSQL", (it) => {
  it.effect("50 concurrent verifications of one right code open exactly one session", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication.Authentication
      const patient = yield* freshPatient()
      const { challengeId, code } = yield* startLogin(patient)
      const results = yield* Effect.all(
        Array.from({ length: 50 }, () => Effect.result(auth.verifyLogin(challengeId, code, false))),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        countBy(results, (r) => (r._tag === "Success" ? "session" : r.failure._tag)),
        { session: 1, PasscodeUsed: 49 }
      )
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{
        readonly n: number
      }>`SELECT count(*)::int AS n FROM sessions WHERE patient_id = ${patient.id}`
      assert.strictEqual(rows[0]?.n, 1)
    })
  )

  it.effect("50 concurrent wrong entries stop at five, and the right code is then refused", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication.Authentication
      const patient = yield* freshPatient()
      const { challengeId, code } = yield* startLogin(patient)
      const wrong = Redacted.make(Redacted.value(code) === "000000" ? "111111" : "000000")
      const errors = yield* Effect.all(
        Array.from({ length: 50 }, () => Effect.flip(auth.verifyLogin(challengeId, wrong, false))),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        countBy(errors, (e) => e._tag),
        { PasscodeInvalid: 4, PasscodeLocked: 46 }
      )
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{
        readonly failed_attempts: number
      }>`SELECT failed_attempts FROM passcodes WHERE challenge_id = ${challengeId}`
      assert.deepStrictEqual(
        rows.map((r) => r.failed_attempts),
        [5]
      )
      const right = yield* Effect.flip(auth.verifyLogin(challengeId, code, false))
      assert.strictEqual(right._tag, "PasscodeLocked")
    })
  )

  it.effect(
    "20 concurrent requests for one slot book exactly one appointment",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-07-06T12:00:00Z")))
        yield* (yield* Clinic.ClinicRepo).save(Testing.makeClinic())
        const schedule = yield* ScheduleRepo.ScheduleRepo
        const providerId = Ids.ProviderId.make(`provider-${Math.random().toString(36).slice(2)}`)
        const typeId = Ids.AppointmentTypeId.make(`type-${Math.random().toString(36).slice(2)}`)
        yield* schedule.saveProvider(
          new Appointment.Provider({
            id: providerId,
            clinicId: Testing.clinicId,
            name: "Dr. Osei",
            weeklyHours: [1, 2, 3, 4, 5].map(
              (weekday) => new Appointment.WeeklyHours({ weekday, start: "09:00", end: "12:00" })
            )
          })
        )
        yield* schedule.saveType(
          new Appointment.AppointmentType({
            id: typeId,
            clinicId: Testing.clinicId,
            name: "Visit",
            mode: "in-person",
            durationMinutes: 30,
            patientBooking: "book",
            questionnaireIds: []
          })
        )
        const scheduling = yield* Scheduling.Scheduling
        const patients = yield* Effect.all(Array.from({ length: 20 }, freshPatient))
        const principals = patients.map(
          (p, i) =>
            new Session.PatientPrincipal({
              sessionId: Ids.SessionId.make(`s-${i}`),
              clinicId: p.clinicId,
              patientId: p.id
            })
        )
        const start = DateTime.makeUnsafe("2026-07-08T13:00:00Z")
        const results = yield* Effect.all(
          principals.map((me) => Effect.result(scheduling.request(me, { providerId, typeId, start }))),
          { concurrency: "unbounded" }
        )
        const booked = results.filter((r) => r._tag === "Success")
        assert.strictEqual(booked.length, 1)
        for (const r of results) {
          if (r._tag === "Failure") assert.include(["SlotTaken", "SlotUnavailable"], r.failure._tag)
        }
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{
          readonly n: number
        }>`SELECT count(*)::int AS n FROM appointments WHERE provider_id = ${providerId} AND status IN ('requested', 'booked')`
        assert.strictEqual(rows[0]?.n, 1)
      }).pipe(Effect.provide(TestClock.layer())) // the services on a test clock; the pool keeps the real one
  )

  it.effect(
    "a failure inside a unit of work writes nothing: no patient, no outbox record, no audit event",
    () =>
      Effect.gen(function* () {
        const uow = yield* UnitOfWork.UnitOfWork
        const auth = yield* Authentication.Authentication
        const sql = yield* SqlClient.SqlClient
        const count = (table: string) =>
          Effect.map(
            sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`,
            (rows) => rows[0]?.n ?? 0
          )
        const before = yield* Effect.all([
          count("patients"),
          count("outbox"),
          count("audit_events"),
          count("passcodes")
        ])
        const failed = yield* Effect.flip(
          uow.transaction(
            Effect.gen(function* () {
              const patient = yield* freshPatient()
              yield* auth.issueLink(
                patient,
                "quick-link",
                new Passcode.ResourceRef({ kind: "message", id: "m-1" })
              )
              return yield* Effect.fail("boom" as const)
            })
          )
        )
        assert.strictEqual(failed, "boom")
        const after = yield* Effect.all([
          count("patients"),
          count("outbox"),
          count("audit_events"),
          count("passcodes")
        ])
        assert.deepStrictEqual(after, before)
      })
  )

  it.effect("one patient's journey through every service, on PostgreSQL", () =>
    Testing.patientJourney.pipe(Effect.provide(TestClock.layer()))
  )
})
