/**
 * `pnpm demo:seed`: adds the demo clinic, providers, appointment types and patient (see Demo.ts)
 * to the configured database (DATABASE_URL, else the embedded one). Safe to run again.
 * Stop the server first when it runs on the embedded database (one process per directory).
 */
import { Portal } from "@careportal/domain"
import { Ports } from "@careportal/postgres"
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as Demo from "./Demo.ts"
import * as Environment from "./Environment.ts"

const main = Effect.gen(function* () {
  const wrote = yield* Demo.seed
  yield* Effect.logInfo(
    wrote.length === 0 ? "demo data: already there, nothing to do" : `demo data seeded: ${wrote.join(", ")}`
  )
})

NodeRuntime.runMain(
  main.pipe(
    Effect.provide(
      Portal.layerServices.pipe(Layer.provideMerge(Ports.layerConfig({ hasher: Environment.hasher })))
    )
  )
)
