/**
 * `ApiKeyStore` on PostgreSQL: keys in `api_keys`, found by the unique `key_hash`. A
 * revocation is one conditional `UPDATE`, so of concurrent ones exactly one takes and the
 * first revocation time stays. Lists are newest first, ties latest inserted first (a re-save
 * keeps its place), as the in-memory store's are.
 */
import { ApiKey, ApiKeyStore, type Ids } from "@careportal/domain"
import { Array as Arr, DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  staff_id: Schema.String,
  label: Schema.String,
  prefix: Schema.String,
  key_hash: Schema.String,
  created_at: Schema.DateTimeUtcFromDate,
  revoked_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const keys = (rows: ReadonlyArray<unknown>) =>
  decodeRows(Row)(rows).map((row) =>
    Schema.decodeUnknownSync(ApiKey.ApiKey)({
      id: row.id,
      clinicId: row.clinic_id,
      staffId: row.staff_id,
      label: row.label,
      prefix: row.prefix,
      keyHash: row.key_hash,
      createdAt: row.created_at,
      revokedAt: row.revoked_at
    })
  )

/** Clinic API keys in the `api_keys` table. */
export const layer: Layer.Layer<ApiKeyStore.ApiKeyStore, never, SqlClient.SqlClient> = Layer.effect(
  ApiKeyStore.ApiKeyStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const date = DateTime.toDate
    return ApiKeyStore.ApiKeyStore.of({
      save: Effect.fn("ApiKeyStore.save")(function* (key: ApiKey.ApiKey) {
        const revokedAt = key.revokedAt._tag === "Some" ? date(key.revokedAt.value) : null
        yield* orDie(sql`
          INSERT INTO api_keys (clinic_id, id, staff_id, label, prefix, key_hash, created_at, revoked_at)
          VALUES (${key.clinicId}, ${key.id}, ${key.staffId}, ${key.label}, ${key.prefix}, ${key.keyHash},
            ${date(key.createdAt)}, ${revokedAt}::timestamptz)
          ON CONFLICT (clinic_id, id) DO UPDATE SET staff_id = EXCLUDED.staff_id, label = EXCLUDED.label,
            prefix = EXCLUDED.prefix, key_hash = EXCLUDED.key_hash, created_at = EXCLUDED.created_at,
            revoked_at = EXCLUDED.revoked_at
        `)
      }),
      findByHash: Effect.fn("ApiKeyStore.findByHash")(function* (keyHash: string) {
        return Arr.head(keys(yield* orDie(sql`SELECT * FROM api_keys WHERE key_hash = ${keyHash}`)))
      }),
      listByClinic: Effect.fn("ApiKeyStore.listByClinic")(function* (clinicId: Ids.ClinicId) {
        return keys(
          yield* orDie(sql`
            SELECT * FROM api_keys WHERE clinic_id = ${clinicId} ORDER BY created_at DESC, position DESC
          `)
        )
      }),
      revoke: Effect.fn("ApiKeyStore.revoke")(function* (
        clinicId: Ids.ClinicId,
        id: Ids.ApiKeyId,
        at: DateTime.Utc
      ) {
        const revoked = yield* orDie(sql`
          UPDATE api_keys SET revoked_at = ${date(at)}
          WHERE clinic_id = ${clinicId} AND id = ${id} AND revoked_at IS NULL
          RETURNING id
        `)
        return revoked.length > 0
      })
    })
  })
)
