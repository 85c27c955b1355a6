/**
 * careportal's HTTP contract: endpoints, request and response schemas, and the error bodies
 * each endpoint can answer. It imports no server code, so a vendor's portal can derive a
 * typed client from it alone (`HttpApiClient.make(Contract.Api)`).
 *
 * How to annotate (what `/openapi.json` and the `/docs` page show a vendor's developer):
 * - a group: `.annotate(OpenApi.Description, "who calls it, and with which credential")`
 *   (never `OpenApi.Title` on a group: it renames the tag);
 * - an endpoint: `.annotateMerge(docs("A one-line summary", "paragraph", "paragraph"))` (`docs`
 *   is in `contract/Common.ts`): the paragraphs say what the comments would (statuses, rules,
 *   defaults), accurate to the handlers and the domain;
 * - test/OpenApiDocs.test.ts fails for an operation without a summary or a group without a
 *   description; the staff side's known gap is listed there, to be emptied as it is annotated;
 * - the text must not contain "stack" or "at <word> (": tests reading `/openapi.json` through
 *   `rawJson` (test/CareSupport.ts) take those for a leaked stack trace.
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
import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  OpenApi
} from "effect/http-api"
import { type AppointmentsError, AppointmentsGroup, AvailabilityGroup } from "./contract/Appointments.ts"
import { ClinicsGroup } from "./contract/Clinics.ts"
import {
  ChallengeNotFound,
  ContactUnreadable,
  docs,
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
export * from "./contract/Clinics.ts"
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
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          "Start a login: send a one-time code to the patient's contact",
          "Takes the clinic's slug, the health card (`versionCode` is ignored) and the email " +
            "address or mobile number on file. When the card belongs to a patient of that clinic and " +
            "the contact is theirs, a 6-digit code goes to that contact, and only to it (it expires " +
            "after 10 minutes by default).",
          "The answer is the same `202 { challengeId, expiresAt }` whether or not the identity " +
            "matched, so it tells nobody who is a patient; a challenge that matched no one accepts " +
            "no code. Next: `POST /v1/auth/login/{challengeId}/verify` with the code.",
          "An unknown clinic slug answers 404 `NotFound`; a contact that is neither an email address " +
            "nor a phone number, 400 `ContactUnreadable`. Rate-limited per client address: 429 " +
            "`RateLimited` with `Retry-After`."
        )
      ),
    HttpApiEndpoint.post("verify", "/v1/auth/login/:challengeId/verify", {
      params: { challengeId: Ids.ChallengeId },
      payload: Schema.Struct({ code: Schema.String, stayLoggedIn: Schema.Boolean }),
      success: SessionCreated,
      error: [ChallengeNotFound, ...passcodeFailures]
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          "Enter the login code and open a session",
          "Answers `{ token, session }` and sets the HttpOnly `careportal_session` cookie. Send the " +
            "token as `Authorization: Bearer <token>`, or let the browser send the cookie. With " +
            "`stayLoggedIn` the session lasts 30 days and the cookie persists; without it the session " +
            "ends after 30 minutes idle or 12 hours, and the cookie with the browser session " +
            "(defaults).",
          "A code is accepted once. A wrong code answers 401 `PasscodeInvalid` with `attemptsLeft`; " +
            "after 5 wrong entries the challenge locks (423 `PasscodeLocked`) and the right code is " +
            "refused too: start a new login. An expired or used code answers 410, one replaced by a " +
            "resend 409 `PasscodeSuperseded` (use the newest message); 100 wrong codes for the patient " +
            "within an hour, 429 `TooManyAttempts`. Rate-limited per client address (429 `RateLimited`)."
        )
      ),
    HttpApiEndpoint.post("resend", "/v1/auth/login/:challengeId/resend", {
      params: { challengeId: Ids.ChallengeId },
      success: Authentication.CodeSent,
      error: [ChallengeNotFound, ...resendFailures]
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          "Send a new login code to the same contact",
          "The challenge id stays the same and the older code stops working. Wrong entries carry " +
            "over to the new code, so a resend buys no extra guesses.",
          "Within 60 seconds of the last code: 429 `ResendTooSoon`; after 10 login codes for the " +
            "patient within 24 hours (the first send counts): 429 `ResendLimitReached` (both with `retryAfterSeconds` and " +
            "`Retry-After`). A locked, used or replaced challenge cannot be resent (423, 410, 409): " +
            "start a new login. Rate-limited per client address (429 `RateLimited`)."
        )
      )
  )
  .add(
    HttpApiEndpoint.post("logout", "/v1/auth/logout")
      .middleware(PatientAuth)
      .annotateMerge(
        docs(
          "Log out: end the caller's session",
          "Ends the session the request authenticated with and clears the `careportal_session` " +
            "cookie. The patient's other sessions stay (`DELETE /v1/sessions/{id}` ends one of them)."
        )
      )
  )
  .annotate(
    OpenApi.Description,
    "Patient login with a one-time code sent by email or SMS, and logout. The portal calls " +
      "`login`, `verify` and `resend` before the patient has a session: they take no credential and " +
      "are rate-limited per client address. `logout` takes the patient's session."
  ) {}

/** Notification links: describe (never consumes), open with code and date of birth, resend. */
export class LinksGroup extends HttpApiGroup.make("links")
  .add(
    HttpApiEndpoint.get("describe", "/v1/links/:linkId", {
      params: { linkId: Ids.ChallengeId },
      success: Authentication.LinkDescription,
      error: LinkNotFound
    }).annotateMerge(
      docs(
        "Describe a notification link without using it",
        "What the link opens (`purpose`, `resourceKind`), whether it still works (`status`: " +
          "`active`, `expired`, `used`, `locked` or `superseded`), when it expires, and whose clinic " +
          "it is (`clinic: { slug, name }`: the name for the page, the slug for " +
          "`GET /v1/clinics/{slug}`). Nothing about the patient, never the message itself. Consumes " +
          "nothing: mail scanners follow links. An unknown link answers 404 `LinkNotFound`."
      )
    ),
    HttpApiEndpoint.head("probe", "/v1/links/:linkId", {
      params: { linkId: Ids.ChallengeId },
      error: LinkNotFound
    }).annotateMerge(
      docs(
        "Check that a notification link exists, without using it",
        "The `GET` without a body: 204 for a known link whatever its status, 404 `LinkNotFound` " +
          "otherwise. Consumes nothing."
      )
    ),
    HttpApiEndpoint.post("open", "/v1/links/:linkId/open", {
      params: { linkId: Ids.ChallengeId },
      payload: Schema.Struct({
        code: Schema.String,
        dateOfBirth: Schema.String,
        stayLoggedIn: Schema.Boolean
      }),
      success: LinkOpenedBody,
      error: [LinkNotFound, ...passcodeFailures]
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          "Open a notification link with its code and the date of birth",
          "Answers `{ token, session, purpose, target }` (the record the link leads to, such as a " +
            "message or an upload request) and sets the `careportal_session` cookie, as a login " +
            "does. The code has 8 case-sensitive characters and is accepted once; it lives 3 days by " +
            "default.",
          "The code and the date of birth are judged as one entry: a wrong date of birth with the " +
            "right code counts as a wrong entry, and the answer does not say which part was wrong " +
            "(401 `PasscodeInvalid` with `attemptsLeft`). After 5 wrong entries the link locks (423 " +
            "`PasscodeLocked`): log in with the health card instead. Expired or used: 410; replaced " +
            "by a resend: 409. Rate-limited per client address (429 `RateLimited`)."
        )
      ),
    HttpApiEndpoint.post("resend", "/v1/links/:linkId/resend", {
      params: { linkId: Ids.ChallengeId },
      success: Authentication.LinkCodeSent,
      error: [LinkNotFound, NoContactOnFile, ...resendFailures]
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          'Send a new code for a notification link ("Resend quick passcode")',
          "Answers `{ challengeId, expiresAt, sentTo }`, `sentTo` listing where the code went, masked, " +
            'one entry per channel: `{ channel: "email", masked: "a•••@example.org" }` (the first ' +
            'character and the domain) and `{ channel: "sms", masked: "•••-•••-••67" }` (the last two ' +
            "digits), so the page can say where to look.",
          "A new code for the same link goes to the patient's preferred channels (or, failing those, " +
            "to whichever contact is on file); the older code stops working. 409 `NoContactOnFile` when the patient has neither: the clinic must " +
            "add one. Cooldown and daily cap as for a login code (429 `ResendTooSoon`, " +
            "`ResendLimitReached`); a locked or used link cannot be resent. Rate-limited per client " +
            "address (429 `RateLimited`)."
        )
      )
  )
  .annotate(
    OpenApi.Description,
    "The links in the clinic's notifications (a new message, a photo request). The patient's " +
      "browser calls these before there is a session, so they take no credential; `open` and " +
      "`resend` are rate-limited per client address. Reading a link never consumes it; only " +
      "`open`, with the code and the patient's date of birth, does."
  ) {}

