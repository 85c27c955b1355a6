/**
 * The per-address request counts that every replica shares (`RateLimiter.layerSql` of
 * packages/api): one row per route class and client address, holding its current fixed window.
 *
 * A take is one `INSERT … ON CONFLICT DO UPDATE` on the row's key, so concurrent takes queue on
 * the row. `allowed` records whether the latest take was let through, because `RETURNING` sees
 * only the row as written. `window_end` is what pruning looks at: the limiter deletes the rows
 * whose window ended more than an hour ago, every 1000 takes of a process.
 *
 * Unlogged: the counts are written on every limited request and are worth nothing after a
 * crash or a failover, where losing them only starts every address on a fresh window.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE UNLOGGED TABLE rate_limits (
      key text PRIMARY KEY,
      window_start timestamptz NOT NULL,
      window_end timestamptz NOT NULL,
      count integer NOT NULL,
      allowed boolean NOT NULL
    )
  `
  // Only pruning reads it; a take changes window_end only when it starts a new window.
  yield* sql`CREATE INDEX rate_limits_window_end ON rate_limits (window_end)`
})
