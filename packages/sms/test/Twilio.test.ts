/**
 * The Twilio-compatible sender against a real local HTTP server that behaves like the
 * provider: what goes over the wire (method, path, basic auth, form body, idempotency
 * headers), and how each answer becomes a receipt or a retryable / permanent failure.
 */
import { Delivery } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { Clock, ConfigProvider, Duration, Effect, Layer, Logger, Redacted, Result, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as Twilio from "../src/Twilio.ts"
import {
  accountSid,
  authToken,
  closedPort,
  created,
  type FakeProvider,
  fakeProvider,
  formValue,
  messagesPath,
  type Reply
} from "./FakeProvider.ts"

const from = "+15005550006"

const message = new Delivery.SmsMessage({
  to: "+16475550123",
  body: "Northside Clinic: your code is 4F7K-9QMZ & expires in 10 min — é ✓",
  idempotencyKey: "notification-7d1c:sms"
})

const senderLayer = (provider: FakeProvider, options: { readonly timeout?: Duration.Input } = {}) =>
  Twilio.layer({
    accountSid,
    authToken: Redacted.make(authToken),
    from,
    baseUrl: provider.url,
    ...options
  })

/** Sends `message` to a fake answering `reply` to every request; returns the outcome and the fake. */
const sendWith = (reply: Reply | (() => Reply), options: { readonly timeout?: Duration.Input } = {}) =>
  Effect.gen(function* () {
    const provider = yield* fakeProvider(() => (typeof reply === "function" ? reply() : reply))
    const outcome = yield* Delivery.SmsSender.use((sms) => sms.send(message)).pipe(
      Effect.result,
      Effect.provide(senderLayer(provider, options))
    )
    return { outcome, provider }
  })

const failure = (outcome: Result.Result<Delivery.SendReceipt, Delivery.DeliveryFailed>) => {
  if (Result.isSuccess(outcome))
    return assert.fail(`expected a failure, got ${JSON.stringify(outcome.success)}`)
  return outcome.failure
}

const receipt = (outcome: Result.Result<Delivery.SendReceipt, Delivery.DeliveryFailed>) => {
  if (Result.isFailure(outcome)) return assert.fail(`expected a receipt, got ${outcome.failure.message}`)
  return outcome.success
}

/** The one request the fake accepted. */
const only = (provider: FakeProvider) => {
  assert.strictEqual(provider.received.length, 1)
  const [request] = provider.received
  if (request === undefined) return assert.fail("no request reached the provider")
  return request
}

/** What may never appear in anything a failure carries or prints. */
const assertNoSecrets = (error: Delivery.DeliveryFailed) => {
  for (const rendered of [error.reason, error.message, String(error), JSON.stringify(error)]) {
    assert.notInclude(rendered, authToken)
    assert.notInclude(rendered, message.body)
    assert.notInclude(rendered, Buffer.from(`${accountSid}:${authToken}`).toString("base64"))
  }
}

describe("Twilio.layer on the wire", () => {
  it.live("POSTs the form to the account's Messages.json with basic auth and both idempotency headers", () =>
    Effect.gen(function* () {
      const { outcome, provider } = yield* sendWith({
        status: 201,
        body: { sid: "SM0123456789abcdef", status: "queued" }
      })
      assert.deepStrictEqual(provider.refused, [])
      const request = only(provider)
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, messagesPath)
      assert.strictEqual(
        request.headers.authorization,
        `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`
      )
      assert.match(request.headers["content-type"] ?? "", /^application\/x-www-form-urlencoded/)
      assert.strictEqual(request.headers["idempotency-key"], message.idempotencyKey)
      assert.strictEqual(request.headers["i-twilio-idempotency-token"], message.idempotencyKey)
      // Exactly these fields, once each; the text arrives intact through the form encoding.
      assert.deepStrictEqual(
        [...request.form].sort(([a], [b]) => a.localeCompare(b)),
        [
          ["Body", message.body],
          ["From", from],
          ["To", message.to]
        ]
      )
      assert.deepStrictEqual(receipt(outcome), new Delivery.SendReceipt({ providerId: "SM0123456789abcdef" }))
    })
  )

  it.live("with a Messaging Service: MessagingServiceSid instead of From", () =>
    Effect.gen(function* () {
      const provider = yield* fakeProvider((request) => created("SM1", request))
      const receipt = yield* Delivery.SmsSender.use((sms) => sms.send(message)).pipe(
        Effect.provide(
          Twilio.layer({
            accountSid,
            authToken: Redacted.make(authToken),
            messagingServiceSid: "MG00000000000000000000000000000009",
            baseUrl: `${provider.url}/`
          })
        )
      )
      assert.deepStrictEqual(receipt, new Delivery.SendReceipt({ providerId: "SM1" }))
      const request = only(provider)
      assert.strictEqual(formValue(request, "MessagingServiceSid"), "MG00000000000000000000000000000009")
      assert.strictEqual(formValue(request, "From"), undefined)
      assert.strictEqual(request.form.length, 3)
    })
  )

  it.live("a 2xx without a readable sid is still delivered (no resend), with no providerId", () =>
    Effect.gen(function* () {
      const { outcome } = yield* sendWith({ status: 200, body: "accepted" })
      assert.deepStrictEqual(receipt(outcome), new Delivery.SendReceipt({}))
    })
  )

  it.live("wrong credentials: the provider's 401 is permanent and carries its code", () =>
    Effect.gen(function* () {
      const provider = yield* fakeProvider((request) => created("SM-never", request))
      const error = yield* Delivery.SmsSender.use((sms) => sms.send(message)).pipe(
        Effect.flip,
        Effect.provide(
          Twilio.layer({ accountSid, authToken: Redacted.make("wrong-token"), from, baseUrl: provider.url })
        )
      )
      assert.deepStrictEqual(provider.refused, [{ status: 401, reason: "Authenticate" }])
      assert.strictEqual(error._tag, "DeliveryFailed")
      assert.isFalse(error.retryable)
      assert.include(error.reason, "HTTP 401")
      assert.include(error.reason, "error 20003")
      assert.notInclude(error.reason, "wrong-token")
    })
  )
})