/** The caller's sessions. */
export class SessionsGroup extends HttpApiGroup.make("sessions")
  .add(
    HttpApiEndpoint.get("list", "/v1/sessions", {
      success: Schema.Array(Session.SessionSummary)
    }).annotateMerge(
      docs(
        "List the caller's live sessions",
        "Most recently used first; `current` marks the session of this request. Ended and expired " +
          "sessions are left out."
      )
    ),
    HttpApiEndpoint.delete("end", "/v1/sessions/:id", {
      params: { id: Ids.SessionId },
      error: SessionNotFound
    }).annotateMerge(
      docs(
        "End one of the caller's sessions",
        "Signs that device out. A session that is not one of the caller's live sessions answers " +
          "404 `SessionNotFound`, the same whether it exists or not: refresh the list."
      )
    )
  )
  .middleware(PatientAuth)
  .annotate(
    OpenApi.Description,
    "The signed-in patient's sessions (their devices): see them and end any. Patient session " +
      "required (`sessionToken` or `sessionCookie`)."
  ) {}

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
    }).annotateMerge(
      docs(
        "List the caller's messages, newest first",
        "One page of `limit` messages (default 20, at most 100). When older ones exist, " +
          "`nextCursor` is set: pass it as `cursor` for the next page. A `limit` out of range " +
          "answers 400 `InvalidPageSize`; a cursor this API did not hand out, 400 `InvalidCursor`."
      )
    ),
    HttpApiEndpoint.get("read", "/v1/messages/:id", {
      params: { id: Ids.MessageId },
      success: Message.MessageThread,
      error: NotFound
    }).annotateMerge(
      docs(
        "Read a message and its replies",
        "Marks the message as read the first time. Another patient's message answers 404 " +
          "`NotFound`, as a missing one does."
      )
    ),
    HttpApiEndpoint.post("reply", "/v1/messages/:id/replies", {
      params: { id: Ids.MessageId },
      payload: Schema.Struct({ body: Schema.String }),
      success: Message.MessageReply.pipe(HttpApiSchema.status(201)),
      error: [NotFound, ReplyNotAllowed, MessageTextInvalid]
    }).annotateMerge(
      docs(
        "Reply to a message",
        "Answers 201 with the reply. A thread the clinic closed to replies answers 403 " +
          "`ReplyNotAllowed` whatever the text; a blank body or one over 10,000 characters, 400 " +
          "`MessageTextInvalid` (with `maxLength` and `length`)."
      )
    )
  )
  .middleware(PatientAuth)
  .annotate(
    OpenApi.Description,
    "The clinic's secure messages to the signed-in patient, and the patient's replies. Patient " +
      "session required (`sessionToken` or `sessionCookie`)."
  ) {}

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
export class HealthGroup extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("health", "/health", { success: HealthOk, error: HealthUnavailable }).annotateMerge(
      docs(
        "Liveness and database reachability",
        '200 `{ status: "ok", database }` while the process answers; `database` is `ok`, or ' +
          "`unchecked` when the server was composed without a database check. 503 `{ status: " +
          '"unavailable", database: "unreachable" }` when the database did not answer in time (2 s ' +
          "by default): take this replica out of rotation."
      )
    )
  )
  .annotate(OpenApi.Description, "For load balancers and monitors. No credential.") {}

