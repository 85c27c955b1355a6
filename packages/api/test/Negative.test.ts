/**
 * The negative tests of issue 6, held to the words: lockout after five wrong codes on
 * every code-entry endpoint; match and no-match login starts answering alike (status, headers,
 * body, and what follows); GET and HEAD of a link consuming nothing; one patient's records
 * answering another exactly as missing ones do, on every endpoint that takes an id (walked from
 * the contract); and files that are not photos refused whatever they are called.
 *
 * Supersedes, in Api.test.ts: "five wrong codes lock the challenge", "match and no-match login
 * starts answer the same status and body shape", "GET and HEAD of a link consume nothing",
 * "patient A reading patient B's message answers 404"; in Care.test.ts: "patient A reaching B's
 * appointment or task answers 404"; and the non-photo part of Uploads.test.ts's first test.
 */
import { randomUUID } from "node:crypto"
import { AuditLog, Chart, FileStore, Messaging, Outbox, Uploads } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Layer, TxRef } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { layerRateLimitConfig } from "../src/RateLimit.ts"
import { checkupId, loginAs, providerId, seedSchedule } from "./CareSupport.ts"
import { endpoints, fieldNames, requestTo, validStrings, validWire } from "./ContractWalk.ts"
import { ada, bearerClient, codeFor, grace, seed, staff, TestServer } from "./support.ts"

/** A server whose per-address limits stay out of the way of the tests' many requests from one address. */
const server = () =>
  TestServer().pipe(
    Layer.provide(
      layerRateLimitConfig({
        limits: Object.fromEntries(
          (["login", "verify", "open", "resend", "join"] as const).map((k) => [
            k,
            { limit: 100_000, window: Duration.minutes(10) }
          ])
        )
      })
    )
  )

interface Raw {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

/** The raw answer to a request: what the derived client hides (headers, exact bodies). */
const raw = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const response = yield* (yield* HttpClient.HttpClient).execute(request)
    const text = yield* response.text
    assert.notMatch(text, /^\s*at |\bat [\w$.<>[\]]+ \(|node_modules|node:internal|\.ts:\d|\bSELECT\b/m)
    return { status: response.status, headers: response.headers, text } satisfies Raw
  })

const json = (res: Raw) => JSON.parse(res.text) as Record<string, unknown>

const post = (url: string, body?: unknown, token?: string) => {
  const request = HttpClientRequest.post(url)
  const withToken = token === undefined ? request : HttpClientRequest.bearerToken(request, token)
  return body === undefined ? withToken : HttpClientRequest.bodyJsonUnsafe(withToken, body)
}

const outboxSize = Effect.map(
  Effect.flatMap(Outbox.Outbox, (o) => o.all),
  (all) => all.length
)

const wrongFor = (code: string) =>
  code === "000000" ? "111111" : code.replace(/./g, (c) => (c === "2" ? "3" : "2"))

/** The shape of a JSON value: its keys (sorted) and the JSON type of each, recursively. */
const shape = (value: unknown): unknown =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? value.map(shape)
      : typeof value === "object"
        ? Object.fromEntries(
            Object.keys(value as object)
              .sort()
              .map((k) => [k, shape((value as Record<string, unknown>)[k])])
          )
        : typeof value

const adaLogin = {
  clinic: "toronto-west",
  identifier: { idType: "ON-HCN", number: "1234567890" },
  contact: "ada@example.org"
}

