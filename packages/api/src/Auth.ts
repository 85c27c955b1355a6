/**
 * Patient authentication for the HTTP API: the session cookie or a bearer token, the CSRF
 * check for cookie-borne state changes, and the cookie itself.
 */

import { AuthErrors, Authentication } from "@careportal/domain"
import { Config, Context, Duration, Effect, Layer, Redacted } from "effect"
import { HttpEffect, HttpServerRequest, HttpServerResponse } from "effect/http"
import { CurrentPatient, OriginRefused, PatientAuth, SESSION_COOKIE } from "./Contract.ts"
import { expose } from "./Errors.ts"

/** How the API sets its cookie and which pages may change state through it. */
export class ApiConfig extends Context.Service<
  ApiConfig,
  {
    /** `Secure` on the session cookie; off only for plain-http development. */
    readonly secureCookie: boolean
    /** The portal origins (scheme://host[:port]) whose pages may send cookie-borne state changes. */
    readonly allowedOrigins: ReadonlyArray<string>
  }
>()("@careportal/api/ApiConfig") {
  /** A fixed configuration. */
  static readonly layer = (config: ApiConfig["Service"]) => Layer.succeed(ApiConfig, config)
  /**
   * From the environment: `PORTAL_ORIGINS` (comma-separated, required: without it no page
   * could log out through the cookie) and `SECURE_COOKIE` (default true).
   */
  static readonly layerConfig = Layer.effect(
    ApiConfig,
    Effect.gen(function* () {
      const origins = yield* Config.String("PORTAL_ORIGINS")
      const secureCookie = yield* Config.Boolean("SECURE_COOKIE").pipe(Config.withDefault(true))
      return ApiConfig.of({
        secureCookie,
        allowedOrigins: origins
          .split(",")
          .map((o) => o.trim().replace(/\/+$/, ""))
          .filter((o) => o !== "")
      })
    })
  )
}

const STAY_LOGGED_IN_MAX_AGE = Duration.days(30)

/** Sets the session cookie on the response; persistent (30 days) only with stay logged in. */
export const setSessionCookie = (config: ApiConfig["Service"], token: string, stayLoggedIn: boolean) =>
  HttpEffect.appendPreResponseHandler((_req, res) =>
    Effect.succeed(
      HttpServerResponse.setCookieUnsafe(res, SESSION_COOKIE, token, {
        httpOnly: true,
        secure: config.secureCookie,
        sameSite: "lax",
        path: "/",
        ...(stayLoggedIn ? { maxAge: STAY_LOGGED_IN_MAX_AGE } : {})
      })
    )
  )

/** Clears the session cookie. */
export const clearSessionCookie = (config: ApiConfig["Service"]) =>
  HttpEffect.appendPreResponseHandler((_req, res) =>
    Effect.succeed(
      HttpServerResponse.expireCookieUnsafe(res, SESSION_COOKIE, {
        httpOnly: true,
        secure: config.secureCookie,
        sameSite: "lax",
        path: "/"
      })
    )
  )

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])

/** The `PatientAuth` middleware on `Authentication`: the bearer token, else the cookie. */
export const layerPatientAuth = Layer.effect(
  PatientAuth,
  Effect.gen(function* () {
    const auth = yield* Authentication.Authentication
    const config = yield* ApiConfig
    const noSession = Effect.fail(expose(new AuthErrors.SessionExpired()))
    /** Runs the request as the patient whose session `token` is. */
    const asPatient = <A, E, R>(
      httpEffect: Effect.Effect<A, E, R | CurrentPatient>,
      token: Redacted.Redacted<string>
    ) =>
      Effect.flatMap(auth.authenticate(token).pipe(Effect.mapError(expose)), (principal) =>
        Effect.provideService(httpEffect, CurrentPatient, principal)
      )
    return PatientAuth.of({
      sessionToken: (httpEffect, { credential }) =>
        Redacted.value(credential) === "" ? noSession : asPatient(httpEffect, credential),
      sessionCookie: (httpEffect, { credential }) =>
        Effect.gen(function* () {
          if (Redacted.value(credential) === "") return yield* noSession
          // A browser sends the cookie with any page's request: only the portal's may change state.
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!SAFE_METHODS.has(request.method)) {
            const origin = request.headers.origin
            if (origin === undefined || !config.allowedOrigins.includes(origin)) {
              return yield* Effect.fail(
                OriginRefused.make({
                  message: "This request did not come from the portal. Open the portal and try again."
                })
              )
            }
          }
          return yield* asPatient(httpEffect, credential)
        }).pipe(Effect.tapError(challengeOnSessionExpired))
    })
  })
)

/**
 * RFC 9110 asks a 401 to say how to authenticate: `WWW-Authenticate: Bearer`. Set once the last
 * scheme has failed (the cookie's), and only for the middleware's own `SessionExpired` — a
 * handler's failure reaches here wrapped, without a string `error`.
 */
const challengeOnSessionExpired = (e: unknown) =>
  typeof e === "object" && e !== null && (e as { readonly error?: unknown }).error === "SessionExpired"
    ? bearerChallenge("careportal")
    : Effect.void

/** Adds `WWW-Authenticate: Bearer realm="…"` to the response. */
export const bearerChallenge = (realm: string) =>
  HttpEffect.appendPreResponseHandler((_req, res) =>
    Effect.succeed(HttpServerResponse.setHeader(res, "www-authenticate", `Bearer realm="${realm}"`))
  )
