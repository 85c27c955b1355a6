/**
 * `VirtualVisitStore` on PostgreSQL: the same contract cases as the in-memory store, across a
 * pool of connections (so the concurrent cases race for real), plus issue and revoke racing
 * inside callers' units of work, and a refused issue inside a unit that goes on to commit.
 */
import { Ids, Passcode, UnitOfWork, VirtualVisit } from "@careportal/domain"
import { VirtualVisitStoreContract } from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as PgUnitOfWork from "../src/UnitOfWork.ts"
import * as PgVirtualVisitStore from "../src/VirtualVisitStore.ts"
import { testDatabase } from "./harness.ts"

const T0 = DateTime.makeUnsafe("2030-06-01T09:00:00.000Z")

const appointment = () => {
  const id = crypto.randomUUID()
  return {
    clinicId: Ids.ClinicId.make(`clinic-${id}`),
    patientId: Ids.PatientId.make(`patient-${id}`),
    appointmentId: Ids.AppointmentId.make(`appointment-${id}`)
  }
}

const codeFor = (a: ReturnType<typeof appointment>, at: DateTime.Utc = T0) => {
  const id = crypto.randomUUID()
  return new VirtualVisit.VisitCode({
    id: VirtualVisit.VisitCodeId.make(`visit-code-${id}`),
    ...a,
    codeHash: Passcode.CodeHash.make(`hmac-${id}`),
    status: "active",
    issuedAt: at,
    endedAt: null
  })
}

layer(
  Layer.mergeAll(PgVirtualVisitStore.layer, PgUnitOfWork.layer).pipe(
    Layer.provideMerge(testDatabase({ maxConnections: 8 }))
  ),
  { timeout: 60_000 }
)("VirtualVisitStore (Postgres)", (it) => {
  for (const c of VirtualVisitStoreContract) it.effect(c.name, () => c.run)

  it.effect(
    "of 40 concurrent units issuing a code for one appointment, all commit and exactly one code is active",
    () =>
      Effect.gen(function* () {
        const store = yield* VirtualVisit.VirtualVisitStore
        const uow = yield* UnitOfWork.UnitOfWork
        const sql = yield* SqlClient.SqlClient
        const a = appointment()
        const codes = Array.from({ length: 40 }, (_, i) =>
          codeFor(a, DateTime.addDuration(T0, `${i} seconds`))
        )
        const outcomes = yield* Effect.forEach(
          codes,
          // Some work after the issue keeps each unit's lock held a little longer.
          (code) => uow.transaction(Effect.tap(store.issue(code), () => sql`SELECT pg_sleep(0.002)`)),
          { concurrency: "unbounded" }
        )
        assert.isTrue(outcomes.every((o) => o))
        const stored = yield* store.listByAppointment(a.appointmentId)
        assert.strictEqual(stored.length, 40)
        assert.strictEqual(stored.filter((c) => c.status === "active").length, 1)
        assert.strictEqual(stored.filter((c) => c.status === "superseded").length, 39)
        assert.strictEqual(stored[39]?.status, "active")
      })
  )

  it.effect(
    "issues and revocations racing for one appointment leave at most one active code, revoked ones stay revoked",
    () =>
      Effect.gen(function* () {
        const store = yield* VirtualVisit.VirtualVisitStore
        const uow = yield* UnitOfWork.UnitOfWork
        const a = appointment()
        const revokedEach = yield* Effect.forEach(
          Array.from({ length: 40 }, (_, i) => i),
          (i) =>
            i % 4 === 3
              ? uow.transaction(store.revoke(a.appointmentId, DateTime.addDuration(T0, "1 hour")))
              : Effect.as(uow.transaction(store.issue(codeFor(a))), []),
          { concurrency: "unbounded" }
        )
        const stored = yield* store.listByAppointment(a.appointmentId)
        assert.strictEqual(stored.length, 30)
        assert.isAtMost(stored.filter((c) => c.status === "active").length, 1)
        // A code revoked by one revocation is reported by that one only.
        const reported = revokedEach.flat().map((c) => c.id)
        assert.strictEqual(new Set(reported).size, reported.length)
        assert.deepStrictEqual(
          [...reported].sort(),
          stored
            .filter((c) => c.status === "revoked")
            .map((c) => c.id)
            .sort()
        )
      })
  )

  it.effect("a revocation racing an issue ends the old code or the new one, never neither", () =>
    Effect.gen(function* () {
      const store = yield* VirtualVisit.VirtualVisitStore
      const uow = yield* UnitOfWork.UnitOfWork
      const sql = yield* SqlClient.SqlClient
      const a = appointment()
      const old = codeFor(a)
      assert.isTrue(yield* store.issue(old))
      const fresh = codeFor(a, DateTime.addDuration(T0, "1 minute"))
      const at = DateTime.addDuration(T0, "2 minutes")
      // The issue's unit stays open a while after superseding `old`; the revocation starts meanwhile.
      const [, revoked] = yield* Effect.all(
        [
          uow.transaction(Effect.tap(store.issue(fresh), () => sql`SELECT pg_sleep(0.3)`)),
          Effect.andThen(sql`SELECT pg_sleep(0.1)`, uow.transaction(store.revoke(a.appointmentId, at)))
        ],
        { concurrency: "unbounded" }
      )
      // Run one after the other, either order revokes one code: `old` (revoke first) or `fresh`.
      assert.deepStrictEqual(
        revoked.map((c) => c.id),
        [fresh.id]
      )
      const stored = yield* store.listByAppointment(a.appointmentId)
      assert.deepStrictEqual(
        stored.map((c) => c.status),
        ["superseded", "revoked"]
      )
    })
  )

  it.effect("a refused issue inside a unit undoes only its own writes; the unit's other writes commit", () =>
    Effect.gen(function* () {
      const store = yield* VirtualVisit.VirtualVisitStore
      const uow = yield* UnitOfWork.UnitOfWork
      const x = appointment()
      const y = appointment()
      const yActive = codeFor(y)
      assert.isTrue(yield* store.issue(yActive))
      const xCode = codeFor(x)
      const taken = yield* uow.transaction(
        Effect.gen(function* () {
          assert.isTrue(yield* store.issue(xCode))
          // For y, but with x's hash: refused after it had superseded y's active code.
          return yield* store.issue(new VirtualVisit.VisitCode({ ...codeFor(y), codeHash: xCode.codeHash }))
        })
      )
      assert.isFalse(taken)
      assert.deepStrictEqual(yield* store.listByAppointment(x.appointmentId), [xCode])
      assert.deepStrictEqual(yield* store.listByAppointment(y.appointmentId), [yActive])
    })
  )
})
