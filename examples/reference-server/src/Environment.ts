/**
 * How the reference server reaches the outside world, chosen by the environment: the database
 * (DATABASE_URL, else embedded), the passcode secret, and the email and SMS senders (real
 * providers when configured, console senders by default).
 */
import { Hasher } from "@careportal/domain"
import { Console as EmailConsole, Smtp } from "@careportal/email"
import { Console as SmsConsole, Twilio } from "@careportal/sms"
import { Config, Console, Effect, Layer, Option } from "effect"

/** PASSCODE_SECRET when set; otherwise the public development secret, said out loud. */
export const hasher = Layer.unwrap(
  Effect.gen(function* () {
    const secret = yield* Config.option(Config.Redacted("PASSCODE_SECRET"))
    if (Option.isSome(secret)) return Hasher.Hasher.make(secret.value)
    yield* Console.warn(
      "careportal: PASSCODE_SECRET is not set; using the public development secret (never in production)"
    )
    return Hasher.Hasher.layerMemory
  })
)

/** SMTP when SMTP_URL or SMTP_HOST is set, else the console sender (development). */
export const email = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* Config.option(Config.String("SMTP_URL"))
    const host = yield* Config.option(Config.String("SMTP_HOST"))
    return Option.isSome(url) || Option.isSome(host) ? Smtp.layerConfig : EmailConsole.layer
  })
)

/** The Twilio-compatible API when SMS_ACCOUNT_SID is set, else the console sender (development). */
export const sms = Layer.unwrap(
  Effect.gen(function* () {
    const sid = yield* Config.option(Config.String("SMS_ACCOUNT_SID"))
    return Option.isSome(sid) ? Twilio.layerConfig : SmsConsole.layer
  })
)
