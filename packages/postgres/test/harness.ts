/**
 * The database of a test run: a fresh schema on the real PostgreSQL (found through
 * DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) that is dropped afterwards,
 * or — on a machine without PostgreSQL — the embedded database in a fresh temporary directory.
 * Runs never see each other's rows.
 */

import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import type { SqlClient } from "effect/sql"
import * as Database from "../src/Database.ts"

export const databaseUrl = Redacted.make(
  process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
)

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
      const schema = `careportal_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
      const admin = PgClient.layer({ url: databaseUrl, maxConnections: 1 })
      yield* Effect.acquireRelease(
        Effect.gen(function* () {
          const sql = yield* PgClient.PgClient
          // A run that was killed cannot drop its schema: sweep those more than an hour old.
          const stale = yield* sql<{ readonly nspname: string }>`
            SELECT nspname FROM pg_namespace WHERE nspname LIKE 'careportal_test_%'`
          for (const { nspname } of stale) {
            const born = Number.parseInt(nspname.split("_")[2] ?? "", 36)
            if (Number.isFinite(born) && Date.now() - born > 3_600_000) {
              yield* sql.unsafe(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`)
            }
          }
          yield* sql.unsafe(`CREATE SCHEMA ${schema}`)
        }).pipe(Effect.provide(admin), Effect.orDie),
        () =>
          Effect.gen(function* () {
            const sql = yield* PgClient.PgClient
            yield* sql.unsafe(`DROP SCHEMA ${schema} CASCADE`)
          }).pipe(Effect.provide(admin), Effect.orDie)
      )
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
