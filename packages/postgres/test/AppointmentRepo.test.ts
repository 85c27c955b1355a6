/**
 * `AppointmentRepo` on PostgreSQL: the same contract cases as the in-memory repository, and
 * the race across a pool of connections: 20 saves for one slot, one holds it. Also
 * that a refused save inside a caller's transaction rolls back alone (a savepoint), so the
 * caller's other writes commit, or roll back, as the caller decides.
 */
import { Appointment, AppointmentRepo, Ids } from "@careportal/domain"
import { AppointmentRepoContract } from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as PgAppointmentRepo from "../src/AppointmentRepo.ts"
import { warmDatabase } from "./warmDatabase.ts"

const start = DateTime.makeUnsafe("2031-02-03T15:00:00.000Z")

const makeAppointment = (providerId: Ids.ProviderId, fromMinute: number, toMinute: number) => {
  const id = crypto.randomUUID()
  return new Appointment.Appointment({
    id: Ids.AppointmentId.make(`appointment-${id}`),
    clinicId: Ids.ClinicId.make("clinic-slot-race"),
    patientId: Ids.PatientId.make(`patient-${id}`),
    providerId,
    typeId: Ids.AppointmentTypeId.make("type-slot-race"),
    mode: "in-person",
    start: DateTime.addDuration(start, `${fromMinute} minutes`),
    end: DateTime.addDuration(start, `${toMinute} minutes`),
    status: "booked",
    createdAt: start,
    updatedAt: start
  })
}

const outcome = (effect: Effect.Effect<void, { readonly _tag: "SlotTaken" }>) =>
  effect.pipe(
    Effect.as("saved" as const),
    Effect.catchTag("SlotTaken", () => Effect.succeed("SlotTaken" as const))
  )

layer(PgAppointmentRepo.layer.pipe(Layer.provideMerge(warmDatabase(8))), {
  timeout: 60_000
})("AppointmentRepo (Postgres)", (it) => {
  for (const c of AppointmentRepoContract) it.effect(c.name, () => c.run)

  it.effect("20 concurrent bookings of one slot: exactly one is saved, the rest answer SlotTaken", () =>
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo.AppointmentRepo
      const sql = yield* SqlClient.SqlClient
      const providerId = Ids.ProviderId.make(`provider-${crypto.randomUUID()}`)
      const outcomes = yield* Effect.all(
        Array.from({ length: 20 }, () => outcome(repo.save(makeAppointment(providerId, 0, 30)))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(outcomes.filter((o) => o === "saved").length, 1)
      assert.strictEqual(outcomes.filter((o) => o === "SlotTaken").length, 19)
      const rows = yield* sql<{ count: string }>`
          SELECT count(*)::text AS count FROM appointments WHERE provider_id = ${providerId}
        `
      assert.deepStrictEqual(rows, [{ count: "1" }])
    })
  )

  it.effect(
    "a refused save inside a transaction rolls back alone; the caller commits or rolls back the rest",
    () =>
      Effect.gen(function* () {
        const repo = yield* AppointmentRepo.AppointmentRepo
        const sql = yield* SqlClient.SqlClient
        const providerId = Ids.ProviderId.make(`provider-${crypto.randomUUID()}`)
        const first = makeAppointment(providerId, 0, 30)
        const clash = makeAppointment(providerId, 15, 45)
        const next = makeAppointment(providerId, 30, 60)
        const inside = yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* repo.save(first)
            const refused = yield* outcome(repo.save(clash))
            yield* repo.save(next)
            return refused
          })
        )
        assert.strictEqual(inside, "SlotTaken")
        assert.deepStrictEqual(yield* repo.findById(first.id), Option.some(first))
        assert.deepStrictEqual(yield* repo.findById(next.id), Option.some(next))
        assert.isTrue(Option.isNone(yield* repo.findById(clash.id)))

        const later = makeAppointment(providerId, 60, 90)
        const rolledBack = yield* Effect.flip(
          sql.withTransaction(
            Effect.gen(function* () {
              yield* repo.save(later)
              return yield* repo.save(makeAppointment(providerId, 70, 80))
            })
          )
        )
        assert.strictEqual(rolledBack._tag, "SlotTaken")
        assert.isTrue(
          Option.isNone(yield* repo.findById(later.id)),
          "the caller's failure rolled back its save"
        )
      })
  )
})