describe("Twilio.layer outcomes", () => {
  it.live("429 with Retry-After: 7 → retryable, retryAfterMs 7000", () =>
    Effect.gen(function* () {
      const { outcome, provider } = yield* sendWith({
        status: 429,
        headers: { "Retry-After": "7" },
        body: { code: 20429, message: "Too Many Requests", status: 429 }
      })
      const error = failure(outcome)
      assert.strictEqual(provider.received.length, 1)
      assert.isTrue(error.retryable)
      assert.strictEqual(error.retryAfterMs, 7000)
      assert.include(error.reason, "HTTP 429")
      assert.include(error.reason, "error 20429")
      assertNoSecrets(error)
    })
  )

  // it.effect: the TestClock fixes "now", so the HTTP date's distance from it is exact.
  it.effect(
    "429 with an HTTP-date Retry-After → retryAfterMs is the time until that date (0 once past)",
    () =>
      Effect.gen(function* () {
        const now = Date.UTC(2031, 2, 9, 14, 30, 0)
        yield* TestClock.setTime(now)
        assert.strictEqual(yield* Clock.currentTimeMillis, now)
        const future = yield* sendWith({
          status: 429,
          headers: { "Retry-After": new Date(now + 90_000).toUTCString() }
        })
        const error = failure(future.outcome)
        assert.isTrue(error.retryable)
        assert.strictEqual(error.retryAfterMs, 90_000)
        const past = yield* sendWith({
          status: 429,
          headers: { "Retry-After": "Sun, 09 Mar 2031 14:29:00 GMT" }
        })
        assert.strictEqual(failure(past.outcome).retryAfterMs, 0)
        const garbled = yield* sendWith({ status: 429, headers: { "Retry-After": "soon" } })
        assert.isTrue(failure(garbled.outcome).retryable)
        assert.strictEqual(failure(garbled.outcome).retryAfterMs, undefined)
      })
  )

  it.live("500 → retryable without a retryAfterMs; a 503 with Retry-After keeps its delay", () =>
    Effect.gen(function* () {
      const plain = failure(
        (yield* sendWith({ status: 500, body: { code: 20500, message: "Internal Server Error" } })).outcome
      )
      assert.isTrue(plain.retryable)
      assert.strictEqual(plain.retryAfterMs, undefined)
      assert.include(plain.reason, "HTTP 500")
      assertNoSecrets(plain)
      const unavailable = failure((yield* sendWith({ status: 503, headers: { "Retry-After": "3" } })).outcome)
      assert.isTrue(unavailable.retryable)
      assert.strictEqual(unavailable.retryAfterMs, 3000)
    })
  )

  it.live(
    "a provider that never answers → retryable after the configured timeout, not the 10 s default",
    () =>
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        const { outcome, provider } = yield* sendWith("hang", { timeout: "300 millis" })
        const elapsed = (yield* Clock.currentTimeMillis) - started
        const error = failure(outcome)
        assert.strictEqual(provider.received.length, 1)
        assert.isTrue(error.retryable)
        assert.include(error.reason, "did not answer")
        assert.isAtLeast(elapsed, 290)
        assert.isBelow(elapsed, 5_000)
        assertNoSecrets(error)
      })
  )

  it.live(
    "400 with a Twilio error → permanent; the reason carries the code and message, never the text",
    () =>
      Effect.gen(function* () {
        const invalid = failure(
          (yield* sendWith({
            status: 400,
            body: {
              code: 21211,
              message: "The 'To' number +16475550123 is not a valid phone number.",
              more_info: "https://www.twilio.com/docs/errors/21211",
              status: 400
            }
          })).outcome
        )
        assert.isFalse(invalid.retryable)
        assert.strictEqual(invalid.retryAfterMs, undefined)
        assert.include(invalid.reason, "HTTP 400")
        assert.include(invalid.reason, "error 21211")
        assert.include(invalid.reason, "is not a valid phone number")
        assertNoSecrets(invalid)
        // A provider that echoes the text back: the code stays, the text (and its passcode) does not.
        const echoed = failure(
          (yield* sendWith({
            status: 400,
            body: { code: 21617, message: `Body too long: ${message.body}`, status: 400 }
          })).outcome
        )
        assert.isFalse(echoed.retryable)
        assert.include(echoed.reason, "error 21617")
        assert.notInclude(echoed.reason, "4F7K-9QMZ")
        assertNoSecrets(echoed)
        // Not JSON at all: the status alone decides.
        const bare = failure((yield* sendWith({ status: 422 })).outcome)
        assert.isFalse(bare.retryable)
        assert.include(bare.reason, "HTTP 422")
      })
  )

  it.live("connection refused → retryable", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const error = yield* Delivery.SmsSender.use((sms) => sms.send(message)).pipe(
        Effect.flip,
        Effect.provide(
          Twilio.layer({
            accountSid,
            authToken: Redacted.make(authToken),
            from,
            baseUrl: `http://127.0.0.1:${port}`
          })
        )
      )
      assert.strictEqual(error._tag, "DeliveryFailed")
      assert.isTrue(error.retryable)
      assert.include(error.reason, "could not reach the SMS provider")
      assertNoSecrets(error)
    })
  )

  it.live("nothing the sender logs holds the auth token or the text", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const capture = Logger.make((options) => {
        lines.push(`${String(options.message)} ${String(options.cause)}`)
      })
      const replies: Array<Reply> = [
        { status: 500 },
        "hang",
        { status: 400, body: { code: 21211, message: "bad" } }
      ]
      let call = 0
      const provider = yield* fakeProvider((request) => replies[call++] ?? created("SM9", request))
      yield* Effect.gen(function* () {
        const sms = yield* Delivery.SmsSender
        for (let i = 0; i < 4; i++) {
          yield* sms.send(message).pipe(
            Effect.tapError((error) => Effect.logError("send failed", error)),
            Effect.ignore
          )
        }
      }).pipe(
        Effect.provide(senderLayer(provider, { timeout: "200 millis" })),
        Effect.provide(Logger.layer([capture]))
      )
      assert.strictEqual(provider.received.length, 4)
      assert.isAbove(lines.length, 0)
      for (const line of lines) {
        assert.notInclude(line, authToken)
        assert.notInclude(line, message.body)
      }
    })
  )
})

