/**
 * Fresh schemas on the real PostgreSQL for test runs, on their own (no `src` import) so that
 * tests of other packages that start a whole server on PostgreSQL (the reference server's
 * journey) create and sweep them exactly as this package's tests do.
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted, type Scope } from "effect"

/** The real PostgreSQL of the tests: DATABASE_URL, by default the local server's `test` database. */
export const databaseUrl = Redacted.make(
  process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
)

/**
 * The name of a fresh, empty schema on the real server, dropped when the scope closes. Schemas
 * of killed runs (which cannot drop theirs) more than an hour old are swept first: every test
 * schema is named `careportal_test_<creation millis, base 36>_<random>` for that.
 */
export const createFreshSchema: Effect.Effect<string, never, Scope.Scope> = Effect.gen(function* () {
  const schema = `careportal_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = PgClient.layer({ url: databaseUrl, maxConnections: 1 })
  yield* Effect.acquireRelease(
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
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
  return schema
})
