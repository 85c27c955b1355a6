import * as NodeHttp from "node:http"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import { HttpClient, HttpClientRequest, HttpServer } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { Api } from "../src/Contract.ts"
import { layerHealthCheck } from "../src/Health.ts"
import {
  type Limit,
  layerRateLimitConfig,
  layerRateLimitConfigFromEnv,
  RateLimitConfig,
  type RouteClass
} from "../src/RateLimit.ts"
import { client, login, seed, TestServer } from "./support.ts"

/** A server whose rate limits are the defaults but for `limits`, trusting a proxy or not. */
const server = (
  overrides: { readonly limits?: Partial<Record<RouteClass, Limit>>; readonly trustProxy?: boolean } = {}
) => TestServer().pipe(Layer.provide(layerRateLimitConfig(overrides)))

const send = (request: HttpClientRequest.HttpClientRequest, forwardedFor?: string) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const response = yield* http.execute(
      forwardedFor === undefined
        ? request
        : HttpClientRequest.setHeader(request, "x-forwarded-for", forwardedFor)
    )
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text }
  })

/** A login start for a card no patient has: answered 202 without sending anything (no domain limit). */
const loginStart = (n: number, forwardedFor?: string) =>
  send(
    HttpClientRequest.post("/v1/auth/login").pipe(
      HttpClientRequest.bodyJsonUnsafe({
        clinic: "toronto-west",
        identifier: { idType: "ON-HCN", number: String(5_000_000_000 + n) },
        contact: "someone@example.org"
      })
    ),
    forwardedFor
  )

const bodyOf = (res: { readonly text: string }) => JSON.parse(res.text) as Record<string, unknown>

/** The response is the 429 RateLimited body with a matching `Retry-After` of at most `maxSeconds`. */
const assertRateLimited = (
  res: { readonly status: number; readonly headers: Record<string, string>; readonly text: string },
  maxSeconds: number
) => {
  assert.strictEqual(res.status, 429)
  const body = bodyOf(res)
  assert.deepStrictEqual(Object.keys(body).sort(), ["error", "message", "retryAfterSeconds"])
  assert.strictEqual(body.error, "RateLimited")
  assert.isString(body.message)
  const seconds = body.retryAfterSeconds as number
  assert.isTrue(
    Number.isInteger(seconds) && seconds >= 1 && seconds <= maxSeconds,
    `retryAfterSeconds ${seconds}`
  )
  assert.strictEqual(res.headers["retry-after"], String(seconds))
}