describe("lockout after five wrong codes", () => {
  /**
   * Five wrong codes: 401 with attempts left 4, 3, 2, 1, then 423. The right code afterwards
   * answers 423 too, sets no cookie, hands out no token and opens no session.
   */
  const lockout = (enter: (code: string) => HttpClientRequest.HttpClientRequest, code: string) =>
    Effect.gen(function* () {
      const answers: Array<unknown> = []
      for (let i = 0; i < 5; i++) {
        const res = yield* raw(enter(wrongFor(code)))
        const body = json(res)
        answers.push([res.status, body.error, body.attemptsLeft ?? null])
      }
      assert.deepStrictEqual(answers, [
        [401, "PasscodeInvalid", 4],
        [401, "PasscodeInvalid", 3],
        [401, "PasscodeInvalid", 2],
        [401, "PasscodeInvalid", 1],
        [423, "PasscodeLocked", null]
      ])
      for (let i = 0; i < 2; i++) {
        const right = yield* raw(enter(code))
        assert.strictEqual(right.status, 423)
        assert.strictEqual(json(right).error, "PasscodeLocked")
        assert.isString(json(right).message)
        assert.notProperty(json(right), "token")
        assert.isUndefined(right.headers["set-cookie"])
      }
    })

  it.live("on login, link open and contact change, and the right code then opens nothing", () =>
    Effect.gen(function* () {
      yield* seed
      const token = yield* loginAs(ada)
      const sessionsBefore = (yield* (yield* bearerClient(token)).sessions.list()).length

      // Login.
      const start = yield* raw(post("/v1/auth/login", adaLogin))
      const challengeId = String(json(start).challengeId)
      yield* lockout(
        (code) => post(`/v1/auth/login/${challengeId}/verify`, { code, stayLoggedIn: true }),
        yield* codeFor(challengeId)
      )

      // A notification link: the date of birth is right, the code is not.
      const sent = yield* (yield* Messaging.Messaging).send(staff, {
        patientId: ada.id,
        subject: "Results",
        body: "See the portal.",
        replyAllowed: true
      })
      const linkId = sent.link?.linkId
      if (linkId === undefined) return assert.fail("no link was issued")
      yield* lockout(
        (code) =>
          post(`/v1/links/${linkId}/open`, { code, dateOfBirth: ada.dateOfBirth, stayLoggedIn: false }),
        yield* codeFor(linkId)
      )
      assert.strictEqual(json(yield* raw(HttpClientRequest.get(`/v1/links/${linkId}`))).status, "locked")

      // A change of email: the new address is not taken.
      const change = yield* raw(post("/v1/me/contacts", { email: "ada.new@example.org" }, token))
      const changeId = String(json(change).challengeId)
      yield* lockout(
        (code) => post("/v1/me/contacts/verify", { challengeId: changeId, code }, token),
        yield* codeFor(changeId)
      )
      const me = yield* (yield* bearerClient(token)).me.read()
      assert.strictEqual(me.email, "ada@example.org")
      assert.strictEqual((yield* (yield* bearerClient(token)).sessions.list()).length, sessionsBefore)
    }).pipe(Effect.provide(server()))
  )
})

