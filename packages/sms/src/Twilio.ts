/**
 * `SmsSender` over an HTTP API with the shape of Twilio's Messages resource:
 * `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`, a form body, basic auth. The base URL
 * is configurable, so any provider that speaks this shape (or a local fake) can stand in.
 *
 * Outcomes: a 2xx is a `SendReceipt` carrying the provider's `sid`; a 429 is retryable after
 * its `Retry-After`; a 5xx, a timeout or an unreachable provider is retryable; any other 4xx is
 * the provider refusing the message itself, so retrying would not help.
 */
import { Delivery } from "@careportal/domain"
import {
  Cause,
  Clock,
  Config,
  ConfigProvider,
  Duration,
  Effect,
  Layer,
  Option,
  type Redacted,
  Schema
} from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"

/** Twilio's API; override it to use another compatible provider. */
export const defaultBaseUrl = "https://api.twilio.com"

/** How long one send may take, reading the answer included, before it counts as failed (retryable). */
export const defaultTimeout: Duration.Duration = Duration.seconds(10)

/**
 * Who a message comes from: a phone number or sender id (`From`), or a Messaging Service that
 * picks one (`MessagingServiceSid`) — exactly one of them.
 */
export type Sender =
  | { readonly from: string; readonly messagingServiceSid?: never }
  | { readonly messagingServiceSid: string; readonly from?: never }

/** Everything the sender needs; the auth token stays `Redacted` so it never reaches a log. */
export type Options = Sender & {
  readonly accountSid: string
  readonly authToken: Redacted.Redacted<string>
  /** Default `https://api.twilio.com`. */
  readonly baseUrl?: string | undefined
  /** Default 10 seconds. */
  readonly timeout?: Duration.Input | undefined
}

/** The part of a created Message we keep. */
const Created = Schema.Struct({ sid: Schema.String })

/** Twilio's error body: `{ code, message, more_info, status }`. */
const ProviderError = Schema.Struct({
  code: Schema.optionalKey(Schema.Union([Schema.Number, Schema.String])),
  message: Schema.optionalKey(Schema.String)
})

