/**
 * Per-address rate limits: the `RateLimit` middleware of the contract on a `RateLimiter`. It is
 * an HttpApiMiddleware (not code in the handlers) because the middleware sees the request, and
 * with it the socket's remote address and the headers.
 */

import { Clock, Config, Context, DateTime, Duration, Effect, Layer, Option, Ref, Schema } from "effect"
import { HttpEffect, HttpServerRequest, HttpServerResponse } from "effect/http"
import { SqlClient } from "effect/sql"
import { RateLimit, RateLimited } from "./contract/Common.ts"

/** The kinds of request limited separately: each has its own budget per address. */
export type RouteClass = "login" | "verify" | "open" | "resend" | "join"

/** At most `limit` requests per `window` (a fixed window starting at the first request). */
export interface Limit {
  readonly limit: number
  readonly window: Duration.Duration
}

/** The limits, and whether `X-Forwarded-For` names the client. */
export interface RateLimitConfig {
  readonly limits: Readonly<Record<RouteClass, Limit>>
  /**
   * Behind one trusted reverse proxy: the client is the last address of `X-Forwarded-For` (the
   * one the proxy added). Off, the header is ignored, since any client can send it.
   */
  readonly trustProxy: boolean
}

/** The defaults: per 10 minutes, 10 login starts, 30 verifies, 20 link opens, 10 resends, 20 joins; no proxy. */
export const defaultRateLimitConfig: RateLimitConfig = {
  limits: {
    login: { limit: 10, window: Duration.minutes(10) },
    verify: { limit: 30, window: Duration.minutes(10) },
    open: { limit: 20, window: Duration.minutes(10) },
    resend: { limit: 10, window: Duration.minutes(10) },
    join: { limit: 20, window: Duration.minutes(10) }
  },
  trustProxy: false
}

const ENV_NAMES: Record<RouteClass, string> = {
  login: "LOGIN",
  verify: "VERIFY",
  open: "LINK_OPEN",
  resend: "RESEND",
  join: "VISIT_JOIN"
}

/** The configuration in force: a reference with the defaults, so nothing needs to provide it. */
export const RateLimitConfig = Context.Reference<RateLimitConfig>("@careportal/api/RateLimitConfig", {
  defaultValue: () => defaultRateLimitConfig
})

/** A configuration with some limits changed and the rest at their defaults. */
export const layerRateLimitConfig = (
  overrides: { readonly limits?: Partial<Record<RouteClass, Limit>>; readonly trustProxy?: boolean } = {}
) =>
  Layer.succeed(RateLimitConfig, {
    limits: { ...defaultRateLimitConfig.limits, ...overrides.limits },
    trustProxy: overrides.trustProxy ?? defaultRateLimitConfig.trustProxy
  })

/**
 * From the environment: `TRUST_PROXY` (default false), and per route class
 * `RATE_LIMIT_<LOGIN|VERIFY|LINK_OPEN|RESEND|VISIT_JOIN>` (a count) and
 * `RATE_LIMIT_<…>_WINDOW` (a duration such as "10 minutes"); unset ones keep their defaults.
 */
export const layerRateLimitConfigFromEnv = Layer.effect(
  RateLimitConfig,
  Effect.gen(function* () {
    const trustProxy = yield* Config.Boolean("TRUST_PROXY").pipe(Config.withDefault(false))
    const limits: Partial<Record<RouteClass, Limit>> = {}
    for (const routeClass of Object.keys(ENV_NAMES) as Array<RouteClass>) {
      const name = `RATE_LIMIT_${ENV_NAMES[routeClass]}`
      const fallback = defaultRateLimitConfig.limits[routeClass]
      const limit = yield* Config.Int(name).pipe(Config.withDefault(fallback.limit))
      const window = yield* Config.Duration(`${name}_WINDOW`).pipe(Config.withDefault(fallback.window))
      limits[routeClass] = { limit, window }
    }
    return { limits: limits as Record<RouteClass, Limit>, trustProxy }
  })
)