describe("match and no-match login starts answer alike", () => {
  it.live("same status, headers, body keys and types, no cookie; and the same answers after", () =>
    Effect.gen(function* () {
      yield* seed
      const starts = {
        match: adaLogin,
        "match by mobile": { ...adaLogin, contact: ada.mobile ?? "" },
        "no such card": { ...adaLogin, identifier: { idType: "ON-HCN", number: "5555555555" } },
        "another patient's card": {
          ...adaLogin,
          identifier: { idType: "ON-HCN", number: grace.healthCard.number }
        },
        "wrong email": { ...adaLogin, contact: "someone@example.org" },
        "wrong mobile": { ...adaLogin, contact: "+14165559999" }
      }
      const answers: Record<string, { start: Raw; verify: Raw; resend: Raw }> = {}
      for (const [name, body] of Object.entries(starts)) {
        const start = yield* raw(post("/v1/auth/login", body))
        const challengeId = String(json(start).challengeId)
        // What an attacker would try next: a guess, and asking for the code again.
        const verify = yield* raw(
          post(`/v1/auth/login/${challengeId}/verify`, { code: "000000", stayLoggedIn: false })
        )
        const resend = yield* raw(post(`/v1/auth/login/${challengeId}/resend`))
        answers[name] = { start, verify, resend }
      }
      const reference = answers.match
      if (reference === undefined) return assert.fail("no match answer")
      assert.strictEqual(reference.start.status, 202)
      /** Everything an answer shows but the values that must differ (ids, times, the date header). */
      const view = (res: Raw) => ({
        status: res.status,
        contentType: res.headers["content-type"],
        headerNames: Object.keys(res.headers)
          .filter((h) => h !== "date")
          .sort(),
        setCookie: res.headers["set-cookie"] ?? null,
        retryAfter: res.headers["retry-after"] === undefined ? null : "present",
        body: shape(json(res)),
        error: json(res).error ?? null,
        attemptsLeft: json(res).attemptsLeft ?? null
      })
      for (const [name, answer] of Object.entries(answers)) {
        for (const step of ["start", "verify", "resend"] as const) {
          assert.deepStrictEqual(view(answer[step]), view(reference[step]), `${name}: ${step}`)
        }
        const body = json(answer.start)
        assert.match(
          String(body.challengeId),
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
        )
        assert.match(String(body.expiresAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
        assert.isUndefined(answer.start.headers["set-cookie"], name)
      }
      assert.strictEqual(reference.verify.status, 401)
      assert.strictEqual(reference.resend.status, 429)
    }).pipe(Effect.provide(server()))
  )
})

describe("GET and HEAD of a link consume nothing", () => {
  it.live("no attempt, no code sent, no session, no cookie; the code still opens it after", () =>
    Effect.gen(function* () {
      yield* seed
      const sent = yield* (yield* Messaging.Messaging).send(staff, {
        patientId: ada.id,
        subject: "New",
        body: "Hello",
        replyAllowed: false
      })
      const linkId = sent.link?.linkId
      if (linkId === undefined) return assert.fail("no link was issued")
      const code = yield* codeFor(linkId)
      const notes = yield* outboxSize
      for (let i = 0; i < 3; i++) {
        const get = yield* raw(HttpClientRequest.get(`/v1/links/${linkId}`))
        assert.strictEqual(get.status, 200)
        assert.strictEqual(json(get).status, "active")
        assert.isUndefined(get.headers["set-cookie"])
        assert.notInclude(get.text, code)
        const head = yield* raw(HttpClientRequest.head(`/v1/links/${linkId}`))
        assert.strictEqual(head.status, 204)
        assert.strictEqual(head.text, "")
        assert.isUndefined(head.headers["set-cookie"])
      }
      assert.strictEqual(yield* outboxSize, notes, "a GET or HEAD sent a code")
      // No attempt was used: the first wrong code still leaves four.
      const wrong = yield* raw(
        post(`/v1/links/${linkId}/open`, {
          code: wrongFor(code),
          dateOfBirth: ada.dateOfBirth,
          stayLoggedIn: false
        })
      )
      assert.deepStrictEqual([wrong.status, json(wrong).attemptsLeft], [401, 4])
      const opened = yield* raw(
        post(`/v1/links/${linkId}/open`, { code, dateOfBirth: ada.dateOfBirth, stayLoggedIn: false })
      )
      assert.strictEqual(opened.status, 200)
      assert.strictEqual(json(yield* raw(HttpClientRequest.get(`/v1/links/${linkId}`))).status, "used")

      // An unknown link: 404 JSON to GET, 404 without a body to HEAD.
      const unknown = yield* raw(HttpClientRequest.get(`/v1/links/${randomUUID()}`))
      assert.deepStrictEqual([unknown.status, json(unknown).error], [404, "LinkNotFound"])
      const unknownHead = yield* raw(HttpClientRequest.head(`/v1/links/${randomUUID()}`))
      assert.deepStrictEqual([unknownHead.status, unknownHead.text], [404, ""])
    }).pipe(Effect.provide(server()))
  )
})

/** Grace's records of every kind an id in a path can name, made through the API and the services. */
const gracesRecords = Effect.gen(function* () {
  const token = yield* loginAs(grace)
  const api = yield* bearerClient(token)
  const message = yield* (yield* Messaging.Messaging).send(staff, {
    patientId: grace.id,
    subject: "For Grace",
    body: "Only for Grace.",
    replyAllowed: true
  })
  const now = yield* DateTime.now
  const [slot] = yield* api.availability.slots({
    params: { id: providerId },
    query: {
      type: checkupId,
      from: DateTime.addDuration(now, Duration.hours(48)),
      to: DateTime.addDuration(now, Duration.hours(72))
    }
  })
  if (slot === undefined) return yield* Effect.die(new Error("no slots"))
  const appointment = yield* api.appointments.request({
    payload: { providerId, typeId: checkupId, start: slot.start }
  })
  const [task] = yield* api.tasks.list({ params: { id: appointment.id } })
  if (task === undefined) return yield* Effect.die(new Error("no task"))
  const upload = yield* (yield* Uploads.Uploads).request(staff, { patientId: grace.id, note: "Grace's rash" })
  const [session] = yield* api.sessions.list()
  if (session === undefined) return yield* Effect.die(new Error("no session"))
  const change = yield* api.me.changeContact({ payload: { email: "grace.new@example.org" } })
  return {
    token,
    ids: {
      message: message.message.id,
      appointment: appointment.id,
      task: task.task.id,
      upload: upload.request.id,
      session: session.id,
      contactChange: change.challengeId,
      provider: providerId
    } as Record<string, string>,
    appointment
  }
})

/** What Grace sees of her records: it must not change while Ada tries them. */
const gracesView = (token: string, ids: Record<string, string>) =>
  Effect.gen(function* () {
    const api = yield* bearerClient(token)
    const thread = yield* api.messages.read({ params: { id: ids.message as never } })
    const appointment = yield* api.appointments.read({ params: { id: ids.appointment as never } })
    const tasks = yield* api.tasks.list({ params: { id: ids.appointment as never } })
    const upload = yield* api.uploads.describe({ params: { id: ids.upload as never } })
    const sessions = yield* api.sessions.list()
    const me = yield* api.me.read()
    return JSON.stringify({
      replies: thread.replies.length,
      appointment: [appointment.status, DateTime.formatIso(appointment.start)],
      tasks: tasks.map((t) => t.task.status),
      upload: upload.state,
      sessions: sessions.map((s) => s.id),
      email: me.email
    })
  })

/** A tiny PNG, for an upload that fails only on whose request it is. */
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52
])

