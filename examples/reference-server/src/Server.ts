/**
 * The reference server composed: configuration from the environment → the database (migrated),
 * every port and service → the API's routes on a Node HTTP server, with the notification
 * dispatcher as a background fiber and the demo data on the first start of an empty embedded
 * database. Shutting its scope down stops taking requests, lets in-flight ones finish, stops the
 * dispatcher gracefully and closes the pool, in that order.
 */
import { createServer } from "node:http"
import { Server as ApiServer, Auth, Health, RateLimit } from "@careportal/api"
import { AuthPolicy, type Delivery, Dispatcher, Portal, SchedulingPolicy } from "@careportal/domain"
import { PhoneNumbers } from "@careportal/phone"
import { Ports } from "@careportal/postgres"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { SqlClient } from "effect/sql"
import * as Demo from "./Demo.ts"
import * as Environment from "./Environment.ts"
import * as WebPortal from "./WebPortal.ts"

/**
 * `GET /health/ready`: 200 when the database answers, else 503. (The API's `GET /health` is
 * liveness only: it answers while the process runs.)
 */
const ReadinessRoute = Layer.unwrap(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const unavailable = HttpServerResponse.jsonUnsafe(
      { status: "unavailable", database: "unreachable" },
      { status: 503 }
    )
    return HttpRouter.add(
      "GET",
      "/health/ready",
      sql`SELECT 1`.pipe(
        Effect.timeout("2 seconds"),
        Effect.as(HttpServerResponse.jsonUnsafe({ status: "ok", database: "ok" })),
        Effect.catchCause(() => Effect.succeed(unavailable))
      )
    )
  })
)

/** The dispatcher as a fiber of the server's scope: interrupting it is its graceful stop. */
const DispatcherFiber = Layer.effectDiscard(
  Effect.gen(function* () {
    const batchSize = yield* Config.Int("DISPATCH_BATCH_SIZE").pipe(Config.withDefault(50))
    const pollInterval = yield* Config.Duration("DISPATCH_POLL_INTERVAL").pipe(
      Config.withDefault("2 seconds")
    )
    const dispatcher = yield* Dispatcher.Dispatcher
    yield* Effect.forkScoped(dispatcher.run({ batchSize, pollInterval }))
  })
)

/**
 * The demo data on the first start of an empty embedded database (never on DATABASE_URL), and a
 * clinic API key for the demo clinic's staff routes, written to a file of the data directory
 * (mode 600) rather than to the log.
 */
const SeedOnFirstStart = Layer.effectDiscard(
  Effect.gen(function* () {
    if (!(yield* Environment.embedded)) return
    yield* Demo.seedIfEmpty
    const file = yield* Demo.writeStaffKeyIfNone(yield* Environment.dataDir)
    if (file !== undefined) {
      yield* Effect.logInfo(`a clinic API key for the demo clinic's /v1/staff routes is in ${file}`)
    }
  })
)

/** Options for tests: other senders than the environment's. */
export interface Options {
  readonly senders?: Layer.Layer<Delivery.EmailSender | Delivery.SmsSender, unknown>
}

/**
 * The whole server. Its output exposes the HTTP server (for its address), the ports and the
 * services, so tests can look inside; `main.ts` just launches it.
 */
export const layer = (options: Options = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const http = yield* Environment.http
      // The web portal at / on the same origin; on the embedded default, / opens the demo clinic's.
      const PortalRoutes = WebPortal.layerConfig((yield* Environment.embedded) ? Demo.CLINIC_SLUG : undefined)
      const Http = HttpRouter.serve(
        // The portal's routes first: the router tries routes in the order they were added, and
        // the API's catch-all JSON 404 (`/*`) would otherwise answer `/` too.
        Layer.mergeAll(PortalRoutes, ApiServer.layer, ReadinessRoute)
      ).pipe(
        Layer.provide(
          Auth.ApiConfig.layer({ secureCookie: http.secureCookie, allowedOrigins: http.allowedOrigins })
        ),
        // GET /health checks the database too; per-IP limits read TRUST_PROXY and RATE_LIMIT_*,
        // and are counted in the database, so every replica shares each address's budget.
        Layer.provide(Health.layerHealthCheck(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT 1`))),
        Layer.provide(RateLimit.layerRateLimitConfigFromEnv),
        Layer.provide(RateLimit.RateLimiter.layerSql),
        Layer.provideMerge(
          NodeHttpServer.layer(createServer, {
            port: http.port,
            ...(http.host === undefined ? {} : { host: http.host }),
            // In-flight requests get this long to finish once the server stops listening.
            gracefulShutdownTimeout: "10 seconds"
          })
        )
      )
      const senders = options.senders ?? Layer.mergeAll(Environment.email, Environment.sms)
      return Layer.mergeAll(Http, DispatcherFiber).pipe(
        Layer.provide(SeedOnFirstStart),
        Layer.provideMerge(Layer.mergeAll(Portal.layerServices, Dispatcher.Dispatcher.layer)),
        // The rules' numbers (AUTH_*, SCHEDULING_*), phone numbers read by libphonenumber-js
        // (PHONE_DEFAULT_REGION) and notification links on PUBLIC_URL.
        Layer.provide(
          Layer.mergeAll(
            AuthPolicy.layerConfig,
            SchedulingPolicy.layerConfig,
            PhoneNumbers.layerConfig,
            Environment.portalAddress
          )
        ),
        Layer.provideMerge(senders),
        Layer.provideMerge(Ports.layerConfig({ hasher: Environment.hasher }))
      )
    })
  )
