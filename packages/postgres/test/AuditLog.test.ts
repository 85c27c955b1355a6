/**
 * `AuditLog` on PostgreSQL: the contract cases (tampering done with SQL, as someone with write
 * access to the table could), and the Postgres-only proof that concurrent appends from several
 * connections never fork a clinic's chain.
 */
import { AuditEvent, AuditLog, Ids, UnitOfWork } from "@careportal/domain"
import { AuditLogContract, AuditLogTampering } from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as PgAuditLog from "../src/AuditLog.ts"
import * as PgUnitOfWork from "../src/UnitOfWork.ts"
import { warmDatabase } from "./warmDatabase.ts"

/** Tampering straight in the table. */
const tamperingSql = Layer.effect(
  AuditLogTampering,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return AuditLogTampering.of({
      alterOutcome: (clinicId, sequence) =>
        Effect.orDie(sql`
          UPDATE audit_events SET outcome = CASE outcome WHEN 'success' THEN 'failure' ELSE 'success' END
          WHERE clinic_id = ${clinicId} AND sequence = ${sequence}
        `),
      remove: (clinicId, sequence) =>
        Effect.orDie(sql`DELETE FROM audit_events WHERE clinic_id = ${clinicId} AND sequence = ${sequence}`)
    })
  })
)

const layers = Layer.mergeAll(PgAuditLog.layer, PgUnitOfWork.layer, tamperingSql).pipe(
  Layer.provideMerge(warmDatabase(8))
)

const entry = (clinicId: Ids.ClinicId, i: number) =>
  new AuditEvent.AuditEntry({
    id: Ids.AuditEventId.make(`event-${clinicId}-${i}`),
    clinicId,
    actor: new AuditEvent.Actor({ kind: "staff", id: `staff-${i % 3}` }),
    action: "chart.read",
    patientId: Ids.PatientId.make(`patient-${i % 5}`),
    resource: `chart:${i}`,
    outcome: "success",
    at: DateTime.makeUnsafe(1_900_000_000_000 + i)
  })

layer(layers, { timeout: 60_000 })("AuditLog (Postgres)", (it) => {
  for (const c of AuditLogContract) it.effect(`contract: ${c.name}`, () => c.run)

  it.effect(
    "20 concurrent appends to one clinic, over 8 connections, give one chain of 20 that verifies",
    () =>
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        const clinics = [0, 1, 2].map((k) => Ids.ClinicId.make(`clinic-race-${k}-${crypto.randomUUID()}`))
        // Three clinics at once: each is serialised on its own lock, and they do not wait on each other.
        const events = yield* Effect.all(
          clinics.flatMap((clinicId) => Array.from({ length: 20 }, (_, i) => log.append(entry(clinicId, i)))),
          { concurrency: "unbounded" }
        )
        for (const clinicId of clinics) {
          const mine = events.filter((e) => e.clinicId === clinicId)
          assert.deepStrictEqual(
            mine.map((e) => e.sequence).sort((a, b) => a - b),
            Array.from({ length: 20 }, (_, i) => i + 1)
          )
          assert.deepStrictEqual(yield* log.verify(clinicId), { _tag: "Intact", events: 20 })
          const stored = yield* log.list({ clinicId })
          assert.deepStrictEqual(stored.map((e) => e.id).sort(), mine.map((e) => e.id).sort())
          for (let i = 1; i < stored.length; i++) {
            assert.strictEqual(stored[i]?.prevHash, stored[i - 1]?.hash)
          }
        }
      })
  )

  it.effect(
    "an append in a unit of work that fails is rolled back, and the chain goes on from the committed head",
    () =>
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        const uow = yield* UnitOfWork.UnitOfWork
        const clinicId = Ids.ClinicId.make(`clinic-rollback-${crypto.randomUUID()}`)
        yield* log.append(entry(clinicId, 0))
        const failed = yield* Effect.flip(
          uow.transaction(
            Effect.gen(function* () {
              yield* log.append(entry(clinicId, 1))
              return yield* Effect.fail("boom" as const)
            })
          )
        )
        assert.strictEqual(failed, "boom")
        const next = yield* log.append(entry(clinicId, 2))
        assert.strictEqual(next.sequence, 2)
        assert.deepStrictEqual(yield* log.verify(clinicId), { _tag: "Intact", events: 2 })
        assert.deepStrictEqual(
          (yield* log.list({ clinicId })).map((e) => e.id),
          [entry(clinicId, 0).id, entry(clinicId, 2).id]
        )
      })
  )
})
