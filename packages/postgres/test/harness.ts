/**
 * The database of a test run: a fresh schema on the real PostgreSQL (found through
 * DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) that is dropped afterwards,
 * or — on a machine without PostgreSQL — the embedded database in a fresh temporary directory.
 * Runs never see each other's rows.
 */

import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { PgClient } from "@effect/sql-pg"
import { Effect, Layer } from "effect"
import type { SqlClient } from "effect/sql"
import * as Database from "../src/Database.ts"
import { createFreshSchema, databaseUrl } from "./freshSchema.ts"

// Where the Postgres tests and the schemas of `freshSchema.ts` live.
export { databaseUrl }

let announced = false
const announce = (message: string) =>
  Effect.sync(() => {
    if (!announced) console.warn(message)
    announced = true
  })

/** Whether this run has the real server (decided once per test file). */
export const realServer = Effect.cached(Database.isReachable(databaseUrl)).pipe(Effect.flatten)

/** A fresh, migrated schema on the real server, dropped when the layer is released. */
const freshSchema = (maxConnections: number) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const schema = yield* createFreshSchema
      return Database.layerMigrations.pipe(
        Layer.provideMerge(
          Database.layerServer({
            url: databaseUrl,
            maxConnections,
            startupParameters: { search_path: schema }
          })
        )
      )
    })
  )

/** A fresh embedded database in a temporary directory, removed afterwards. */
export const freshEmbedded = (dataDir?: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const dir =
        dataDir ??
        (yield* Effect.acquireRelease(
          Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "careportal-pglite-"))),
          (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
        ))
      return Database.layerMigrations.pipe(Layer.provideMerge(Database.layerEmbedded({ dataDir: dir })))
    })
  )

/**
 * The test database: the real server when reachable (a pool of `maxConnections`, so
 * concurrency is real), else the embedded one, announced once.
 */
export const testDatabase = (options: { readonly maxConnections?: number } = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      if (yield* realServer) return freshSchema(options.maxConnections ?? 10)
      yield* announce(
        "careportal: no PostgreSQL reachable at DATABASE_URL; the Postgres tests run on the embedded database (PGlite) instead"
      )
      return freshEmbedded()
    })
  ) as Layer.Layer<PgClient.PgClient | SqlClient.SqlClient>