/** The store's key of a (route class, client address). */
const keyOf = (routeClass: RouteClass, client: string) => `${routeClass} ${client}`

/** Whole seconds until the window that began at `start` ends: at least 1, as `Retry-After` needs. */
const secondsLeft = (start: number, windowMillis: number, now: number) =>
  Math.max(1, Math.ceil((start + windowMillis - now) / 1000))

const TakeRow = Schema.Struct({ window_start: Schema.DateTimeUtcFromDate, allowed: Schema.Boolean })

/** Options of `RateLimiter.layerSqlWith`. */
export interface SqlOptions {
  /**
   * Every this many takes (per process), spent rows are deleted: those whose window ended more
   * than an hour ago. Default 1000.
   */
  readonly pruneEvery?: number
}

/**
 * Counts requests per (route class, client address). `layerMemory` counts per process, right for
 * one replica; `layerSql` counts in the database's `rate_limits` table, so that replicas sharing
 * one database share one budget per address.
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    /** Counts one request; `Some(seconds)` to wait when the budget of its window is spent. */
    readonly take: (
      routeClass: RouteClass,
      client: string,
      limit: Limit
    ) => Effect.Effect<Option.Option<number>>
  }
>()("@careportal/api/RateLimiter") {
  /** Fixed windows in memory, timed by the Clock. */
  static readonly layerMemory = Layer.effect(
    RateLimiter,
    Effect.gen(function* () {
      const windows = yield* Ref.make(new Map<string, { readonly start: number; readonly count: number }>())
      return RateLimiter.of({
        take: Effect.fn("RateLimiter.take")(function* (routeClass, client, limit) {
          const now = yield* Clock.currentTimeMillis
          const windowMillis = Duration.toMillis(limit.window)
          const key = keyOf(routeClass, client)
          return yield* Ref.modify(windows, (map) => {
            const next = new Map(map)
            // Forget spent windows now and then, so that the map does not grow with every address seen.
            if (next.size > 10_000) {
              for (const [k, w] of next) if (now >= w.start + windowMillis) next.delete(k)
            }
            const current = next.get(key)
            if (current === undefined || now >= current.start + windowMillis) {
              next.set(key, { start: now, count: 1 })
              return [Option.none(), next] as const
            }
            if (current.count < limit.limit) {
              next.set(key, { start: current.start, count: current.count + 1 })
              return [Option.none(), next] as const
            }
            return [Option.some(secondsLeft(current.start, windowMillis, now)), next] as const
          })
        })
      })
    })
  )

  /**
   * Fixed windows in the `rate_limits` table (migration 00009), timed by the Clock (its time is
   * a parameter, not the database's `now()`), with the same boundaries as `layerMemory`. Each
   * take is one `INSERT … ON CONFLICT DO UPDATE`: concurrent takes for one address, from any
   * replica, queue on its row, so a window never allows more than its limit. SQL faults are
   * defects.
   */
  static layerSqlWith(options: SqlOptions = {}): Layer.Layer<RateLimiter, never, SqlClient.SqlClient> {
    const pruneEvery = Math.max(1, options.pruneEvery ?? 1000)
    return Layer.effect(
      RateLimiter,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const takes = yield* Ref.make(0)
        // Pruning is opportunistic rather than a timer, so that nothing else needs running: a
        // row is only a count, and one pruned early costs nothing but a fresh window.
        const prune = (at: Date) =>
          sql`DELETE FROM rate_limits WHERE window_end < ${at}::timestamptz - interval '1 hour'`.pipe(
            Effect.ignore({ log: "Warn", message: "could not prune spent rate-limit windows" })
          )
        return RateLimiter.of({
          take: Effect.fn("RateLimiter.take")(function* (routeClass, client, limit) {
            const now = yield* Clock.currentTimeMillis
            const windowMillis = Duration.toMillis(limit.window)
            const at = new Date(now)
            const window = sql`(${windowMillis}::float8 * interval '1 millisecond')`
            // The SET expressions read the row as it was: a new window once this one has ended,
            // else one more request while under the limit. `allowed` says which it was, since
            // RETURNING sees only the row as written.
            const ended = sql`${at}::timestamptz >= r.window_start + ${window}`
            const under = sql`r.count < ${limit.limit}::int`
            const rows = yield* sql`
              INSERT INTO rate_limits AS r (key, window_start, window_end, count, allowed)
              VALUES (${keyOf(routeClass, client)}, ${at}::timestamptz, ${at}::timestamptz + ${window}, 1, true)
              ON CONFLICT (key) DO UPDATE SET
                window_start = CASE WHEN ${ended} THEN excluded.window_start ELSE r.window_start END,
                window_end = CASE WHEN ${ended} THEN excluded.window_end ELSE r.window_end END,
                count = CASE WHEN ${ended} THEN 1 WHEN ${under} THEN r.count + 1 ELSE r.count END,
                allowed = ${ended} OR ${under}
              RETURNING window_start, allowed
            `.pipe(Effect.orDie)
            const row = Schema.decodeUnknownSync(TakeRow)(rows[0])
            if ((yield* Ref.updateAndGet(takes, (n) => (n + 1) % pruneEvery)) === 0) yield* prune(at)
            if (row.allowed) return Option.none()
            return Option.some(secondsLeft(DateTime.toEpochMillis(row.window_start), windowMillis, now))
          })
        })
      })
    )
  }

  /** `layerSqlWith()`: the shared store, pruned every 1000 takes of each process. */
  static readonly layerSql: Layer.Layer<RateLimiter, never, SqlClient.SqlClient> = RateLimiter.layerSqlWith()
}

