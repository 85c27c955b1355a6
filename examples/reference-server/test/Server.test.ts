/**
 * The composed reference server on a fresh embedded database and a free port: it seeds the demo
 * clinic, answers /health, and Ada logs in over HTTP with the code its dispatcher delivered.
 * Restarted on the same directory, it does not seed again, her session still works, and a code
 * sent before the restart is accepted after it (the development secret is kept in the data
 * directory).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { AppointmentRepo, Delivery, MessageRepo } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Context, DateTime, Effect, Layer, TxRef } from "effect"
import { HttpServer } from "effect/http"
import * as Demo from "../src/Demo.ts"
import * as Server from "../src/Server.ts"

interface Answer {
  readonly status: number
  readonly body: unknown
}

/** A string field of a JSON answer (fails the test when it is not one). */
const text = (answer: Answer, key: string): string => {
  const value = (answer.body as Record<string, unknown> | null)?.[key]
  assert.strictEqual(typeof value, "string", `${key} in ${JSON.stringify(answer.body)}`)
  return value as string
}

/** The subjects of a `GET /v1/messages` answer. */
const subjects = (answer: Answer): ReadonlyArray<string> =>
  ((answer.body as { messages: ReadonlyArray<{ subject: string }> }).messages ?? []).map((m) => m.subject)

/** The server on `dir` at a free port, its email captured; the scope stops it. */
const start = (dir: string) =>
  Effect.gen(function* () {
    const senders = yield* Layer.build(
      Layer.mergeAll(Delivery.EmailSender.layerMemory, Delivery.SmsSender.layerMemory)
    )
    // No variable of the machine's environment leaks in (DATABASE_URL, NODE_ENV, …).
    const config = ConfigProvider.fromUnknown({
      CAREPORTAL_DATA_DIR: dir,
      PORT: "0",
      HOST: "127.0.0.1",
      DISPATCH_POLL_INTERVAL: "100 millis"
    })
    const context = yield* Layer.build(
      Server.layer({ senders: Layer.succeedContext(senders) }).pipe(
        Layer.provide(ConfigProvider.layer(config))
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag === "UnixPathAddress") return yield* Effect.die(new Error("not a TCP address"))
    const call = (method: string, url: string, options: { body?: unknown; token?: string } = {}) =>
      Effect.promise(async (): Promise<Answer> => {
        const headers: Record<string, string> = { "content-type": "application/json" }
        if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
        const response = await fetch(`http://127.0.0.1:${address.port}${url}`, {
          method,
          headers,
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
        })
        const text = await response.text()
        return { status: response.status, body: text === "" ? null : JSON.parse(text) }
      })
    return { context, call, emails: Context.get(senders, Delivery.EmailSenderMemory) }
  })

/** The login code the dispatcher emailed to Ada, waiting up to 10 s for the delivery. */
const emailedCode = (emails: Delivery.EmailSenderMemory["Service"], skip: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100; i++) {
      const codes = (yield* TxRef.get(emails.state))
        .filter((e) => e.to === "ada@example.org")
        .flatMap((e) => {
          const match = /login code is ([A-Za-z0-9]+)/.exec(e.text)
          return match?.[1] === undefined ? [] : [match[1]]
        })
      const code = codes[skip]
      if (code !== undefined) return code
      yield* Effect.sleep("100 millis")
    }
    return yield* Effect.die(new Error("no login code was emailed"))
  })

const temporaryDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "careportal-server-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

