/**
 * The database careportal runs on: PostgreSQL when `DATABASE_URL` is given, otherwise an
 * embedded PGlite served on loopback, so that a new user needs no database server. Both are
 * reached through the same `PgClient` and migrated by the same numbered migrations.
 */

import * as fs from "node:fs"
import * as path from "node:path"
import { NodeServices } from "@effect/platform-node"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { PGlite } from "@electric-sql/pglite"
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { Config, Data, Effect, Layer, Option, type Redacted } from "effect"
import type { SqlClient } from "effect/sql"
import { loader } from "./migrations/index.ts"

/** The embedded database could not start (its directory is in use, unreadable, …). */
export class EmbeddedDatabaseError extends Data.TaggedError("EmbeddedDatabaseError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** Options of a connection to a PostgreSQL server. */
export interface ServerOptions {
  readonly url: Redacted.Redacted<string>
  /** Pool size (default 10). */
  readonly maxConnections?: number
  /** Extra startup parameters, e.g. `{ search_path: "tenant_a" }` (tests use one schema per run). */
  readonly startupParameters?: Readonly<Record<string, string>>
}

/** A pool on a PostgreSQL server. */
export const layerServer = (
  options: ServerOptions
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, unknown> =>
  PgClient.layer({
    url: options.url,
    maxConnections: options.maxConnections ?? 10,
    ...(options.startupParameters === undefined ? {} : { startupParameters: options.startupParameters })
  })

/**
 * Takes the directory's lock file, or fails when another live process holds it: two
 * processes writing one PGlite directory lose writes. A lock left by a process that died is
 * taken over.
 */
const acquireLock = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(dataDir, { recursive: true })
        const lock = path.join(dataDir, "careportal.lock")
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            fs.writeFileSync(lock, String(process.pid), { flag: "wx" })
            return lock
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
            const holder = Number(fs.readFileSync(lock, "utf8"))
            if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
              throw new Error(
                `the embedded database in ${dataDir} is in use by process ${holder}; stop it, or point CAREPORTAL_DATA_DIR elsewhere`
              )
            }
            fs.rmSync(lock, { force: true })
          }
        }
        throw new Error(`could not take the lock file in ${dataDir}`)
      },
      catch: (cause) =>
        new EmbeddedDatabaseError({ message: cause instanceof Error ? cause.message : String(cause), cause })
    }),
    (lock) => Effect.sync(() => fs.rmSync(lock, { force: true }))
  )

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * An embedded PGlite in `dataDir`, served on a loopback port to the same `PgClient` as a real
 * server. PGlite has one database session, so the pool holds exactly one connection and never
 * recycles it (more connections, or a TTL, interleave sessions and corrupt results).
 */
export const layerEmbedded = (options: {
  readonly dataDir: string
}): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, unknown> =>
  Layer.unwrap(
    Effect.gen(function* () {
      yield* acquireLock(options.dataDir)
      const db = yield* Effect.acquireRelease(
        Effect.tryPromise({
          // btree_gist backs the appointments' exclusion constraint (no double booking).
          try: () => PGlite.create(options.dataDir, { extensions: { btree_gist } }),
          catch: (cause) =>
            new EmbeddedDatabaseError({
              message: `could not open the embedded database in ${options.dataDir}`,
              cause
            })
        }),
        (db) => Effect.promise(() => db.close())
      )
      const server = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 })
            await server.start()
            return server
          },
          catch: (cause) =>
            new EmbeddedDatabaseError({ message: "could not serve the embedded database", cause })
        }),
        (server) => Effect.promise(() => server.stop())
      )
      const [host, port] = server.getServerConn().split(":")
      return PgClient.layer({
        host: host ?? "127.0.0.1",
        port: Number(port),
        database: "postgres",
        username: "postgres",
        maxConnections: 1
      })
    })
  )

/** Runs the numbered migrations (forward only) against the client. */
export const layerMigrations: Layer.Layer<never, unknown, PgClient.PgClient | SqlClient.SqlClient> =
  PgMigrator.layer({
    loader
  }).pipe(Layer.provide(NodeServices.layer))

/**
 * The database from configuration: `DATABASE_URL` when set (pool size `DATABASE_POOL_SIZE`,
 * default 10), else the embedded database in `CAREPORTAL_DATA_DIR` (default `.data/pglite`),
 * migrated.
 */
export const layerConfig: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, unknown> = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* Config.option(Config.Redacted("DATABASE_URL"))
    const pool = yield* Config.Int("DATABASE_POOL_SIZE").pipe(Config.withDefault(10))
    const dataDir = yield* Config.String("CAREPORTAL_DATA_DIR").pipe(Config.withDefault(".data/pglite"))
    const client = Option.match(url, {
      onSome: (url) => layerServer({ url, maxConnections: pool }),
      onNone: () => layerEmbedded({ dataDir: path.resolve(dataDir) })
    })
    return layerMigrations.pipe(Layer.provideMerge(client))
  })
)

/** Whether a PostgreSQL server answers at `url` (used by tests to choose the real server). */
export const isReachable = (url: Redacted.Redacted<string>): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    yield* sql`SELECT 1`
    return true
  }).pipe(
    Effect.provide(PgClient.layer({ url, maxConnections: 1, connectTimeout: "2 seconds" })),
    Effect.timeout("5 seconds"),
    Effect.catch(() => Effect.succeed(false))
  )
