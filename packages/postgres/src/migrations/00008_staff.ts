/**
 * The staff side: clinic API keys (only their SHA-256 is kept), the keys the clinic's patient
 * list sorts and searches by, and a patient's notifications newest first.
 *
 * `family_key` and `given_key` are the folded names (`PatientRepo.foldName` in the domain:
 * marks removed, lower-cased, only letters and digits kept) and are `COLLATE "C"`, so the
 * listing is in code-point order, as the domain's, whatever the database's default collation. The repository
 * writes them; this migration fills them in for the patients already there, with a copy of the
 * folding as it stood when it was written (a migration never changes once applied).
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/** `foldName` as of this migration. */
const fold = (name: string): string =>
  name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "")

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // A key is looked up by its hash on every staff request. (On a sharded cluster this unique
  // index would have to include clinic_id; the port looks keys up by hash alone, like sessions.)
  yield* sql`
    CREATE TABLE api_keys (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      staff_id text NOT NULL,
      label text NOT NULL,
      prefix text NOT NULL,
      key_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE UNIQUE INDEX api_keys_key_hash ON api_keys (key_hash)`
  yield* sql`CREATE INDEX api_keys_clinic ON api_keys (clinic_id, created_at DESC, position DESC)`

  yield* sql`ALTER TABLE patients ADD COLUMN family_key text COLLATE "C", ADD COLUMN given_key text COLLATE "C"`
  for (;;) {
    const rows = yield* sql<{
      readonly clinic_id: string
      readonly id: string
      readonly given_name: string
      readonly family_name: string
    }>`
      SELECT clinic_id, id, given_name, family_name FROM patients WHERE family_key IS NULL
      ORDER BY clinic_id, id LIMIT 1000
    `
    if (rows.length === 0) break
    const keys = rows.map((r) => ({
      clinic_id: r.clinic_id,
      id: r.id,
      family_key: fold(r.family_name),
      given_key: fold(r.given_name)
    }))
    yield* sql`
      UPDATE patients AS p SET family_key = v.family_key, given_key = v.given_key
      FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) AS v(clinic_id text, id text, family_key text, given_key text)
      WHERE p.clinic_id = v.clinic_id AND p.id = v.id
    `
  }
  yield* sql`ALTER TABLE patients ALTER COLUMN family_key SET NOT NULL, ALTER COLUMN given_key SET NOT NULL`
  // The clinic's list, paged by (family_key, given_key, id): the keyset walks this index.
  yield* sql`CREATE INDEX patients_listing ON patients (clinic_id, family_key, given_key, (id COLLATE "C"))`

  // A patient's notifications for staff, newest first.
  yield* sql`CREATE INDEX outbox_patient_recent ON outbox (clinic_id, patient_id, created_at DESC, position DESC)`
})
