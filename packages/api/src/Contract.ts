/**
 * careportal's HTTP contract: endpoints, request and response schemas, and the error bodies
 * each endpoint can answer. It imports no server code, so a vendor's portal can derive a
 * typed client from it alone (`HttpApiClient.make(Contract.Api)`).
 */

import { Authentication, Ids, Message, Passcode, Session } from "@careportal/domain"
import { Context, Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema } from "effect/http-api"

/** The name of the HttpOnly session cookie. */
export const SESSION_COOKIE = "careportal_session"

// Every error body is `{ error: tag, message, ...details }`: a stable tag for code, a message
// a person can act on, and the details a portal needs (attempts left, retry delay).
const errorBody = <const Tag extends string, const Fields extends Schema.Struct.Fields>(
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

/** Every error body of the contract, by its `error` tag. */
export type ApiError =
  | typeof PasscodeInvalid.Type
  | typeof PasscodeLocked.Type
  | typeof PasscodeExpired.Type
  | typeof PasscodeUsed.Type
  | typeof PasscodeSuperseded.Type
  | typeof ResendTooSoon.Type
  | typeof ResendLimitReached.Type
  | typeof TooManyAttempts.Type
  | typeof SessionExpired.Type
  | typeof SessionNotFound.Type
  | typeof ChallengeNotFound.Type
  | typeof LinkNotFound.Type
  | typeof NotFound.Type
  | typeof ReplyNotAllowed.Type
  | typeof ContactUnreadable.Type
  | typeof NoContactOnFile.Type
  | typeof MessageTextInvalid.Type
  | typeof InvalidCursor.Type
  | typeof InvalidPageSize.Type
  | typeof OriginRefused.Type

const passcodeFailures = [
  PasscodeInvalid,
  PasscodeLocked,
  PasscodeExpired,
  PasscodeUsed,
  PasscodeSuperseded,
  TooManyAttempts
] as const
const resendFailures = [
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

/**
 * Patient authentication: the `careportal_session` cookie or `Authorization: Bearer`. A
 * state-changing request riding on the cookie must come from the portal's Origin.
 */
export class PatientAuth extends HttpApiMiddleware.Service<PatientAuth, { provides: CurrentPatient }>()(
  "@careportal/api/PatientAuth",
  { error: [SessionExpired, OriginRefused] }
) {}

/** A new session: the token (also set as the HttpOnly cookie) and the session as listed. */
export const SessionCreated = Schema.Struct({
  token: Schema.String,
  session: Session.SessionSummary
}).annotate({ identifier: "SessionCreated" })

/** An opened link: the new session and the record it leads to. */
export const LinkOpenedBody = Schema.Struct({
  token: Schema.String,
  session: Session.SessionSummary,
  purpose: Passcode.LinkPurpose,
  target: Passcode.ResourceRef
}).annotate({ identifier: "LinkOpened" })

/** A health card as typed at login. */
export const HealthCard = Schema.Struct({
  idType: Schema.String,
  number: Schema.String,
  versionCode: Schema.optional(Schema.String)
})

/** Start-login input: the clinic's slug, the health card and the email or mobile on file. */
export const LoginStart = Schema.Struct({
  clinic: Schema.String,
  identifier: HealthCard,
  contact: Schema.String
})

/** Login and its sessions. */
export class AuthGroup extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("login", "/v1/auth/login", {
      payload: LoginStart,
      success: Authentication.LoginChallenge.pipe(HttpApiSchema.status(202)),
      error: [NotFound, ContactUnreadable, ...resendFailures]
    }),
    HttpApiEndpoint.post("verify", "/v1/auth/login/:challengeId/verify", {
      params: { challengeId: Ids.ChallengeId },
      payload: Schema.Struct({ code: Schema.String, stayLoggedIn: Schema.Boolean }),
      success: SessionCreated,
      error: [ChallengeNotFound, ...passcodeFailures]
    }),
    HttpApiEndpoint.post("resend", "/v1/auth/login/:challengeId/resend", {
      params: { challengeId: Ids.ChallengeId },
      success: Authentication.CodeSent,
      error: [ChallengeNotFound, ...resendFailures]
    })
  )
  .add(HttpApiEndpoint.post("logout", "/v1/auth/logout").middleware(PatientAuth)) {}

/** Notification links: describe (never consumes), open with code and date of birth, resend. */
export class LinksGroup extends HttpApiGroup.make("links").add(
  HttpApiEndpoint.get("describe", "/v1/links/:linkId", {
    params: { linkId: Ids.ChallengeId },
    success: Authentication.LinkDescription,
    error: LinkNotFound
  }),
  HttpApiEndpoint.head("probe", "/v1/links/:linkId", {
    params: { linkId: Ids.ChallengeId },
    error: LinkNotFound
  }),
  HttpApiEndpoint.post("open", "/v1/links/:linkId/open", {
    params: { linkId: Ids.ChallengeId },
    payload: Schema.Struct({ code: Schema.String, dateOfBirth: Schema.String, stayLoggedIn: Schema.Boolean }),
    success: LinkOpenedBody,
    error: [LinkNotFound, ...passcodeFailures]
  }),
  HttpApiEndpoint.post("resend", "/v1/links/:linkId/resend", {
    params: { linkId: Ids.ChallengeId },
    success: Authentication.CodeSent,
    error: [LinkNotFound, NoContactOnFile, ...resendFailures]
  })
) {}

/** The caller's sessions. */
export class SessionsGroup extends HttpApiGroup.make("sessions")
  .add(
    HttpApiEndpoint.get("list", "/v1/sessions", { success: Schema.Array(Session.SessionSummary) }),
    HttpApiEndpoint.delete("end", "/v1/sessions/:id", {
      params: { id: Ids.SessionId },
      error: SessionNotFound
    })
  )
  .middleware(PatientAuth) {}

/** The caller's secure messages. */
export class MessagesGroup extends HttpApiGroup.make("messages")
  .add(
    HttpApiEndpoint.get("list", "/v1/messages", {
      query: {
        cursor: Schema.optional(Schema.String),
        limit: Schema.optional(Schema.NumberFromString.check(Schema.isInt()))
      },
      success: Message.MessagePage,
      error: [InvalidCursor, InvalidPageSize]
    }),
    HttpApiEndpoint.get("read", "/v1/messages/:id", {
      params: { id: Ids.MessageId },
      success: Message.MessageThread,
      error: NotFound
    }),
    HttpApiEndpoint.post("reply", "/v1/messages/:id/replies", {
      params: { id: Ids.MessageId },
      payload: Schema.Struct({ body: Schema.String }),
      success: Message.MessageReply.pipe(HttpApiSchema.status(201)),
      error: [NotFound, ReplyNotAllowed, MessageTextInvalid]
    })
  )
  .middleware(PatientAuth) {}

/** Liveness. */
export class HealthGroup extends HttpApiGroup.make("health").add(
  HttpApiEndpoint.get("health", "/health", { success: Schema.Struct({ status: Schema.Literal("ok") }) })
) {}

/** The careportal HTTP API. Bad input answers 400 problem details naming the field. */
export class Api extends HttpApi.make("careportal")
  .add(AuthGroup, LinksGroup, SessionsGroup, MessagesGroup, HealthGroup)
  .middleware(HttpApiMiddleware.ProblemDetails) {}
