import { Messaging } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import {
  ada,
  bearerClient,
  client,
  codeFor,
  cookieClient,
  errorTag,
  grace,
  login,
  PORTAL_ORIGIN,
  seed,
  staff,
  TestServer
} from "./support.ts"

const adaLogin = {
  clinic: "toronto-west",
  identifier: { idType: "ON-HCN", number: "1234567890" },
  contact: "ada@example.org"
}

const sendTo = (patientId: typeof ada.id, replyAllowed = true) =>
  Effect.gen(function* () {
    const messaging = yield* Messaging.Messaging
    const sent = yield* messaging.send(staff, {
      patientId,
      subject: "Your results",
      body: "All normal.",
      replyAllowed
    })
    return sent.message.id
  })

/** No response body carries a stack trace or a source location. */
const noStackTrace = (text: string) => {
  assert.notMatch(text, /\bat [^\s]+ \(|\.ts:\d+|node:internal|stack/i)
}

/** The raw response of a request, body as text: for what the derived client hides (headers, 400s, 404s). */
const raw = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const response = yield* http.execute(request)
    const text = yield* response.text
    // The docs page bundles Scalar's script, which is code; every other body is checked.
    if (!request.url.endsWith("/docs")) noStackTrace(text)
    return { status: response.status, headers: response.headers, text }
  })

