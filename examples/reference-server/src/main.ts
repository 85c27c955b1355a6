/**
 * The reference server: `pnpm start`. Configuration comes from the environment (see
 * docs/getting-started.md); with none it serves http://localhost:3000 on the embedded database in
 * .data/pglite, with console email and SMS and the demo clinic. SIGINT/SIGTERM shut it down
 * gracefully: no new requests, in-flight ones and the dispatcher finish, the pool closes.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Exit, Layer, Runtime } from "effect"
import * as Server from "./Server.ts"

NodeRuntime.runMain(Layer.launch(Server.layer()), {
  // Stopped by a signal after a clean shutdown: exit 0, so process managers see a normal stop.
  teardown: (exit, onExit) =>
    Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
      ? onExit(0)
      : Runtime.defaultTeardown(exit, onExit)
})