/** Builds the sender on whatever `HttpClient` is provided (`layer` provides the fetch-based one). */
export const make = Effect.fnUntraced(function* (options: Options) {
  const client = yield* HttpClient.HttpClient
  const timeout = Duration.fromInputUnsafe(options.timeout ?? defaultTimeout)
  const base = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`
  const sender: Record<string, string> =
    options.from !== undefined ? { From: options.from } : { MessagingServiceSid: options.messagingServiceSid }

  const send = Effect.fn("TwilioSms.send")(function* (message: Delivery.SmsMessage) {
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.basicAuth(options.accountSid, options.authToken),
      HttpClientRequest.acceptJson,
      // Twilio's own header, and the generic one other providers honour.
      HttpClientRequest.setHeaders({
        "Idempotency-Key": message.idempotencyKey,
        "I-Twilio-Idempotency-Token": message.idempotencyKey
      }),
      HttpClientRequest.bodyUrlParams({ To: message.to, ...sender, Body: message.body })
    )
    return yield* client.execute(request).pipe(
      Effect.flatMap((response) => interpret(response, message)),
      // Covers reading the answer too: a provider that sends headers and then stalls is a timeout.
      Effect.timeout(timeout),
      Effect.catchIf(Cause.isTimeoutError, () =>
        Effect.fail(
          new Delivery.DeliveryFailed({
            retryable: true,
            reason: `the SMS provider did not answer within ${Duration.format(timeout)}`
          })
        )
      ),
      Effect.catchTag("HttpClientError", (error) =>
        Effect.fail(
          new Delivery.DeliveryFailed({
            retryable: true,
            reason: `could not reach the SMS provider (${error.reason._tag}): ${error.reason.description ?? "connection failed"}`
          })
        )
      )
    )
  })

  return Delivery.SmsSender.of({ send })
})

const interpret = (
  response: HttpClientResponse.HttpClientResponse,
  message: Delivery.SmsMessage
): Effect.Effect<Delivery.SendReceipt, Delivery.DeliveryFailed> =>
  Effect.gen(function* () {
    const status = response.status
    // A body that cannot be read or parsed still leaves the status to go by.
    const json = yield* Effect.option(response.json)
    if (status >= 200 && status < 300) {
      const created = Option.flatMap(json, Schema.decodeUnknownOption(Created))
      return new Delivery.SendReceipt(Option.isSome(created) ? { providerId: created.value.sid } : {})
    }
    const detail = providerDetail(json, message)
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis)
      return yield* new Delivery.DeliveryFailed({
        retryable: true,
        reason:
          status === 429
            ? `the SMS provider is limiting the sending rate (HTTP 429${detail})`
            : `the SMS provider failed (HTTP ${status}${detail})`,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs })
      })
    }
    if (status >= 400) {
      return yield* new Delivery.DeliveryFailed({
        retryable: false,
        reason: `the SMS provider refused the message (HTTP ${status}${detail})`
      })
    }
    // 1xx or an unfollowed 3xx: nothing says the message itself is at fault.
    return yield* new Delivery.DeliveryFailed({
      retryable: true,
      reason: `unexpected answer from the SMS provider (HTTP ${status})`
    })
  })

/**
 * The provider's error code and message, for the staff who see a failed notification; never
 * the raw body, and with the SMS text cut out should the provider echo it (it may carry a code).
 */
const providerDetail = (json: Option.Option<unknown>, message: Delivery.SmsMessage): string => {
  const parsed = Option.flatMap(json, Schema.decodeUnknownOption(ProviderError))
  if (Option.isNone(parsed)) return ""
  const parts: Array<string> = []
  if (parsed.value.code !== undefined) parts.push(`error ${parsed.value.code}`)
  if (parsed.value.message !== undefined) {
    const text =
      message.body.length > 0
        ? parsed.value.message.replaceAll(message.body, "[message]")
        : parsed.value.message
    parts.push(text.length > 300 ? `${text.slice(0, 300)}…` : text)
  }
  return parts.length === 0 ? "" : `, ${parts.join(": ")}`
}

/**
 * `Retry-After` in milliseconds from `nowMs`: either delay-seconds or an HTTP date (RFC 9110
 * §10.2.3); a date in the past means now. Unparseable: undefined, so the caller's backoff decides.
 */
export const parseRetryAfter = (value: string | undefined, nowMs: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // Every HTTP-date form names its month and weekday; without a letter it is no date ("-5").
  const at = /[A-Za-z]/.test(trimmed) ? Date.parse(trimmed) : Number.NaN
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** The sender over the fetch-based HTTP client, configured in code. */
export const layer = (options: Options): Layer.Layer<Delivery.SmsSender> =>
  Layer.effect(Delivery.SmsSender, make(options)).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * Reads the sender's settings: `SMS_ACCOUNT_SID`, `SMS_AUTH_TOKEN` (secret), one of `SMS_FROM`
 * or `SMS_MESSAGING_SERVICE_SID`, and optionally `SMS_BASE_URL` (default Twilio's) and
 * `SMS_TIMEOUT` (e.g. `5 seconds`; default 10 seconds).
 */
export const config: Config.Config<Options> = Config.all({
  accountSid: Config.NonEmptyString("SMS_ACCOUNT_SID"),
  authToken: Config.Redacted("SMS_AUTH_TOKEN"),
  from: Config.option(Config.NonEmptyString("SMS_FROM")),
  messagingServiceSid: Config.option(Config.NonEmptyString("SMS_MESSAGING_SERVICE_SID")),
  baseUrl: Config.URL("SMS_BASE_URL").pipe(Config.withDefault(new URL(defaultBaseUrl))),
  timeout: Config.Duration("SMS_TIMEOUT").pipe(Config.withDefault(defaultTimeout))
}).pipe(
  Config.mapEffect(
    ({ from, messagingServiceSid, baseUrl, ...rest }): Effect.Effect<Options, Config.ConfigError> => {
      const common = { ...rest, baseUrl: baseUrl.href }
      if (Option.isSome(from) && Option.isNone(messagingServiceSid))
        return Effect.succeed({ ...common, from: from.value })
      if (Option.isSome(messagingServiceSid) && Option.isNone(from)) {
        return Effect.succeed({ ...common, messagingServiceSid: messagingServiceSid.value })
      }
      return Effect.fail(
        new Config.ConfigError(
          new ConfigProvider.SourceError({
            message:
              "Set exactly one of SMS_FROM (a sender number) or SMS_MESSAGING_SERVICE_SID (a Messaging Service)."
          })
        )
      )
    }
  )
)

/** The sender configured from the environment (see `config`), over the fetch-based HTTP client. */
export const layerConfig: Layer.Layer<Delivery.SmsSender, Config.ConfigError> = Layer.effect(
  Delivery.SmsSender,
  Effect.flatMap(config, make)
).pipe(Layer.provide(FetchHttpClient.layer))
