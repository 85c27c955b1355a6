/**
 * How the reference server reaches the outside world, chosen by the environment: the database
 * (DATABASE_URL, else embedded), the passcode secret, the email and SMS senders (real providers
 * when configured, console senders by default) and the HTTP settings.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Clinic, Hasher } from "@careportal/domain"
import { Console as EmailConsole, Smtp } from "@careportal/email"
import { Console as SmsConsole, Twilio } from "@careportal/sms"
import { Config, Effect, Layer, Option, Redacted } from "effect"

/** `NODE_ENV=production`: no generated secrets, secure cookies, explicit portal origins. */
export const production = Config.String("NODE_ENV").pipe(
  Config.withDefault("development"),
  Config.map((env) => env === "production")
)

/** The embedded database's directory (also where a development secret is kept). */
export const dataDir = Config.String("CAREPORTAL_DATA_DIR").pipe(
  Config.withDefault(".data/pglite"),
  Config.map((dir) => path.resolve(dir))
)

const SECRET_FILE = "careportal-passcode-secret"

/**
 * PASSCODE_SECRET when set (required in production). In development, a random secret kept in
 * the data directory, so codes and sessions survive a restart; said out loud.
 */
export const hasher = Layer.unwrap(
  Effect.gen(function* () {
    const secret = yield* Config.option(Config.Redacted("PASSCODE_SECRET"))
    if (Option.isSome(secret)) return Hasher.Hasher.make(secret.value)
    if (yield* production) {
      return yield* Effect.die(
        new Error("PASSCODE_SECRET is required when NODE_ENV=production (32 random characters or more)")
      )
    }
    const dir = yield* dataDir
    const file = path.join(dir, SECRET_FILE)
    const generated = yield* Effect.sync(() => {
      fs.mkdirSync(dir, { recursive: true })
      if (!fs.existsSync(file)) {
        fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 })
      }
      return fs.readFileSync(file, "utf8").trim()
    })
    yield* Effect.logWarning(
      `PASSCODE_SECRET is not set; using a development secret kept in ${file} (set PASSCODE_SECRET in production)`
    )
    return Hasher.Hasher.make(Redacted.make(generated))
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

/** PORT: where the HTTP server listens (default 3000; 0 for any free port). */
const port = Config.Int("PORT").pipe(Config.withDefault(3000))

/** An absolute http(s) URL without query or fragment, normalised and without a trailing slash. */
const absoluteHttpUrl = (value: string): string | undefined => {
  const url = URL.parse(value.trim())
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) return undefined
  if (url.search !== "" || url.hash !== "") return undefined
  return url.href.replace(/\/+$/, "")
}

/**
 * PUBLIC_URL: where browsers reach this server (`http://localhost:<PORT>` by default), without a
 * trailing slash. The web portal is served under it, so a clinic's portal is
 * `${PUBLIC_URL}/<clinic-slug>` and so are its notification links. A value that is not an
 * absolute http(s) URL stops start-up.
 */
export const publicUrl = Effect.gen(function* () {
  const value = yield* Config.option(Config.String("PUBLIC_URL"))
  if (Option.isNone(value)) return `http://localhost:${yield* port}`
  const url = absoluteHttpUrl(value.value)
  if (url === undefined) {
    return yield* Effect.die(
      new Error(
        `PUBLIC_URL must be an absolute http(s) URL without query or fragment, such as https://portal.example.org, got ${JSON.stringify(value.value)}`
      )
    )
  }
  return url
})

/** Notification links on `${PUBLIC_URL}/<clinic-slug>`, where the web portal serves each clinic. */
export const portalAddress = Layer.unwrap(Effect.map(publicUrl, Clinic.PortalAddress.layerPublicUrl))

/** The HTTP server's settings. */
export interface HttpSettings {
  readonly port: number
  readonly host: string | undefined
  readonly allowedOrigins: ReadonlyArray<string>
  readonly secureCookie: boolean
}

/**
 * PORT (default 3000), HOST (all interfaces by default), PORTAL_ORIGINS (comma-separated;
 * required in production; in development PUBLIC_URL's origin, `http://localhost:<PORT>` and
 * `http://127.0.0.1:<PORT>`, so pages the server serves itself may post with the session cookie)
 * and SECURE_COOKIE (false in development, true in production).
 */
export const http = Effect.gen(function* () {
  const isProduction = yield* production
  const listenPort = yield* port
  const host = yield* Config.option(Config.String("HOST"))
  const origins = yield* Config.option(Config.String("PORTAL_ORIGINS"))
  if (isProduction && Option.isNone(origins)) {
    return yield* Effect.die(new Error("PORTAL_ORIGINS is required when NODE_ENV=production"))
  }
  const secureCookie = yield* Config.Boolean("SECURE_COOKIE").pipe(Config.withDefault(isProduction))
  const allowedOrigins = Option.isSome(origins)
    ? origins.value
        .split(",")
        .map((o) => o.trim().replace(/\/+$/, ""))
        .filter((o) => o !== "")
    : [
        ...new Set([
          new URL(yield* publicUrl).origin,
          `http://localhost:${listenPort}`,
          `http://127.0.0.1:${listenPort}`
        ])
      ]
  return {
    port: listenPort,
    host: Option.getOrUndefined(host),
    allowedOrigins,
    secureCookie
  } satisfies HttpSettings
})

/** Whether the database is the embedded one (no DATABASE_URL). */
export const embedded = Config.option(Config.String("DATABASE_URL")).pipe(Config.map(Option.isNone))