describe("per-address rate limits", () => {
  it.live(
    "the 11th login start from one address answers 429 with Retry-After; another address still 202",
    () =>
      Effect.gen(function* () {
        yield* seed
        for (let i = 0; i < 10; i++) assert.strictEqual((yield* loginStart(i, "203.0.113.7")).status, 202)
        assertRateLimited(yield* loginStart(10, "203.0.113.7"), 600)
        // The proxy appends the address it saw: a client-supplied entry before it changes nothing.
        assertRateLimited(yield* loginStart(11, "198.51.100.1, 203.0.113.7"), 600)
        assert.strictEqual((yield* loginStart(12, "203.0.113.8")).status, 202)
        // The derived client decodes the body as the contract's RateLimited error.
        const proxied = yield* HttpApiClient.make(Api, {
          transformClient: HttpClient.mapRequest(
            HttpClientRequest.setHeader("x-forwarded-for", "203.0.113.7")
          )
        })
        const e = yield* Effect.flip(
          proxied.auth.login({
            payload: {
              clinic: "toronto-west",
              identifier: { idType: "ON-HCN", number: "1" },
              contact: "x@example.org"
            }
          })
        )
        assert.strictEqual((e as { error?: unknown }).error, "RateLimited")
      }).pipe(Effect.provide(server({ trustProxy: true })))
  )

  it.live("without TRUST_PROXY, X-Forwarded-For is ignored: the socket's address is counted", () =>
    Effect.gen(function* () {
      yield* seed
      for (let i = 0; i < 10; i++) assert.strictEqual((yield* loginStart(i, `203.0.113.${i}`)).status, 202)
      assertRateLimited(yield* loginStart(10, "203.0.113.200"), 600)
      assertRateLimited(yield* loginStart(11), 600)
    }).pipe(Effect.provide(server()))
  )

  it.live("the socket's address is the key: 127.0.0.2 still gets 202 when 127.0.0.1 is limited", () =>
    Effect.gen(function* () {
      yield* seed
      for (let i = 0; i < 10; i++) assert.strictEqual((yield* loginStart(i)).status, 202)
      assertRateLimited(yield* loginStart(10), 600)
      const address = (yield* HttpServer.HttpServer).address
      if (address._tag === "UnixPathAddress") return assert.fail("not a TCP server")
      const body = JSON.stringify({
        clinic: "toronto-west",
        identifier: { idType: "ON-HCN", number: "5000000011" },
        contact: "someone@example.org"
      })
      const status = yield* Effect.promise(
        () =>
          new Promise<number | undefined>((resolve, reject) => {
            const request = NodeHttp.request(
              {
                host: "127.0.0.1",
                port: address.port,
                localAddress: "127.0.0.2",
                method: "POST",
                path: "/v1/auth/login",
                headers: { "content-type": "application/json" }
              },
              (response) => {
                response.resume()
                resolve(response.statusCode)
              }
            )
            request.on("error", reject)
            request.end(body)
          })
      )
      assert.strictEqual(status, 202)
    }).pipe(Effect.provide(server()))
  )

  it.live("after the window, login starts are taken again", () =>
    Effect.gen(function* () {
      yield* seed
      assert.strictEqual((yield* loginStart(0)).status, 202)
      assert.strictEqual((yield* loginStart(1)).status, 202)
      assertRateLimited(yield* loginStart(2), 1)
      yield* Effect.sleep(Duration.millis(1100))
      assert.strictEqual((yield* loginStart(3)).status, 202)
    }).pipe(Effect.provide(server({ limits: { login: { limit: 2, window: Duration.seconds(1) } } })))
  )

  it.live("verify, link open, resends and virtual-visit join are limited, each with its own budget", () =>
    Effect.gen(function* () {
      const post = (path: string, body?: unknown) =>
        send(
          body === undefined
            ? HttpClientRequest.post(path)
            : HttpClientRequest.post(path).pipe(HttpClientRequest.bodyJsonUnsafe(body))
        )
      const verify = () => post("/v1/auth/login/no-such/verify", { code: "123456", stayLoggedIn: false })
      const open = () =>
        post("/v1/links/no-such/open", { code: "ABC", dateOfBirth: "1990-01-01", stayLoggedIn: false })
      const join = () => post("/v1/virtual-visits/join", { code: "NOPE" })
      // Each answers its domain's 404 three times (the configured limit), then 429.
      for (const [route, domain] of [
        [verify, "ChallengeNotFound"],
        [open, "LinkNotFound"],
        [join, "AccessCodeInvalid"]
      ] as const) {
        for (let i = 0; i < 3; i++) {
          const res = yield* route()
          assert.strictEqual(res.status, 404)
          assert.strictEqual(bodyOf(res).error, domain)
        }
        assertRateLimited(yield* route(), 60)
      }
      // Login and link resends share one budget.
      assert.strictEqual(bodyOf(yield* post("/v1/auth/login/no-such/resend")).error, "ChallengeNotFound")
      assert.strictEqual(bodyOf(yield* post("/v1/links/no-such/resend")).error, "LinkNotFound")
      assertRateLimited(yield* post("/v1/links/no-such/resend"), 60)
      assertRateLimited(yield* post("/v1/auth/login/no-such/resend"), 60)
      // The other budgets are untouched: a login start still answers 404 for an unknown clinic.
      const start = yield* post("/v1/auth/login", {
        clinic: "nowhere",
        identifier: { idType: "ON-HCN", number: "1" },
        contact: "x@example.org"
      })
      assert.strictEqual(start.status, 404)
    }).pipe(
      Effect.provide(
        server({
          limits: {
            verify: { limit: 3, window: Duration.minutes(1) },
            open: { limit: 3, window: Duration.minutes(1) },
            join: { limit: 3, window: Duration.minutes(1) },
            resend: { limit: 2, window: Duration.minutes(1) }
          }
        })
      )
    )
  )

  it.live("a contact change and its resends spend the resend budget of the address", () =>
    Effect.gen(function* () {
      yield* seed
      const token = yield* login()
      const post = (path: string, body?: unknown) =>
        send(
          (body === undefined
            ? HttpClientRequest.post(path)
            : HttpClientRequest.post(path).pipe(HttpClientRequest.bodyJsonUnsafe(body))
          ).pipe(HttpClientRequest.bearerToken(token))
        )
      const change = yield* post("/v1/me/contacts", { email: "ada.new@example.org" })
      assert.strictEqual(change.status, 202, change.text)
      const challengeId = bodyOf(change).challengeId as string
      // The domain's own cooldown answers the first resend; the address's budget the next.
      const tooSoon = yield* post(`/v1/me/contacts/${challengeId}/resend`)
      assert.strictEqual(bodyOf(tooSoon).error, "ResendTooSoon")
      assertRateLimited(yield* post(`/v1/me/contacts/${challengeId}/resend`), 60)
      assertRateLimited(yield* post("/v1/me/contacts", { email: "ada.other@example.org" }), 60)
    }).pipe(Effect.provide(server({ limits: { resend: { limit: 2, window: Duration.minutes(1) } } })))
  )

  it.live("OpenAPI declares the 429 on the limited endpoints only", () =>
    Effect.gen(function* () {
      const doc = bodyOf(yield* send(HttpClientRequest.get("/openapi.json"))) as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
      }
      for (const path of [
        "/v1/auth/login",
        "/v1/auth/login/{challengeId}/verify",
        "/v1/auth/login/{challengeId}/resend",
        "/v1/links/{linkId}/open",
        "/v1/links/{linkId}/resend",
        "/v1/virtual-visits/join",
        "/v1/me/contacts",
        "/v1/me/contacts/{challengeId}/resend"
      ]) {
        assert.property(doc.paths[path]?.post?.responses, "429", path)
      }
      assert.notProperty(doc.paths["/v1/messages"]?.get?.responses, "429")
    }).pipe(Effect.provide(server()))
  )
})