describe("Twilio.layerConfig", () => {
  const env = (provider: FakeProvider, extra: Record<string, string>) =>
    ConfigProvider.layer(
      ConfigProvider.fromUnknown({
        SMS_ACCOUNT_SID: accountSid,
        SMS_AUTH_TOKEN: authToken,
        SMS_BASE_URL: provider.url,
        ...extra
      })
    )

  it.live("reads SMS_* from the environment: base URL, credentials, sender, timeout", () =>
    Effect.gen(function* () {
      const provider = yield* fakeProvider((request) =>
        formValue(request, "Body") === "hang" ? "hang" : created("SM-config", request)
      )
      const layer = Twilio.layerConfig.pipe(
        Layer.provide(env(provider, { SMS_FROM: from, SMS_TIMEOUT: "250 millis" }))
      )
      const receipt = yield* Delivery.SmsSender.use((sms) => sms.send(message)).pipe(Effect.provide(layer))
      assert.deepStrictEqual(receipt, new Delivery.SendReceipt({ providerId: "SM-config" }))
      assert.deepStrictEqual(provider.refused, [])
      assert.strictEqual(formValue(only(provider), "From"), from)
      const started = yield* Clock.currentTimeMillis
      const error = yield* Delivery.SmsSender.use((sms) =>
        sms.send(new Delivery.SmsMessage({ ...message, body: "hang" }))
      ).pipe(Effect.flip, Effect.provide(layer))
      assert.isTrue(error.retryable)
      assert.isBelow((yield* Clock.currentTimeMillis) - started, 5_000)
    })
  )

  it.live("SMS_MESSAGING_SERVICE_SID instead of SMS_FROM", () =>
    Effect.gen(function* () {
      const provider = yield* fakeProvider((request) => created("SM-mg", request))
      yield* Delivery.SmsSender.use((sms) => sms.send(message)).pipe(
        Effect.provide(
          Twilio.layerConfig.pipe(Layer.provide(env(provider, { SMS_MESSAGING_SERVICE_SID: "MG42" })))
        )
      )
      assert.strictEqual(formValue(only(provider), "MessagingServiceSid"), "MG42")
      assert.strictEqual(formValue(only(provider), "From"), undefined)
    })
  )

  it.effect("defaults: Twilio's base URL and a 10 second timeout; the token stays redacted", () =>
    Effect.gen(function* () {
      const options = yield* Twilio.config.parse(
        ConfigProvider.fromUnknown({ SMS_ACCOUNT_SID: accountSid, SMS_AUTH_TOKEN: authToken, SMS_FROM: from })
      )
      assert.strictEqual(options.baseUrl, "https://api.twilio.com/")
      assert.isTrue(Duration.equals(Duration.fromInputUnsafe(options.timeout ?? 0), Duration.seconds(10)))
      assert.isTrue(Redacted.isRedacted(options.authToken))
      assert.strictEqual(Redacted.value(options.authToken), authToken)
      assert.notInclude(String(options.authToken), authToken)
    })
  )

  it.effect("exactly one of SMS_FROM and SMS_MESSAGING_SERVICE_SID; the token is required", () =>
    Effect.gen(function* () {
      const base = { SMS_ACCOUNT_SID: accountSid, SMS_AUTH_TOKEN: authToken }
      const neither = yield* Effect.flip(Twilio.config.parse(ConfigProvider.fromUnknown(base)))
      assert.include(String(neither), "exactly one of SMS_FROM")
      const both = yield* Effect.flip(
        Twilio.config.parse(
          ConfigProvider.fromUnknown({ ...base, SMS_FROM: from, SMS_MESSAGING_SERVICE_SID: "MG1" })
        )
      )
      assert.include(String(both), "exactly one of SMS_FROM")
      const noToken = yield* Effect.flip(
        Twilio.config.parse(ConfigProvider.fromUnknown({ SMS_ACCOUNT_SID: accountSid, SMS_FROM: from }))
      )
      assert.include(String(noToken), "SMS_AUTH_TOKEN")
    })
  )
})

describe("parseRetryAfter", () => {
  it.prop(
    "delay-seconds: n → n × 1000 ms, whatever now is",
    { n: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 86_400 })) },
    ({ n }) => {
      assert.strictEqual(Twilio.parseRetryAfter(String(n), 1_900_000_000_000), n * 1000)
      assert.strictEqual(Twilio.parseRetryAfter(` ${n} `, 0), n * 1000)
    }
  )

  it.prop(
    "HTTP date: the whole seconds from now until it",
    { seconds: Schema.Int.check(Schema.isBetween({ minimum: -86_400, maximum: 86_400 })) },
    ({ seconds }) => {
      const now = Date.UTC(2030, 0, 1)
      const date = new Date(now + seconds * 1000).toUTCString()
      assert.strictEqual(Twilio.parseRetryAfter(date, now), Math.max(0, seconds * 1000))
    }
  )

  it("absent or unreadable: undefined", () => {
    assert.strictEqual(Twilio.parseRetryAfter(undefined, 0), undefined)
    assert.strictEqual(Twilio.parseRetryAfter("later", 0), undefined)
    assert.strictEqual(Twilio.parseRetryAfter("-5", 0), undefined)
  })
})