describe("one patient's records answer another patient exactly as missing ones do", () => {
  it.live(
    "every patient endpoint taking an id (walked from the contract), with each of B's ids",
    () =>
      Effect.gen(function* () {
        yield* seed
        yield* seedSchedule
        const graces = yield* gracesRecords
        const before = yield* gracesView(graces.token, graces.ids)
        const adaToken = yield* loginAs(ada)
        const notes = yield* outboxSize

        const withIds = endpoints.filter((e) => e.caller === "patient" && e.params !== undefined)
        assert.isAtLeast(withIds.length, 10, "the walk found too few endpoints taking an id")
        const tried: Array<string> = []
        for (const endpoint of withIds) {
          const params =
            endpoint.params === undefined ? {} : yield* validStrings(endpoint.params, endpoint.label)
          const query =
            endpoint.query === undefined ? {} : yield* validStrings(endpoint.query, endpoint.label)
          const jsonPayload = endpoint.payloads.find((p) => p.encoding === "Json")
          const multipart = endpoint.payloads.find((p) => p.encoding === "Multipart")
          const payload =
            jsonPayload === undefined ? undefined : yield* validWire(jsonPayload.schema, endpoint.label)
          const send = (id: string) => {
            const request = requestTo(
              endpoint,
              Object.fromEntries(Object.keys(params).map((k) => [k, id])),
              query
            ).pipe(HttpClientRequest.bearerToken(adaToken))
            if (payload !== undefined) return raw(HttpClientRequest.bodyJsonUnsafe(request, payload))
            if (multipart !== undefined) {
              const form = new FormData()
              for (const name of fieldNames(multipart.schema)) form.append(name, new Blob([PNG]), "a.png")
              return raw(HttpClientRequest.bodyFormData(request, form))
            }
            return raw(request)
          }
          for (const [kind, id] of Object.entries(graces.ids)) {
            // The provider is the clinic's, not Grace's: it is there to be found.
            if (kind === "provider") continue
            const missingId = randomUUID()
            const foreign = yield* send(id)
            const missing = yield* send(missingId)
            const label = `${endpoint.label} with Grace's ${kind}`
            assert.strictEqual(foreign.status, missing.status, label)
            assert.strictEqual(foreign.headers["content-type"], missing.headers["content-type"], label)
            assert.strictEqual(
              foreign.text.replaceAll(id, "<id>"),
              missing.text.replaceAll(missingId, "<id>"),
              label
            )
            assert.isAtLeast(foreign.status, 400, label)
            tried.push(`${endpoint.group}.${endpoint.name} ${foreign.status}`)
          }
        }
        // The cases by name: B's message and appointment answer 404.
        for (const name of ["messages.read 404", "appointments.read 404"]) assert.include(tried, name)
        assert.strictEqual(yield* gracesView(graces.token, graces.ids), before, "Grace's records changed")
        assert.strictEqual(yield* outboxSize, notes, "Ada's tries sent a notification")
      }).pipe(Effect.provide(server())),
    30_000
  )
})

