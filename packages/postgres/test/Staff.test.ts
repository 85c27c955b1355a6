/**
 * The staff-side services on the PostgreSQL ports, as a server runs them: concurrent
 * registrations of one card make one patient across real pool connections; the clinic's list
 * pages in the domain's order; API keys are stored hashed, authenticate and stop when revoked.
 */
import { ApiKeys, Clinic, Hasher, Ids, PatientRepo, Patients, Portal, Staff } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Result } from "effect"
import { SqlClient } from "effect/sql"
import * as Ports from "../src/Ports.ts"
import { warmDatabase } from "./warmDatabase.ts"

const services = Portal.layerServices.pipe(
  Layer.provideMerge(Ports.layerPorts({ hasher: Hasher.Hasher.layerMemory })),
  Layer.provideMerge(warmDatabase(8))
)

/** A clinic of its own, on record, and a staff member of it. */
const freshClinic = Effect.gen(function* () {
  const suffix = crypto.randomUUID().slice(0, 8)
  const clinicId = Ids.ClinicId.make(`clinic-${suffix}`)
  yield* (yield* Clinic.ClinicRepo).save(Testing.makeClinic({ id: clinicId, slug: `clinic-${suffix}` }))
  return { clinicId, staff: new Staff.StaffPrincipal({ staffId: Ids.StaffId.make("reception"), clinicId }) }
})

const registration = (number: string, given = "Ada", family = "Lovelace"): Patients.PatientRegistration => ({
  healthCard: { idType: "ON-HCN", number },
  legalName: { given, family },
  dateOfBirth: "1985-12-10",
  email: "ada@example.org"
})

layer(services, { timeout: 120_000, excludeTestServices: true })("the staff services on PostgreSQL", (it) => {
  it.effect("20 concurrent registrations of one card make exactly one patient; the others name it", () =>
    Effect.gen(function* () {
      const patients = yield* Patients.Patients
      const { clinicId, staff } = yield* freshClinic
      const outcomes = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          Effect.result(patients.register(staff, registration("1234567890", `Ada${i}`)))
        ),
        { concurrency: "unbounded" }
      )
      const created = outcomes.filter(Result.isSuccess).map((r) => r.success)
      assert.strictEqual(created.length, 1)
      const winner = created[0]
      for (const r of outcomes) {
        if (Result.isFailure(r)) {
          assert.strictEqual(r.failure._tag, "PatientAlreadyRegistered")
          if (r.failure._tag === "PatientAlreadyRegistered")
            assert.strictEqual(r.failure.patientId, winner?.id)
        }
      }
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ readonly n: number }>`
        SELECT count(*)::int AS n FROM patients WHERE clinic_id = ${clinicId}`
      assert.strictEqual(rows[0]?.n, 1)
      // Every attempt left its audit event: one success, nineteen refusals.
      const events = yield* sql<{ readonly outcome: string; readonly n: number }>`
        SELECT outcome, count(*)::int AS n FROM audit_events
        WHERE clinic_id = ${clinicId} AND action = 'patient.registered' GROUP BY outcome ORDER BY outcome`
      assert.deepStrictEqual(
        events.map((e) => [e.outcome, e.n]),
        [
          ["failure", 19],
          ["success", 1]
        ]
      )
    })
  )

  it.effect("the clinic's list pages through every patient once, in the domain's order, and searches", () =>
    Effect.gen(function* () {
      const patients = yield* Patients.Patients
      const { staff } = yield* freshClinic
      const names: ReadonlyArray<readonly [string, string]> = [
        ["Émile", "Zola"],
        ["Zoë", "Ørsted"],
        ["Amélie", "O'Connor-Tremblay"],
        ["Bob", "o connor"],
        ["ada", "lovelace"],
        ["Ada", "Lovelace"],
        ["Li", "李"],
        ["Ärzte", "de Souza"],
        ["Carl", "DeSouza"]
      ]
      const registered: Array<Ids.PatientId> = []
      for (const [i, [given, family]] of names.entries()) {
        registered.push(
          (yield* patients.register(staff, registration(String(7_000_000_000 + i), given, family))).id
        )
      }
      const visited: Array<string> = []
      let cursor: string | undefined
      for (let page = 0; page < 20; page++) {
        const found = yield* patients.list(staff, { limit: 2, ...(cursor === undefined ? {} : { cursor }) })
        visited.push(...found.patients.map((p) => `${p.legalName.given} ${p.legalName.family}`))
        if (found.nextCursor === null) break
        cursor = found.nextCursor
      }
      // The order the domain defines (and the in-memory repository follows).
      const expected = names
        .map(([given, family], i) =>
          Testing.makePatient({ id: registered[i] as Ids.PatientId, legalName: { given, family } })
        )
        .sort((a, b) => PatientRepo.compareSortKeys(PatientRepo.sortKeyOf(a), PatientRepo.sortKeyOf(b)))
        .map((p) => `${p.legalName.given} ${p.legalName.family}`)
      assert.deepStrictEqual(visited, expected)
      const found = (query: string) =>
        Effect.map(patients.list(staff, { query, limit: 50 }), (page) =>
          page.patients.map((p) => p.legalName.given)
        )
      assert.deepStrictEqual(yield* found("oconnor"), ["Bob", "Amélie"])
      assert.deepStrictEqual(yield* found("de souza"), ["Ärzte", "Carl"])
      assert.deepStrictEqual(yield* found("EMI"), ["Émile"])
      assert.deepStrictEqual(
        yield* found("700000000"),
        expected.map((n) => n.split(" ")[0])
      )
      assert.deepStrictEqual(yield* found("7000000008"), ["Carl"])
    })
  )

  it.effect("an API key is stored hashed, authenticates as its staff member, and stops when revoked", () =>
    Effect.gen(function* () {
      const keys = yield* ApiKeys.ApiKeys
      const { clinicId } = yield* freshClinic
      const { key, apiKey } = yield* keys.issue({ clinicId, staffId: "reception", label: "front desk" })
      const staff = yield* keys.authenticate(key)
      assert.deepStrictEqual([staff.clinicId, staff.staffId], [clinicId, "reception"])
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql`
        SELECT id, clinic_id, staff_id, label, prefix, key_hash, created_at, revoked_at
        FROM api_keys WHERE clinic_id = ${clinicId}`
      assert.strictEqual(rows.length, 1)
      assert.notInclude(JSON.stringify(rows), Redacted.value(key).slice(12))
      yield* keys.revoke(staff, apiKey.id)
      assert.strictEqual((yield* Effect.flip(keys.authenticate(key)))._tag, "ApiKeyInvalid")
      const listed = yield* keys.list(staff)
      assert.deepStrictEqual(
        listed.map((k) => [k.id, Option.isSome(k.revokedAt)]),
        [[apiKey.id, true]]
      )
    })
  )
})