/** The API's version in `/openapi.json`: `@careportal/api`'s (test/OpenApiDocs.test.ts checks they match). */
export const API_VERSION = "0.1.0"

/** What `/openapi.json` and the `/docs` page say about the API as a whole (Markdown). */
export const API_DESCRIPTION = [
  "careportal's HTTP API: the portal a clinic gives its patients (log in with a one-time code, " +
    "secure messages, appointments, pre-visit questionnaires, photo uploads, virtual visits, " +
    "demographics), and the clinic's side under `/v1/staff/`. JSON over HTTP; times are ISO 8601 " +
    "instants in UTC.",
  "## Authentication",
  "- **Patients** log in with `POST /v1/auth/login` and `POST /v1/auth/login/{challengeId}/verify`, " +
    "or open a notification link with `POST /v1/links/{linkId}/open`. Both answer a session token " +
    "and set the HttpOnly `careportal_session` cookie. Send the token as `Authorization: Bearer " +
    "<token>` (scheme `sessionToken`, for API clients), or let the browser send the cookie (scheme " +
    "`sessionCookie`); a request other than GET, HEAD or OPTIONS that rides on the cookie must come " +
    "from the portal's `Origin`, or it answers 403 `OriginRefused`. Without a valid session: 401 " +
    "`SessionExpired`.\n" +
    "- **Staff** (every `/v1/staff/` route) send a clinic API key as `Authorization: Bearer cpk_…` " +
    "(scheme `clinicApiKey`). A key acts as one staff member of one clinic and reaches only that " +
    "clinic's records. Missing, unknown or revoked: 401 `ApiKeyInvalid`.\n" +
    "- A clinic's public face (`GET /v1/clinics/{slug}`), login, links, joining a virtual visit and " +
    "`/health` take no credential.",
  "## Errors",
  'Every failure is a JSON body `{ "error": "<tag>", "message": "<what to do>", ...details }`. ' +
    "Branch on the stable `error` tag; show `message` to the person, it says what to do; the " +
    "details (attempts left, a delay, the failing fields) depend on the tag. Each tag has one " +
    "status, and each operation lists the ones it can answer.\n" +
    "- 404 `NotFound` for a missing record and for another patient's or clinic's alike: existence " +
    "never leaks.\n" +
    "- 429 (`RateLimited`, `ResendTooSoon`, …) carries `retryAfterSeconds` and `Retry-After`.\n" +
    "- Malformed input is 400 `application/problem+json` naming every bad field; a body of a type " +
    "the endpoint does not take is 415 `UnsupportedMediaType`; a JSON body over 1 MiB, 413 " +
    "`PayloadTooLarge`.",
  "More in the careportal repository: `docs/api.md` (routes, errors, rate limits), " +
    "`docs/authentication.md` (codes, links, sessions) and `docs/care-features.md`."
].join("\n\n")

/** The careportal HTTP API. Bad input answers 400 problem details naming the field. */
export class Api extends HttpApi.make("careportal")
  .add(ClinicsGroup, AuthGroup, LinksGroup, SessionsGroup, MessagesGroup, HealthGroup)
  .add(AvailabilityGroup, AppointmentsGroup, TasksGroup, VisitsGroup, MeGroup)
  .add(UploadsGroup)
  .add(StaffPatientsGroup, StaffScheduleGroup, StaffAppointmentsGroup, StaffCareGroup, StaffAdminGroup)
  .middleware(HttpApiMiddleware.ProblemDetails)
  // A 400 names every bad field, not only the first.
  .annotate(HttpApi.ParseOptions, { errors: "all" })
  .annotateMerge(
    OpenApi.annotations({ title: "careportal", version: API_VERSION, description: API_DESCRIPTION })
  ) {}
