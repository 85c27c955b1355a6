/**
 * The clinic's notifications in pages, whatever their patient: `Outbox.listByClinic` reads
 * newest `created_at` first, ties by `id COLLATE "C"` descending, each page strictly after the
 * last row of the one before, in one status or in any. Each index holds exactly one of those
 * orders under the clinic (the second under the clinic and status, for "which failed this
 * week"), so a page is one range scan of `limit` entries whatever the size of the outbox; with
 * only the first, asking for the rare dead ones would walk every row the clinic ever sent.
 *
 * Migrations run in a transaction, so the indexes are not built `CONCURRENTLY`: the build
 * holds off writes to `outbox` (and so the dispatchers' outcomes) for as long as it takes.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX outbox_clinic_recent ON outbox (clinic_id, created_at DESC, (id COLLATE "C") DESC)`
  yield* sql`
    CREATE INDEX outbox_clinic_status_recent ON outbox (clinic_id, status, created_at DESC, (id COLLATE "C") DESC)
  `
})
