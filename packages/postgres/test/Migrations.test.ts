/**
 * Migrations over data already there: 00008 fills in the listing keys of the patients that
 * migrations 1 to 7 left, exactly as the domain folds names, so the clinic's list pages them
 * in the domain's order. Real PostgreSQL only (a schema of its own, dropped afterwards).
 */
import { Ids, PatientRepo } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { NodeServices } from "@effect/platform-node"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Migrator } from "effect/sql"
import * as Database from "../src/Database.ts"
import core from "../src/migrations/00001_core.ts"
import auth from "../src/migrations/00002_auth.ts"
import auditOutbox from "../src/migrations/00003_audit_outbox.ts"
import scheduling from "../src/migrations/00004_scheduling.ts"
import careRecords from "../src/migrations/00005_care_records.ts"
import messagesUploads from "../src/migrations/00006_messages_uploads.ts"
import outboxDelivery from "../src/migrations/00007_outbox_delivery.ts"
import { loader } from "../src/migrations/index.ts"
import * as PgPatientRepo from "../src/PatientRepo.ts"
import { databaseUrl, realServer } from "./harness.ts"

const onRealServer = await Effect.runPromise(realServer)

const beforeStaff = Migrator.fromRecord({
  "00001_core": core,
  "00002_auth": auth,
  "00003_audit_outbox": auditOutbox,
  "00004_scheduling": scheduling,
  "00005_care_records": careRecords,
  "00006_messages_uploads": messagesUploads,
  "00007_outbox_delivery": outboxDelivery
})

/** A schema of its own on the real server, not migrated, dropped afterwards. */
const bareSchema = Effect.gen(function* () {
  // Named like the harness's, so that a killed run's schema is swept by a later one.
  const schema = `careportal_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = PgClient.layer({ url: databaseUrl, maxConnections: 1 })
  yield* Effect.acquireRelease(
    Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(`CREATE SCHEMA ${schema}`)).pipe(
      Effect.provide(admin),
      Effect.orDie
    ),
    () =>
      Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(`DROP SCHEMA ${schema} CASCADE`)).pipe(
        Effect.provide(admin),
        Effect.orDie
      )
  )
  return Database.layerServer({
    url: databaseUrl,
    maxConnections: 1,
    startupParameters: { search_path: schema }
  })
})

const migrate = (migrations: Migrator.Loader) =>
  PgMigrator.run({ loader: migrations }).pipe(Effect.provide(NodeServices.layer), Effect.orDie)

describe.skipIf(!onRealServer)("migration 00008 on existing patients (real PostgreSQL only)", () => {
  it.live(
    "fills in each patient's listing keys as the domain folds names; the list then pages in order",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const client = yield* bareSchema
          yield* Effect.gen(function* () {
            yield* migrate(beforeStaff)
            const sql = yield* PgClient.PgClient
            const names: ReadonlyArray<readonly [string, string]> = [
              ["Amélie", "O'Connor-Tremblay"],
              ["Zoë", "Ørsted"],
              ["ÉMILE", "de Souza"],
              ["Li", "李"],
              ["Ada", "Lovelace"]
            ]
            for (const [i, [given, family]] of names.entries()) {
              yield* sql`
              INSERT INTO patients (clinic_id, id, card_id_type, card_number, given_name, family_name, date_of_birth,
                notification_preference, language)
              VALUES (${Testing.clinicId}, ${`patient-${i}`}, 'ON-HCN', ${String(8_000_000_000 + i)}, ${given},
                ${family}, '1985-12-10', 'email', 'en')
            `
            }
            yield* migrate(loader)
            const rows = yield* sql<{
              readonly id: string
              readonly given_name: string
              readonly family_name: string
              readonly given_key: string
              readonly family_key: string
            }>`SELECT id, given_name, family_name, given_key, family_key FROM patients ORDER BY id`
            assert.strictEqual(rows.length, names.length)
            for (const r of rows) {
              assert.deepStrictEqual(
                [r.given_key, r.family_key],
                [PatientRepo.foldName(r.given_name), PatientRepo.foldName(r.family_name)]
              )
            }
            // The repository lists them in the domain's order.
            const listed = yield* Effect.flatMap(PatientRepo.PatientRepo, (repo) =>
              repo.listByClinic(Testing.clinicId, { limit: 100 })
            ).pipe(Effect.provide(PgPatientRepo.layer))
            const expected = names
              .map(([given, family], i) =>
                Testing.makePatient({ id: Ids.PatientId.make(`patient-${i}`), legalName: { given, family } })
              )
              .sort((a, b) => PatientRepo.compareSortKeys(PatientRepo.sortKeyOf(a), PatientRepo.sortKeyOf(b)))
            assert.deepStrictEqual(
              listed.map((p) => p.id),
              expected.map((p) => p.id)
            )
          }).pipe(Effect.provide(Layer.fresh(client)), Effect.orDie)
        })
      )
  )
})
