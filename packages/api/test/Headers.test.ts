/**
 * The headers every API answer carries: no cache may keep a body with patient data or a
 * session in it, no browser may sniff or frame it, no address is passed on as a referrer. On
 * successes, refusals and the router's own 404 alike; the docs page keeps its own policy.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { API_HEADERS } from "../src/Server.ts"
import { seed, TestServer } from "./support.ts"

const headersOf = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(HttpClient.HttpClient, (http) => http.execute(request)).pipe(
    Effect.map((response) => ({ status: response.status, headers: response.headers }))
  )

describe("the API's response headers", () => {
  it.live("no-store, nosniff, no-referrer and a deny-all CSP on answers, refusals and unknown routes", () =>
    Effect.gen(function* () {
      yield* seed
      const answers = [
        yield* headersOf(HttpClientRequest.get("/v1/clinics/toronto-west")), // 200
        yield* headersOf(HttpClientRequest.get("/v1/me")), // 401
        yield* headersOf(
          HttpClientRequest.post("/v1/auth/login").pipe(HttpClientRequest.bodyText("{", "application/json"))
        ), // 400
        yield* headersOf(HttpClientRequest.get("/v1/no-such-route")), // 404
        yield* headersOf(HttpClientRequest.get("/health"))
      ]
      assert.deepStrictEqual(
        answers.map((a) => a.status),
        [200, 401, 400, 404, 200]
      )
      for (const answer of answers) {
        for (const [name, value] of Object.entries(API_HEADERS)) {
          assert.strictEqual(answer.headers[name], value, `${name} on a ${answer.status}`)
        }
      }
      // The docs page is a page, with scripts of its own: not under the API's deny-all policy.
      const docs = yield* headersOf(HttpClientRequest.get("/docs"))
      assert.strictEqual(docs.status, 200)
      assert.notStrictEqual(docs.headers["content-security-policy"], API_HEADERS["content-security-policy"])
    }).pipe(Effect.provide(TestServer()))
  )
})
