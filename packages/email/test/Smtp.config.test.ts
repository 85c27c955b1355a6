/**
 * `Smtp.layerConfig` and `Smtp.config`: the environment variables a deployment sets, read the
 * way the brief documents them — `SMTP_URL` or `SMTP_HOST`/`SMTP_PORT`/`SMTP_USER`/
 * `SMTP_PASSWORD`, `SMTP_SECURE`, `SMTP_FROM`, `SMTP_SEND_TIMEOUT` — with the secrets kept
 * redacted and never quoted in an error. The two end-to-end cases log in to a real SMTP server.
 */
import { Delivery } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Redacted } from "effect"
import * as Smtp from "../src/Smtp.ts"
import { startSmtpServer } from "./SmtpServer.ts"

const withEnv = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))

const readConfig = (env: Record<string, string>) => Smtp.config.pipe(Effect.provide(withEnv(env)))

const message = new Delivery.EmailMessage({
  to: "p1234@example.org",
  fromName: "Toronto West Family Health",
  subject: "Toronto West Family Health: appointment reminder",
  text: "Toronto West Family Health — appointment reminder.",
  html: "<p>Toronto West Family Health — appointment reminder.</p>",
  idempotencyKey: "appointment:a1:appointment-reminder:email"
})

const sendThrough = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const sender = yield* Delivery.EmailSender
    return yield* sender.send(message)
  }).pipe(Effect.provide(Smtp.layerConfig.pipe(Layer.provide(withEnv(env)))))

describe("Smtp.layerConfig against a real SMTP server with AUTH", () => {
  it.live("SMTP_URL: user and password are percent-decoded, SMTP_SECURE=none keeps loopback in clear", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer({
        auth: { user: "portal@clinic.example", password: "p@ss:w/rd" }
      })
      yield* sendThrough({
        SMTP_URL: `smtp://portal%40clinic.example:p%40ss%3Aw%2Frd@127.0.0.1:${server.port}`,
        SMTP_SECURE: "none",
        SMTP_FROM: "portal@clinic.example"
      })
      assert.deepStrictEqual(server.logins(), [{ user: "portal@clinic.example", password: "p@ss:w/rd" }])
      assert.deepStrictEqual(
        server.received().map((r) => [r.mailFrom, r.rcptTo, r.user]),
        [["portal@clinic.example", ["p1234@example.org"], "portal@clinic.example"]]
      )
    })
  )

  it.live("SMTP_HOST, SMTP_PORT, SMTP_SECURE, SMTP_USER, SMTP_PASSWORD", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer({ auth: { user: "careportal", password: "s3cret" } })
      yield* sendThrough({
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(server.port),
        SMTP_SECURE: "none",
        SMTP_USER: "careportal",
        SMTP_PASSWORD: "s3cret",
        SMTP_FROM: "portal@clinic.example"
      })
      assert.deepStrictEqual(server.logins(), [{ user: "careportal", password: "s3cret" }])
      assert.lengthOf(server.received(), 1)
    })
  )
})

describe("Smtp.config", () => {
  it.effect("smtps:// means implicit TLS; the password stays redacted", () =>
    Effect.gen(function* () {
      const options = yield* readConfig({
        SMTP_URL: "smtps://u:hunter2@mail.example",
        SMTP_FROM: "a@b.example"
      })
      assert.strictEqual(options.host, "mail.example")
      assert.strictEqual(options.port, undefined)
      assert.strictEqual(options.secure, "tls")
      assert.strictEqual(options.user, "u")
      assert.isDefined(options.password)
      if (options.password === undefined) return
      assert.strictEqual(Redacted.value(options.password), "hunter2")
      assert.notInclude(String(options.password), "hunter2")
      assert.notInclude(JSON.stringify(options), "hunter2")
      assert.strictEqual(options.from, "a@b.example")
      assert.isTrue(Duration.equals(Duration.fromInputUnsafe(options.sendTimeout ?? 0), Duration.seconds(30)))
    })
  )

  it.effect("smtp:// requires STARTTLS unless SMTP_SECURE says otherwise; the port comes from the URL", () =>
    Effect.gen(function* () {
      const plain = yield* readConfig({ SMTP_URL: "smtp://mail.example:2525", SMTP_FROM: "a@b.example" })
      assert.deepStrictEqual(
        [plain.secure, plain.port, plain.user, plain.password],
        ["starttls", 2525, undefined, undefined]
      )
      const none = yield* readConfig({
        SMTP_URL: "smtp://mail.example:2525",
        SMTP_SECURE: "none",
        SMTP_FROM: "a@b.example"
      })
      assert.strictEqual(none.secure, "none")
    })
  )

  it.effect("SMTP_HOST alone: STARTTLS required, default port, no login; SMTP_SEND_TIMEOUT is read", () =>
    Effect.gen(function* () {
      const options = yield* readConfig({
        SMTP_HOST: "mail.example",
        SMTP_FROM: "a@b.example",
        SMTP_SEND_TIMEOUT: "5 seconds"
      })
      assert.deepStrictEqual(
        [options.host, options.secure, options.port, options.user],
        ["mail.example", "starttls", undefined, undefined]
      )
      assert.isTrue(Duration.equals(Duration.fromInputUnsafe(options.sendTimeout ?? 0), Duration.seconds(5)))
    })
  )

  it.effect("refuses a bad configuration, never quoting a secret", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
        [{ SMTP_URL: "http://user:hunter2@mail.example", SMTP_FROM: "a@b.example" }, "SMTP_URL"],
        [{ SMTP_URL: "smtp://user:hunter2%zz@mail.example", SMTP_FROM: "a@b.example" }, "SMTP_URL"],
        [{ SMTP_HOST: "mail.example", SMTP_USER: "u", SMTP_FROM: "a@b.example" }, "SMTP_PASSWORD"],
        [{ SMTP_HOST: "mail.example", SMTP_SECURE: "ssl", SMTP_FROM: "a@b.example" }, "SMTP_SECURE"],
        [{ SMTP_HOST: "mail.example" }, "SMTP_FROM"],
        [{ SMTP_FROM: "a@b.example" }, "SMTP_HOST"]
      ]
      for (const [env, names] of cases) {
        const error = yield* Effect.flip(readConfig(env))
        assert.strictEqual(error._tag, "ConfigError", JSON.stringify(env))
        const shown = `${String(error)} ${error.message} ${JSON.stringify(error)}`
        assert.include(shown, names, JSON.stringify(env))
        assert.notInclude(shown, "hunter2")
      }
    })
  )
})