/** The client's address: the socket's, or with `trustProxy` the last `X-Forwarded-For` entry. */
export const clientAddress = (request: HttpServerRequest.HttpServerRequest, trustProxy: boolean): string => {
  if (trustProxy) {
    const forwarded = request.headers["x-forwarded-for"]
    const last = forwarded
      ?.split(",")
      .map((a) => a.trim())
      .filter((a) => a !== "")
      .at(-1)
    if (last !== undefined) return last
  }
  return Option.getOrElse(request.remoteAddress, () => "unknown")
}

const routeClassOf = (group: string, endpoint: string): RouteClass | undefined => {
  if (endpoint === "resend") return "resend"
  // A contact change sends a code to a new address, like a resend.
  if (group === "me" && (endpoint === "changeContact" || endpoint === "resendContactCode")) return "resend"
  if (group === "auth" && endpoint === "login") return "login"
  if (group === "auth" && endpoint === "verify") return "verify"
  if (group === "links" && endpoint === "open") return "open"
  if (group === "visits" && endpoint === "join") return "join"
  return undefined
}

/**
 * The `RateLimit` middleware. Uses the `RateLimiter` provided to the server if any, else its own
 * in-memory one (right for a single replica).
 */
export const layerRateLimit = Layer.effect(
  RateLimit,
  Effect.gen(function* () {
    const provided = yield* Effect.serviceOption(RateLimiter)
    const limiter = Option.isSome(provided)
      ? provided.value
      : yield* RateLimiter.pipe(Effect.provide(RateLimiter.layerMemory))
    const config = yield* RateLimitConfig
    return RateLimit.of((httpEffect, { endpoint, group }) =>
      Effect.gen(function* () {
        const routeClass = routeClassOf(group.identifier, endpoint.identifier)
        if (routeClass === undefined) return yield* httpEffect
        const request = yield* HttpServerRequest.HttpServerRequest
        const client = clientAddress(request, config.trustProxy)
        const wait = yield* limiter.take(routeClass, client, config.limits[routeClass])
        if (Option.isNone(wait)) return yield* httpEffect
        yield* HttpEffect.appendPreResponseHandler((_req, res) =>
          Effect.succeed(HttpServerResponse.setHeader(res, "retry-after", String(wait.value)))
        )
        return yield* Effect.fail(
          RateLimited.make({
            message: `Too many attempts from your network. Try again in ${wait.value} seconds.`,
            retryAfterSeconds: wait.value
          })
        )
      })
    )
  })
)