/** What the stores hold: files and chart entries. */
const stored = Effect.gen(function* () {
  const files = yield* TxRef.get((yield* FileStore.FileStoreMemory).state)
  const chart = yield* TxRef.get((yield* Chart.ChartRepoMemory).state)
  return [files.size, chart.length]
})

/** The outcomes of the photo uploads audited so far. */
const uploadOutcomes = Effect.map(
  Effect.flatMap(AuditLog.AuditLogMemory, (a) => TxRef.get(a.state)),
  (events) => events.filter((e) => e.action === "photo.uploaded").map((e) => e.outcome)
)

const bytes = (s: string) => new TextEncoder().encode(s)

describe("a file that is not a JPEG, PNG or HEIC photo is refused", () => {
  it.live("whatever its name and declared type: 415, nothing kept, the request still open", () =>
    Effect.gen(function* () {
      yield* seed
      const token = yield* loginAs(ada)
      const { request } = yield* (yield* Uploads.Uploads).request(staff, { patientId: ada.id })
      const before = yield* stored
      const files: ReadonlyArray<readonly [string, Uint8Array, string, string]> = [
        [
          "an SVG called .png",
          bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
          "x.png",
          "image/png"
        ],
        ["an SVG", bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), "x.svg", "image/svg+xml"],
        [
          "an HTML page called .jpg",
          bytes("<!doctype html><html><script>alert(1)</script></html>"),
          "x.jpg",
          "image/jpeg"
        ],
        ["a GIF", bytes("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "x.gif", "image/gif"],
        ["a WebP", bytes("RIFF\x1a\x00\x00\x00WEBPVP8 "), "x.webp", "image/webp"],
        ["a PDF called .heic", bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "x.heic", "image/heic"],
        ["half a PNG signature", Uint8Array.from([0x89, 0x50, 0x4e, 0x47]), "x.png", "image/png"],
        ["an empty file", new Uint8Array(0), "x.png", "image/png"]
      ]
      for (const [what, content, name, type] of files) {
        const form = new FormData()
        form.append("photo", new Blob([content as Uint8Array<ArrayBuffer>], { type }), name)
        const res = yield* raw(
          HttpClientRequest.post(`/v1/uploads/${request.id}`).pipe(
            HttpClientRequest.bearerToken(token),
            HttpClientRequest.bodyFormData(form)
          )
        )
        assert.strictEqual(res.status, 415, what)
        assert.match(res.headers["content-type"] ?? "", /^application\/json/, what)
        assert.deepStrictEqual([json(res).error, json(res).reason], ["UploadRejected", "not-a-photo"], what)
        assert.include(String(json(res).message), "JPEG, PNG or HEIC", what)
      }
      assert.deepStrictEqual(yield* stored, before)
      // Each attempt is audited, as refused.
      assert.deepStrictEqual(
        yield* uploadOutcomes,
        files.map(() => "failure")
      )
      const view = yield* (yield* bearerClient(token)).uploads.describe({ params: { id: request.id } })
      assert.strictEqual(view.state, "open")
      const photo = new FormData()
      photo.append("photo", new Blob([PNG], { type: "image/png" }), "arm.png")
      const filed = yield* raw(
        HttpClientRequest.post(`/v1/uploads/${request.id}`).pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyFormData(photo)
        )
      )
      assert.strictEqual(filed.status, 201)
    }).pipe(Effect.provide(server()))
  )
})
