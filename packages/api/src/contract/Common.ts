/**
 * What every group of the contract shares: the error-body shape, the error bodies more than one
 * group answers, and patient authentication. Its own module so that the groups in `contract/`
 * can use it without importing `Contract.ts`, which imports them.
 */

import { Ids, Passcode, type Session } from "@careportal/domain"
import { Context, Schema } from "effect"
import { HttpApiMiddleware, HttpApiSchema, HttpApiSecurity, OpenApi } from "effect/http-api"

/**
 * An endpoint's text in `/openapi.json` and on `/docs`: a one-line `summary` and, where there is
 * more to say (statuses, rules), `description` paragraphs in Markdown, joined with blank lines.
 * Use it as `HttpApiEndpoint.get(...).annotateMerge(docs("Read one message", "..."))`.
 */
export const docs = (summary: string, ...paragraphs: ReadonlyArray<string>) =>
  OpenApi.annotations({
    summary,
    ...(paragraphs.length === 0 ? {} : { description: paragraphs.join("\n\n") })
  })

/**
 * An error body `{ error: tag, message, ...details }` answered with `status`: a stable tag for
 * code, a message a person can act on, and the details a portal needs (attempts left, retry delay).
 */
export const errorBody = <const Tag extends string, const Fields extends Schema.Struct.Fields>(
  tag: Tag,
  status: number,
  fields: Fields
) =>
  Schema.Struct({ error: Schema.tag(tag), message: Schema.String, ...fields }).pipe(
    HttpApiSchema.status(status),
    (s) => s.annotate({ identifier: tag })
  )

/** The code entered is not the one sent. */
export const PasscodeInvalid = errorBody("PasscodeInvalid", 401, { attemptsLeft: Schema.Int })
/** Too many wrong entries: the code is locked. */
export const PasscodeLocked = errorBody("PasscodeLocked", 423, { purpose: Passcode.PasscodePurpose })
/** The code's lifetime has passed. */
export const PasscodeExpired = errorBody("PasscodeExpired", 410, { purpose: Passcode.PasscodePurpose })
/** The code was already used. */
export const PasscodeUsed = errorBody("PasscodeUsed", 410, { purpose: Passcode.PasscodePurpose })
/** A newer code replaced this one. */
export const PasscodeSuperseded = errorBody("PasscodeSuperseded", 409, { purpose: Passcode.PasscodePurpose })
/** A new code was asked for too soon. */
export const ResendTooSoon = errorBody("ResendTooSoon", 429, { retryAfterSeconds: Schema.Int })
/** The daily number of codes was sent. */
export const ResendLimitReached = errorBody("ResendLimitReached", 429, { retryAfterSeconds: Schema.Int })
/** Too many wrong codes for this patient in the last hour. */
export const TooManyAttempts = errorBody("TooManyAttempts", 429, { retryAfterSeconds: Schema.Int })
/** No valid session: logged out, idle too long, past its lifetime, or no credential at all. */
export const SessionExpired = errorBody("SessionExpired", 401, {})
/** No session with that id among the caller's. */
export const SessionNotFound = errorBody("SessionNotFound", 404, {})
/** No login challenge with that id. */
export const ChallengeNotFound = errorBody("ChallengeNotFound", 404, {})
/** No link with that id. */
export const LinkNotFound = errorBody("LinkNotFound", 404, {})
/** No such record among the caller's (missing and foreign look the same). */
export const NotFound = errorBody("NotFound", 404, { kind: Schema.String })
/** The thread takes no replies. */
export const ReplyNotAllowed = errorBody("ReplyNotAllowed", 403, { messageId: Ids.MessageId })
/** The contact typed at login is neither an email address nor a phone number. */
export const ContactUnreadable = errorBody("ContactUnreadable", 400, {})
/** No contact on file to send a code to. */
export const NoContactOnFile = errorBody("NoContactOnFile", 409, {})
/** A message text is empty or too long. */
export const MessageTextInvalid = errorBody("MessageTextInvalid", 400, {
  field: Schema.String,
  problem: Schema.String,
  maxLength: Schema.Int,
  length: Schema.Int
})
/** The cursor was not one this API handed out. */
export const InvalidCursor = errorBody("InvalidCursor", 400, {})
/** The page size is out of range. */
export const InvalidPageSize = errorBody("InvalidPageSize", 400, { limit: Schema.Number, max: Schema.Int })
/** A cookie-borne state change came from a page that is not the portal (CSRF). */
export const OriginRefused = errorBody("OriginRefused", 403, {})

/** The failures of entering a code. */
export const passcodeFailures = [
  PasscodeInvalid,
  PasscodeLocked,
  PasscodeExpired,
  PasscodeUsed,
  PasscodeSuperseded,
  TooManyAttempts
] as const
/** The failures of asking for a code again. */
export const resendFailures = [
  ResendTooSoon,
  ResendLimitReached,
  PasscodeLocked,
  PasscodeUsed,
  PasscodeSuperseded
] as const

/** The authenticated patient, provided to handlers by the `PatientAuth` middleware. */
export class CurrentPatient extends Context.Service<CurrentPatient, Session.PatientPrincipal>()(
  "@careportal/api/CurrentPatient"
) {}

/** The name of the HttpOnly session cookie. */
export const SESSION_COOKIE = "careportal_session"

/**
 * Patient authentication: `Authorization: Bearer <token>` (API clients) or the
 * `careportal_session` cookie (browsers), declared as the OpenAPI security schemes
 * `sessionToken` and `sessionCookie`. The bearer token is tried first. A state-changing request
 * riding on the cookie must come from the portal's Origin (CSRF).
 */
export class PatientAuth extends HttpApiMiddleware.Service<PatientAuth, { provides: CurrentPatient }>()(
  "@careportal/api/PatientAuth",
  {
    security: {
      sessionToken: HttpApiSecurity.bearer.pipe(
        HttpApiSecurity.annotate(
          OpenApi.Description,
          "The patient's session token, as `Authorization: Bearer <token>`: the `token` that " +
            "`POST /v1/auth/login/{challengeId}/verify` and `POST /v1/links/{linkId}/open` answer. " +
            "For API clients; tried before the cookie."
        )
      ),
      sessionCookie: HttpApiSecurity.apiKey({ key: SESSION_COOKIE, in: "cookie" }).pipe(
        HttpApiSecurity.annotate(
          OpenApi.Description,
          "The HttpOnly `careportal_session` cookie the same calls set, for browsers. A request " +
            "other than GET, HEAD or OPTIONS that rides on it must carry an `Origin` of the portal, " +
            "or it answers 403 `OriginRefused`."
        )
      )
    },
    error: [SessionExpired, OriginRefused]
  }
) {}

/** Too many requests of this kind from this address: wait `retryAfterSeconds` (also `Retry-After`). */
export const RateLimited = errorBody("RateLimited", 429, { retryAfterSeconds: Schema.Int })

/**
 * Per-address rate limits on the unauthenticated endpoints that guess or send codes (login start,
 * verify, link open, resends, virtual-visit join), on top of the domain's per-challenge and
 * per-patient limits.
 */
export class RateLimit extends HttpApiMiddleware.Service<RateLimit>()("@careportal/api/RateLimit", {
  error: RateLimited
}) {}