describe("the API through the derived client", () => {
  it.live("journey: login, messages, reply, sessions, logout", () =>
    Effect.gen(function* () {
      yield* seed
      const messageId = yield* sendTo(ada.id)
      const api = yield* client

      const challenge = yield* api.auth.login({ payload: adaLogin })
      const code = yield* codeFor(challenge.challengeId)

      // The verify response sets the HttpOnly cookie, persistent because of stay logged in.
      const verify = yield* raw(
        HttpClientRequest.post(`/v1/auth/login/${challenge.challengeId}/verify`).pipe(
          HttpClientRequest.bodyJsonUnsafe({ code, stayLoggedIn: true })
        )
      )
      assert.strictEqual(verify.status, 200)
      const setCookie = String(verify.headers["set-cookie"])
      assert.match(setCookie, /^careportal_session=[A-Za-z0-9_-]+;/)
      assert.match(setCookie, /Max-Age=2592000/)
      assert.match(setCookie, /HttpOnly/)
      assert.match(setCookie, /Secure/)
      assert.match(setCookie, /SameSite=Lax/)
      assert.match(setCookie, /Path=\//)
      const token = (JSON.parse(verify.text) as { token: string }).token
      assert.strictEqual(setCookie.split(";")[0], `careportal_session=${token}`)
      assert.notInclude(verify.text, "tokenHash")

      const me = yield* cookieClient(token)
      const page = yield* me.messages.list({ query: {} })
      assert.deepStrictEqual(
        page.messages.map((m) => m.id),
        [messageId]
      )
      const thread = yield* me.messages.read({ params: { id: messageId } })
      assert.strictEqual(thread.message.subject, "Your results")
      const reply = yield* me.messages.reply({ params: { id: messageId }, payload: { body: "Thank you." } })
      assert.strictEqual(reply.body, "Thank you.")
      const again = yield* me.messages.read({ params: { id: messageId } })
      assert.deepStrictEqual(
        again.replies.map((r) => r.body),
        ["Thank you."]
      )

      const sessions = yield* me.sessions.list()
      assert.strictEqual(sessions.length, 1)
      assert.strictEqual(sessions[0]?.current, true)
      assert.strictEqual(sessions[0]?.stayLoggedIn, true)

      const logout = yield* raw(
        HttpClientRequest.post("/v1/auth/logout").pipe(
          HttpClientRequest.setHeaders({ cookie: `careportal_session=${token}`, origin: PORTAL_ORIGIN })
        )
      )
      assert.strictEqual(logout.status, 204)
      assert.match(String(logout.headers["set-cookie"]), /^careportal_session=;.*Max-Age=0/)

      const refused = yield* Effect.flip(me.messages.list({ query: {} }))
      assert.strictEqual(errorTag(refused), "SessionExpired")
      const refusedBearer = yield* Effect.flip((yield* bearerClient(token)).sessions.list())
      assert.strictEqual(errorTag(refusedBearer), "SessionExpired")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("without stay logged in the cookie is a session cookie (no Max-Age)", () =>
    Effect.gen(function* () {
      yield* seed
      const api = yield* client
      const challenge = yield* api.auth.login({ payload: adaLogin })
      const code = yield* codeFor(challenge.challengeId)
      const verify = yield* raw(
        HttpClientRequest.post(`/v1/auth/login/${challenge.challengeId}/verify`).pipe(
          HttpClientRequest.bodyJsonUnsafe({ code, stayLoggedIn: false })
        )
      )
      assert.strictEqual(verify.status, 200)
      assert.match(String(verify.headers["set-cookie"]), /^careportal_session=/)
      assert.notMatch(String(verify.headers["set-cookie"]), /Max-Age|Expires/i)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a cookie-borne state change needs the portal's Origin; a bearer call does not", () =>
    Effect.gen(function* () {
      yield* seed
      const messageId = yield* sendTo(ada.id)
      const token = yield* login()
      for (const origin of [null, "https://evil.example"]) {
        const e = yield* Effect.flip(
          (yield* cookieClient(token, origin)).messages.reply({
            params: { id: messageId },
            payload: { body: "x" }
          })
        )
        assert.strictEqual(errorTag(e), "OriginRefused")
      }
      // Reads through the cookie need no Origin.
      yield* (yield* cookieClient(token, null)).messages.read({ params: { id: messageId } })
      const reply = yield* (yield* bearerClient(token)).messages.reply({
        params: { id: messageId },
        payload: { body: "by bearer" }
      })
      assert.strictEqual(reply.body, "by bearer")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("five wrong codes lock the challenge: 423 with the PasscodeLocked body", () =>
    Effect.gen(function* () {
      yield* seed
      const api = yield* client
      const challenge = yield* api.auth.login({ payload: adaLogin })
      const code = yield* codeFor(challenge.challengeId)
      const wrong = code === "000000" ? "111111" : "000000"
      const left: Array<unknown> = []
      for (let i = 0; i < 5; i++) {
        const e = yield* Effect.flip(
          api.auth.verify({
            params: { challengeId: challenge.challengeId },
            payload: { code: wrong, stayLoggedIn: false }
          })
        )
        left.push((e as { attemptsLeft?: unknown }).attemptsLeft ?? errorTag(e))
      }
      assert.deepStrictEqual(left, [4, 3, 2, 1, "PasscodeLocked"])
      const request = HttpClientRequest.post(`/v1/auth/login/${challenge.challengeId}/verify`).pipe(
        HttpClientRequest.bodyJsonUnsafe({ code, stayLoggedIn: false })
      )
      const locked = yield* raw(request)
      assert.strictEqual(locked.status, 423)
      const body = JSON.parse(locked.text) as Record<string, unknown>
      assert.deepStrictEqual(Object.keys(body).sort(), ["error", "message", "purpose"])
      assert.strictEqual(body.error, "PasscodeLocked")
      assert.strictEqual(body.purpose, "login-otp")
      assert.match(String(body.message), /locked/)
      noStackTrace(locked.text)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a wrong code answers 401 with attemptsLeft", () =>
    Effect.gen(function* () {
      yield* seed
      const api = yield* client
      const challenge = yield* api.auth.login({ payload: adaLogin })
      const code = yield* codeFor(challenge.challengeId)
      const wrong = code === "000000" ? "111111" : "000000"
      const res = yield* raw(
        HttpClientRequest.post(`/v1/auth/login/${challenge.challengeId}/verify`).pipe(
          HttpClientRequest.bodyJsonUnsafe({ code: wrong, stayLoggedIn: false })
        )
      )
      assert.strictEqual(res.status, 401)
      const body = JSON.parse(res.text) as Record<string, unknown>
      assert.strictEqual(body.error, "PasscodeInvalid")
      assert.strictEqual(body.attemptsLeft, 4)
      assert.isString(body.message)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("match and no-match login starts answer the same status and body shape", () =>
    Effect.gen(function* () {
      yield* seed
      const start = (body: typeof adaLogin) =>
        raw(HttpClientRequest.post("/v1/auth/login").pipe(HttpClientRequest.bodyJsonUnsafe(body)))
      const match = yield* start(adaLogin)
      const noMatch = yield* start({ ...adaLogin, identifier: { idType: "ON-HCN", number: "5555555555" } })
      const wrongContact = yield* start({ ...adaLogin, contact: "someone@example.org" })
      for (const res of [match, noMatch, wrongContact]) {
        assert.strictEqual(res.status, 202)
        const body = JSON.parse(res.text) as Record<string, unknown>
        assert.deepStrictEqual(Object.keys(body).sort(), ["challengeId", "expiresAt"])
      }
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a resend too soon answers 429 ResendTooSoon with Retry-After", () =>
    Effect.gen(function* () {
      yield* seed
      const api = yield* client
      const challenge = yield* api.auth.login({ payload: adaLogin })
      const res = yield* raw(HttpClientRequest.post(`/v1/auth/login/${challenge.challengeId}/resend`))
      assert.strictEqual(res.status, 429)
      const body = JSON.parse(res.text) as { error: string; retryAfterSeconds: number; message: string }
      assert.strictEqual(body.error, "ResendTooSoon")
      assert.isAbove(body.retryAfterSeconds, 0)
      assert.strictEqual(res.headers["retry-after"], String(body.retryAfterSeconds))
      const e = yield* Effect.flip(api.auth.resend({ params: { challengeId: challenge.challengeId } }))
      assert.strictEqual(errorTag(e), "ResendTooSoon")
      const unknown = yield* Effect.flip(
        api.auth.resend({ params: { challengeId: "no-such" as typeof challenge.challengeId } })
      )
      assert.strictEqual(errorTag(unknown), "ChallengeNotFound")
      const unknownLink = yield* Effect.flip(api.links.resend({ params: { linkId: challenge.challengeId } }))
      assert.strictEqual(errorTag(unknownLink), "LinkNotFound")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("an unknown clinic slug answers 404 NotFound", () =>
    Effect.gen(function* () {
      yield* seed
      const e = yield* Effect.flip(
        (yield* client).auth.login({ payload: { ...adaLogin, clinic: "nowhere" } })
      )
      assert.strictEqual(errorTag(e), "NotFound")
      assert.strictEqual((e as { kind?: unknown }).kind, "clinic")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("GET and HEAD of a link consume nothing; the POST with code and date of birth opens it", () =>
    Effect.gen(function* () {
      yield* seed
      const messaging = yield* Messaging.Messaging
      const sent = yield* messaging.send(staff, {
        patientId: ada.id,
        subject: "New",
        body: "Hello",
        replyAllowed: false
      })
      const linkId = sent.link?.linkId
      if (linkId === undefined) return assert.fail("no link was issued")
      const code = yield* codeFor(linkId)
      const api = yield* client
      for (let i = 0; i < 3; i++) {
        const described = yield* api.links.describe({ params: { linkId } })
        assert.strictEqual(described.status, "active")
        const head = yield* raw(HttpClientRequest.head(`/v1/links/${linkId}`))
        assert.strictEqual(head.status, 204)
        assert.strictEqual(head.text, "")
        yield* api.links.probe({ params: { linkId } })
      }
      const opened = yield* api.links.open({
        params: { linkId },
        payload: { code, dateOfBirth: ada.dateOfBirth, stayLoggedIn: false }
      })
      assert.deepStrictEqual({ ...opened.target }, { kind: "message", id: sent.message.id })
      assert.strictEqual((yield* api.links.describe({ params: { linkId } })).status, "used")
      const thread = yield* (yield* bearerClient(opened.token)).messages.read({
        params: { id: sent.message.id }
      })
      assert.strictEqual(thread.message.subject, "New")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("patient A reading patient B's message answers 404, like a missing one", () =>
    Effect.gen(function* () {
      yield* seed
      const gracesMessage = yield* sendTo(grace.id)
      const token = yield* login()
      const me = yield* bearerClient(token)
      const foreign = yield* Effect.flip(me.messages.read({ params: { id: gracesMessage } }))
      const missing = yield* Effect.flip(
        me.messages.read({ params: { id: "no-such-message" as typeof gracesMessage } })
      )
      assert.deepStrictEqual(foreign, missing)
      assert.strictEqual(errorTag(foreign), "NotFound")
      const res = yield* raw(
        HttpClientRequest.get(`/v1/messages/${gracesMessage}`).pipe(HttpClientRequest.bearerToken(token))
      )
      assert.strictEqual(res.status, 404)
      const foreignReply = yield* raw(
        HttpClientRequest.post(`/v1/messages/${gracesMessage}/replies`).pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyJsonUnsafe({ body: "hi" })
        )
      )
      assert.strictEqual(foreignReply.status, 404)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a reply where the thread takes none answers 403 ReplyNotAllowed", () =>
    Effect.gen(function* () {
      yield* seed
      const messageId = yield* sendTo(ada.id, false)
      const me = yield* bearerClient(yield* login())
      const e = yield* Effect.flip(me.messages.reply({ params: { id: messageId }, payload: { body: "hi" } }))
      assert.strictEqual(errorTag(e), "ReplyNotAllowed")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a session can be ended from the list; an unknown one answers 404", () =>
    Effect.gen(function* () {
      yield* seed
      const first = yield* login()
      const second = yield* login()
      const me = yield* bearerClient(second)
      const sessions = yield* me.sessions.list()
      assert.strictEqual(sessions.length, 2)
      const other = sessions.find((s) => !s.current)
      if (other === undefined) return assert.fail("no other session")
      yield* me.sessions.end({ params: { id: other.id } })
      assert.strictEqual(
        errorTag(yield* Effect.flip((yield* bearerClient(first)).sessions.list())),
        "SessionExpired"
      )
      const e = yield* Effect.flip(me.sessions.end({ params: { id: other.id } }))
      assert.strictEqual(errorTag(e), "SessionNotFound")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("no credential answers 401 SessionExpired", () =>
    Effect.gen(function* () {
      const res = yield* raw(HttpClientRequest.get("/v1/messages"))
      assert.strictEqual(res.status, 401)
      assert.strictEqual((JSON.parse(res.text) as { error: string }).error, "SessionExpired")
    }).pipe(Effect.provide(TestServer()))
  )
})

describe("bad input, unknown routes and the OpenAPI document", () => {
  it.live("a malformed body answers 400 problem details naming the field", () =>
    Effect.gen(function* () {
      yield* seed
      const res = yield* raw(
        HttpClientRequest.post("/v1/auth/login/some-challenge/verify").pipe(
          HttpClientRequest.bodyJsonUnsafe({ code: "123456", stayLoggedIn: "yes" })
        )
      )
      assert.strictEqual(res.status, 400)
      assert.match(String(res.headers["content-type"]), /application\/problem\+json/)
      const body = JSON.parse(res.text) as {
        status: number
        errors: ReadonlyArray<{ path: ReadonlyArray<string>; message: string }>
      }
      assert.strictEqual(body.status, 400)
      assert.deepStrictEqual(
        body.errors.map((e) => e.path),
        [["payload", "stayLoggedIn"]]
      )
      noStackTrace(res.text)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a missing field in the login start answers 400 naming it", () =>
    Effect.gen(function* () {
      const res = yield* raw(
        HttpClientRequest.post("/v1/auth/login").pipe(
          HttpClientRequest.bodyJsonUnsafe({
            clinic: "toronto-west",
            identifier: { idType: "ON-HCN", number: "1" }
          })
        )
      )
      assert.strictEqual(res.status, 400)
      assert.include(res.text, "contact")
      noStackTrace(res.text)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("an unknown route answers 404 JSON", () =>
    Effect.gen(function* () {
      for (const request of [HttpClientRequest.get("/v1/nothing-here"), HttpClientRequest.post("/nope")]) {
        const res = yield* raw(request)
        assert.strictEqual(res.status, 404)
        assert.match(String(res.headers["content-type"]), /application\/json/)
        assert.strictEqual((JSON.parse(res.text) as { error: string }).error, "RouteNotFound")
      }
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("/openapi.json is the contract; /docs and /health answer", () =>
    Effect.gen(function* () {
      const res = yield* raw(HttpClientRequest.get("/openapi.json"))
      assert.strictEqual(res.status, 200)
      const doc = JSON.parse(res.text) as { openapi: string; paths: Record<string, Record<string, unknown>> }
      assert.match(doc.openapi, /^3\.1/)
      for (const path of [
        "/v1/auth/login",
        "/v1/auth/login/{challengeId}/verify",
        "/v1/auth/login/{challengeId}/resend",
        "/v1/auth/logout",
        "/v1/links/{linkId}",
        "/v1/links/{linkId}/open",
        "/v1/links/{linkId}/resend",
        "/v1/sessions",
        "/v1/sessions/{id}",
        "/v1/messages",
        "/v1/messages/{id}",
        "/v1/messages/{id}/replies",
        "/health"
      ]) {
        assert.property(doc.paths, path)
      }
      const verify = doc.paths["/v1/auth/login/{challengeId}/verify"]?.post as { responses: object }
      // Every error the endpoint can answer is in the document with its status.
      assert.deepStrictEqual(Object.keys(verify.responses), [
        "200",
        "400",
        "401",
        "404",
        "409",
        "410",
        "423",
        "429",
        "500"
      ])
      const docs = yield* raw(HttpClientRequest.get("/docs"))
      assert.strictEqual(docs.status, 200)
      assert.match(docs.text, /<html/i)
      const health = yield* (yield* client).health.health()
      assert.deepStrictEqual(health, { status: "ok", database: "unchecked" })
    }).pipe(Effect.provide(TestServer()))
  )
})
