/**
 * careportal's HTTP contract: endpoints, request and response schemas, and the error bodies
 * each endpoint can answer. It imports no server code, so a vendor's portal can derive a
 * typed client from it alone (`HttpApiClient.make(Contract.Api)`).
 */

import {
  type Appointment,
  type AuditEvent,
  Authentication,
  type Availability,
  type Chart,
  type ClinicScheduleErrors,
  type Demographics,
  Ids,
  Message,
  type Messaging,
  Passcode,
  type Patient,
  type Patients,
  type PreVisit,
  type Questionnaire,
  Session,
  type Upload,
  type Uploads,
  type VirtualVisits
} from "@careportal/domain"
import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema } from "effect/http-api"
import { type AppointmentsError, AppointmentsGroup, AvailabilityGroup } from "./contract/Appointments.ts"
import {
  ChallengeNotFound,
  ContactUnreadable,
  InvalidCursor,
  InvalidPageSize,
  LinkNotFound,
  MessageTextInvalid,
  NoContactOnFile,
  NotFound,
  type OriginRefused,
  type PasscodeExpired,
  type PasscodeInvalid,
  type PasscodeLocked,
  type PasscodeSuperseded,
  type PasscodeUsed,
  PatientAuth,
  passcodeFailures,
  RateLimit,
  type RateLimited,
  ReplyNotAllowed,
  type ResendLimitReached,
  type ResendTooSoon,
  resendFailures,
  type SessionExpired,
  SessionNotFound,
  type TooManyAttempts
} from "./contract/Common.ts"
import { type MeError, MeGroup } from "./contract/Me.ts"
import {
  StaffAdminGroup,
  StaffAppointmentsGroup,
  StaffCareGroup,
  type StaffError,
  StaffPatientsGroup,
  StaffScheduleGroup
} from "./contract/Staff.ts"
import { type TasksError, TasksGroup } from "./contract/Tasks.ts"
import { type UploadsError, UploadsGroup } from "./contract/Uploads.ts"
import { type VisitsError, VisitsGroup } from "./contract/Visits.ts"

export * from "./contract/Appointments.ts"
export * from "./contract/Common.ts"
export * from "./contract/Me.ts"
export * from "./contract/Staff.ts"
export * from "./contract/Tasks.ts"
export * from "./contract/Uploads.ts"
export * from "./contract/Visits.ts"
// The domain records the care groups answer with: imported here so that the declaration of
// `Api` can name them, and re-exported (types only) for a client that imports this module alone.
export type {
  Appointment,
  AuditEvent,
  Availability,
  Chart,
  ClinicScheduleErrors,
  Demographics,
  Messaging,
  Patient,
  Patients,
  PreVisit,
  Questionnaire,
  Upload,
  Uploads,
  VirtualVisits
}

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
  | typeof RateLimited.Type
  | AppointmentsError
  | TasksError
  | UploadsError
  | VisitsError
  | MeError
  | StaffError

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
    }).middleware(RateLimit),
    HttpApiEndpoint.post("verify", "/v1/auth/login/:challengeId/verify", {
      params: { challengeId: Ids.ChallengeId },
      payload: Schema.Struct({ code: Schema.String, stayLoggedIn: Schema.Boolean }),
      success: SessionCreated,
      error: [ChallengeNotFound, ...passcodeFailures]
    }).middleware(RateLimit),
    HttpApiEndpoint.post("resend", "/v1/auth/login/:challengeId/resend", {
      params: { challengeId: Ids.ChallengeId },
      success: Authentication.CodeSent,
      error: [ChallengeNotFound, ...resendFailures]
    }).middleware(RateLimit)
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
  }).middleware(RateLimit),
  HttpApiEndpoint.post("resend", "/v1/links/:linkId/resend", {
    params: { linkId: Ids.ChallengeId },
    success: Authentication.CodeSent,
    error: [LinkNotFound, NoContactOnFile, ...resendFailures]
  }).middleware(RateLimit)
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

/** The process answers; `database` is "unchecked" when the server has no database check. */
export const HealthOk = Schema.Struct({
  status: Schema.Literal("ok"),
  database: Schema.Literals(["ok", "unchecked"])
}).annotate({ identifier: "HealthOk" })

/** The database did not answer: take this replica out of rotation. */
export const HealthUnavailable = Schema.Struct({
  status: Schema.Literal("unavailable"),
  database: Schema.Literal("unreachable")
}).pipe(HttpApiSchema.status(503), (s) => s.annotate({ identifier: "HealthUnavailable" }))

/** Liveness, and the database's reachability when the server checks it. */
export class HealthGroup extends HttpApiGroup.make("health").add(
  HttpApiEndpoint.get("health", "/health", { success: HealthOk, error: HealthUnavailable })
) {}

/** The careportal HTTP API. Bad input answers 400 problem details naming the field. */
export class Api extends HttpApi.make("careportal")
  .add(AuthGroup, LinksGroup, SessionsGroup, MessagesGroup, HealthGroup)
  .add(AvailabilityGroup, AppointmentsGroup, TasksGroup, VisitsGroup, MeGroup)
  .add(UploadsGroup)
  .add(StaffPatientsGroup, StaffScheduleGroup, StaffAppointmentsGroup, StaffCareGroup, StaffAdminGroup)
  .middleware(HttpApiMiddleware.ProblemDetails)
  // A 400 names every bad field, not only the first.
  .annotate(HttpApi.ParseOptions, { errors: "all" }) {}
