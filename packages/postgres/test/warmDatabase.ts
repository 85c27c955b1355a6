/**
 * The test database with its whole pool opened up front. A pool opens connections on demand,
 * so on a cold pool the first burst of concurrent requests mostly queues for one connection
 * and runs one after another; with every connection open they race for real.
 */
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { testDatabase } from "./harness.ts"

/** `testDatabase({ maxConnections })` with all `maxConnections` connections open. */
export const warmDatabase = (maxConnections: number) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      // Each holds its connection briefly, so the pool must open another for the next.
      yield* Effect.all(
        Array.from({ length: maxConnections }, () => sql`SELECT pg_sleep(0.05)`),
        { concurrency: "unbounded", discard: true }
      )
    }).pipe(Effect.orDie)
  ).pipe(Layer.provideMerge(testDatabase({ maxConnections })))