describe("the reference server", () => {
  it.live(
    "seeds an empty embedded database, logs Ada in over HTTP, and keeps her session and codes across a restart",
    () =>
      Effect.gen(function* () {
        const dir = yield* temporaryDir

        const first = yield* Effect.scoped(
          Effect.gen(function* () {
            const { context, call, emails } = yield* start(dir)

            const health = yield* call("GET", "/health")
            assert.deepStrictEqual(health, { status: 200, body: { status: "ok", database: "ok" } })
            const ready = yield* call("GET", "/health/ready")
            assert.deepStrictEqual(ready, { status: 200, body: { status: "ok", database: "ok" } })

            // The seed: one upcoming booked appointment, one message; seeding again writes nothing.
            const now = yield* DateTime.now
            const appointments = yield* AppointmentRepo.AppointmentRepo.pipe(
              Effect.flatMap((repo) => repo.listByPatient(Demo.patient.id)),
              Effect.provide(context)
            )
            assert.deepStrictEqual(
              appointments.map((a) => [a.status, a.providerId, DateTime.isGreaterThan(a.start, now)]),
              [["booked", "provider-okafor", true]]
            )
            assert.deepStrictEqual(yield* Demo.seed.pipe(Effect.provide(context)), [])

            const request = {
              clinic: "toronto-west",
              identifier: { idType: "ON-HCN", number: "1234-567-890" },
              contact: "ada@example.org"
            }
            const challenge = { request, ...(yield* call("POST", "/v1/auth/login", { body: request })) }
            assert.strictEqual(challenge.status, 202)
            const code = yield* emailedCode(emails, 0)
            const session = yield* call("POST", `/v1/auth/login/${text(challenge, "challengeId")}/verify`, {
              body: { code, stayLoggedIn: true }
            })
            assert.strictEqual(session.status, 200)

            const messages = yield* call("GET", "/v1/messages", { token: text(session, "token") })
            assert.strictEqual(messages.status, 200)
            assert.deepStrictEqual(subjects(messages), ["Welcome to the portal"])
            const anonymous = yield* call("GET", "/v1/messages")
            assert.strictEqual(anonymous.status, 401)

            // The demo clinic's staff key is in a private file of the data directory, not the log.
            const keyFile = path.join(dir, Demo.STAFF_KEY_FILE)
            assert.strictEqual(fs.statSync(keyFile).mode & 0o777, 0o600)
            const staffKey = fs.readFileSync(keyFile, "utf8").trim()
            const patients = yield* call("GET", "/v1/staff/patients", { token: staffKey })
            assert.strictEqual(patients.status, 200)
            assert.deepStrictEqual(
              (patients.body as { patients: ReadonlyArray<{ id: string }> }).patients.map((p) => p.id),
              [Demo.patient.id]
            )

            // A second login whose code arrives before the restart and is typed after it.
            const pending = yield* call("POST", "/v1/auth/login", { body: challenge.request })
            assert.strictEqual(pending.status, 202)
            return {
              token: text(session, "token"),
              challengeId: text(pending, "challengeId"),
              code: yield* emailedCode(emails, 1)
            }
          })
        )

        // The first server has released the directory; a second one opens it.
        yield* Effect.scoped(
          Effect.gen(function* () {
            const { context, call } = yield* start(dir)
            // No second key on a restart: the first still works.
            const keys = yield* call("GET", "/v1/staff/api-keys", {
              token: fs.readFileSync(path.join(dir, Demo.STAFF_KEY_FILE), "utf8").trim()
            })
            assert.strictEqual(keys.status, 200)
            assert.strictEqual((keys.body as ReadonlyArray<unknown>).length, 1)
            const messages = yield* call("GET", "/v1/messages", { token: first.token })
            assert.strictEqual(messages.status, 200)
            assert.deepStrictEqual(subjects(messages), ["Welcome to the portal"])
            // The code was hashed under the development secret kept in the data directory.
            const verified = yield* call("POST", `/v1/auth/login/${first.challengeId}/verify`, {
              body: { code: first.code, stayLoggedIn: false }
            })
            assert.strictEqual(verified.status, 200)
            const stored = yield* MessageRepo.MessageRepo.pipe(
              Effect.flatMap((repo) => repo.listByPatient(Demo.patient.clinicId, Demo.patient.id)),
              Effect.provide(context)
            )
            assert.strictEqual(stored.length, 1)
          })
        )
      }).pipe(Effect.scoped),
    { timeout: 60_000 }
  )
})
