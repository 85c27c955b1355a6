/**
 * What delivery records on an outbox row: why its last attempt failed and when the provider
 * accepted it; and the look-up by idempotency key that keeps an email fallback from being
 * queued twice.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE outbox ADD COLUMN last_error text, ADD COLUMN sent_at timestamptz`
  // Not unique: the key names one notification on one channel, but rows recorded before this
  // migration were never checked for it, and a unique index would fail on any duplicate.
  yield* sql`CREATE INDEX outbox_idempotency ON outbox (clinic_id, idempotency_key, position)`
})
