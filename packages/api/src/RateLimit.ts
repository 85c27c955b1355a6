/**
 * Per-address rate limits: the `RateLimit` middleware of the contract on a `RateLimiter`. It is
 * an HttpApiMiddleware (not code in the handlers) because the middleware sees the request, and
 * with it the socket's remote address and the headers.
 */

import { Clock, Config, Context, Duration, Effect, Layer, Option, Ref } from "effect"
import { HttpEffect, HttpServerRequest, HttpServerResponse } from "effect/http"
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

/**
 * Counts requests per (route class, client address). The in-memory implementation counts per
 * process: with several replicas behind a load balancer, each would allow the full budget, so a
 * deployment of several replicas needs a shared store (Redis, or a Postgres table) behind this
 * same service.
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
          const key = `${routeClass} ${client}`
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
            const wait = Math.max(1, Math.ceil((current.start + windowMillis - now) / 1000))
            return [Option.some(wait), next] as const
          })
        })
      })
    })
  )
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
