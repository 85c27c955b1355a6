/**
 * The notification dispatcher as a process of its own: `pnpm --filter @careportal/reference-server dispatch`.
 * Several may run against one PostgreSQL (claims use FOR UPDATE SKIP LOCKED). SIGINT/SIGTERM
 * stop it gracefully: sends in flight finish and are recorded, nothing new is claimed.
 * (`pnpm start` also runs one, as a background fiber of the server.)
 */
import { Dispatcher } from "@careportal/domain"
import { Ports } from "@careportal/postgres"
import { NodeRuntime } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import * as Environment from "./Environment.ts"

const main = Effect.gen(function* () {
  const batchSize = yield* Config.Int("DISPATCH_BATCH_SIZE").pipe(Config.withDefault(50))
  const pollInterval = yield* Config.Duration("DISPATCH_POLL_INTERVAL").pipe(Config.withDefault("2 seconds"))
  yield* Effect.logInfo(
    `careportal dispatcher: batches of ${batchSize}, polling every ${String(pollInterval)}`
  )
  return yield* (yield* Dispatcher.Dispatcher).run({ batchSize, pollInterval })
})

const App = Dispatcher.Dispatcher.layer.pipe(
  // Links on PUBLIC_URL, as the server's own dispatcher builds them.
  Layer.provide(Environment.portalAddress),
  Layer.provideMerge(Layer.mergeAll(Environment.email, Environment.sms)),
  Layer.provideMerge(Ports.layerConfig({ hasher: Environment.hasher }))
)

NodeRuntime.runMain(main.pipe(Effect.provide(App)))
