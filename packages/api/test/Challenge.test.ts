/**
 * A 401 says how to authenticate (`WWW-Authenticate: Bearer`, RFC 9110 §11.6.1); other answers
 * do not carry the header.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { login, PORTAL_ORIGIN, seed, TestServer } from "./support.ts"

const answer = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const response = yield* (yield* HttpClient.HttpClient).execute(request)
    yield* response.text
    return { status: response.status, challenge: response.headers["www-authenticate"] }
  })

describe("WWW-Authenticate", () => {
  it.live("401s carry a Bearer challenge; a 200 and a 403 do not", () =>
    Effect.gen(function* () {
      yield* seed
      assert.deepStrictEqual(yield* answer(HttpClientRequest.get("/v1/messages")), {
        status: 401,
        challenge: 'Bearer realm="careportal"'
      })
      assert.deepStrictEqual(
        yield* answer(
          HttpClientRequest.get("/v1/messages").pipe(HttpClientRequest.bearerToken("not-a-session"))
        ),
        { status: 401, challenge: 'Bearer realm="careportal"' }
      )
      assert.deepStrictEqual(yield* answer(HttpClientRequest.get("/v1/staff/patients")), {
        status: 401,
        challenge: 'Bearer realm="careportal-staff"'
      })
      const token = yield* login()
      assert.deepStrictEqual(
        yield* answer(HttpClientRequest.get("/v1/messages").pipe(HttpClientRequest.bearerToken(token))),
        { status: 200, challenge: undefined }
      )
      // The cookie from another page: refused as CSRF (403), not as missing credentials.
      assert.deepStrictEqual(
        yield* answer(
          HttpClientRequest.post("/v1/auth/logout").pipe(
            HttpClientRequest.setHeader("cookie", `careportal_session=${token}`),
            HttpClientRequest.setHeader("origin", "https://evil.example.com")
          )
        ),
        { status: 403, challenge: undefined }
      )
      // And from the portal it works, also after a failed bearer attempt.
      assert.deepStrictEqual(
        yield* answer(
          HttpClientRequest.get("/v1/sessions").pipe(
            HttpClientRequest.bearerToken("stale-token"),
            HttpClientRequest.setHeader("cookie", `careportal_session=${token}`),
            HttpClientRequest.setHeader("origin", PORTAL_ORIGIN)
          )
        ),
        { status: 200, challenge: undefined }
      )
    }).pipe(Effect.provide(TestServer()))
  )
})