describe("GET /health", () => {
  it.live("without a health check: 200, database unchecked", () =>
    Effect.gen(function* () {
      const res = yield* send(HttpClientRequest.get("/health"))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(bodyOf(res), { status: "ok", database: "unchecked" })
    }).pipe(Effect.provide(server()))
  )

  it.live("a passing check: 200, database ok", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* (yield* client).health.health(), { status: "ok", database: "ok" })
    }).pipe(Effect.provide(TestServer().pipe(Layer.provide(layerHealthCheck(Effect.void)))))
  )

  for (const [name, probe] of [
    ["a failing", Effect.fail("connection refused")],
    ["a dying", Effect.die(new Error("pool closed"))],
    ["a hanging", Effect.never]
  ] as const) {
    it.live(`${name} check: 503, database unreachable`, () =>
      Effect.gen(function* () {
        const res = yield* send(HttpClientRequest.get("/health"))
        assert.strictEqual(res.status, 503)
        assert.deepStrictEqual(bodyOf(res), { status: "unavailable", database: "unreachable" })
      }).pipe(Effect.provide(TestServer().pipe(Layer.provide(layerHealthCheck(probe, Duration.millis(200))))))
    )
  }
})

describe("rate limits from the environment", () => {
  const read = (env: Record<string, string>) =>
    Effect.gen(function* () {
      return yield* RateLimitConfig
    }).pipe(
      Effect.provide(layerRateLimitConfigFromEnv),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))
    )

  it.effect("nothing set: the defaults, no proxy trusted", () =>
    Effect.gen(function* () {
      const config = yield* read({})
      assert.strictEqual(config.trustProxy, false)
      assert.deepStrictEqual(
        Object.fromEntries(
          Object.entries(config.limits).map(([k, l]) => [k, [l.limit, Duration.toMinutes(l.window)]])
        ),
        { login: [10, 10], verify: [30, 10], open: [20, 10], resend: [10, 10], join: [20, 10] }
      )
    })
  )

  it.effect("TRUST_PROXY and a limit with its window override; the rest stay", () =>
    Effect.gen(function* () {
      const config = yield* read({
        TRUST_PROXY: "true",
        RATE_LIMIT_LOGIN: "3",
        RATE_LIMIT_LOGIN_WINDOW: "1 minute",
        RATE_LIMIT_VISIT_JOIN: "5"
      })
      assert.strictEqual(config.trustProxy, true)
      assert.strictEqual(config.limits.login.limit, 3)
      assert.strictEqual(Duration.toSeconds(config.limits.login.window), 60)
      assert.strictEqual(config.limits.join.limit, 5)
      assert.strictEqual(Duration.toMinutes(config.limits.join.window), 10)
      assert.strictEqual(config.limits.verify.limit, 30)
    })
  )
})
