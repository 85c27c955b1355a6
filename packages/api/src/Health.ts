/**
 * What `GET /health` checks besides the process answering: the database, when the server has one.
 */

import { Context, Duration, Effect, Layer } from "effect"

/** The database's state as `/health` reports it. */
export type DatabaseHealth = "ok" | "unchecked" | "unreachable"

/** The checks behind `/health`. The default checks nothing: "unchecked", answered 200. */
export const HealthCheck = Context.Reference<{ readonly database: Effect.Effect<DatabaseHealth> }>(
  "@careportal/api/HealthCheck",
  { defaultValue: () => ({ database: Effect.succeed("unchecked" as const) }) }
)

/**
 * A check of the database by `probe` (e.g. `sql\`SELECT 1\``): "ok" when it succeeds within
 * `timeout` (default 2 s), "unreachable" on any failure, defect or timeout.
 */
export const layerHealthCheck = <E, R>(
  probe: Effect.Effect<unknown, E, R>,
  timeout: Duration.Input = Duration.seconds(2)
) =>
  Layer.effect(
    HealthCheck,
    Effect.map(Effect.context<R>(), (context) => ({
      database: probe.pipe(
        Effect.timeout(timeout),
        Effect.as("ok" as const),
        Effect.catchCause(() => Effect.succeed("unreachable" as const)),
        Effect.provideContext(context)
      )
    }))
  )
