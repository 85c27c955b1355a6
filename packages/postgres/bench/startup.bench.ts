/**
 * How long the embedded database takes to open: first start in a new directory, then restarts
 * on the same directory (the common case). Prints figures; asserts nothing. `pnpm bench`.
 */

import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as Database from "../src/Database.ts"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "careportal-bench-"))

const openOnce = Effect.gen(function* () {
  const start = performance.now()
  yield* Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`SELECT 1`
  }).pipe(
    Effect.provide(
      Database.layerMigrations.pipe(Layer.provideMerge(Database.layerEmbedded({ dataDir: dir })))
    )
  )
  return performance.now() - start
})

const program = Effect.gen(function* () {
  const first = yield* openOnce
  const restarts: Array<number> = []
  for (let i = 0; i < 5; i++) restarts.push(yield* openOnce)
  restarts.sort((a, b) => a - b)
  console.log(
    `embedded database, first start (new directory, migrations):  ${first.toFixed(0).padStart(6)} ms`
  )
  console.log(
    `embedded database, restart on the same directory (median of 5): ${(restarts[2] ?? 0).toFixed(0).padStart(5)} ms`
  )
}).pipe(Effect.ensuring(Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))))

Effect.runPromise(program)
