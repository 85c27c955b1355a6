/**
 * The clinic's appointments in pages: `AppointmentRepo.listByClinic` reads by `start_at`, ties
 * by `id COLLATE "C"`, each page strictly after the last row of the one before. This index
 * holds exactly that order under the clinic, so a page is one range scan of `limit` entries
 * whatever the size of the clinic's diary. It replaces `appointments_clinic (clinic_id,
 * start_at)`, a prefix of it that serves nothing the new one does not.
 *
 * Migrations run in a transaction, so the index is not built `CONCURRENTLY`: the build holds
 * off writes to `appointments` for as long as it takes.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX appointments_clinic_listing ON appointments (clinic_id, start_at, (id COLLATE "C"))`
  yield* sql`DROP INDEX appointments_clinic`
})
