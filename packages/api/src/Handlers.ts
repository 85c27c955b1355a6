/**
 * The handlers of the contract on the domain services. Each maps the domain's errors to the
 * contract's error bodies with `exposed` (which also sets `Retry-After`).
 */

import { Authentication, CareErrors, Clinic, Messaging } from "@careportal/domain"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpApiBuilder, HttpApiMiddleware } from "effect/http-api"
import { ApiConfig, clearSessionCookie, layerPatientAuth, setSessionCookie } from "./Auth.ts"
import { Api, CurrentPatient } from "./Contract.ts"
import { expose, exposed } from "./Errors.ts"
import { HealthCheck } from "./Health.ts"
import { ClinicsHandlers } from "./handlers/Clinics.ts"
import { layerRateLimit } from "./RateLimit.ts"

const AuthHandlers = HttpApiBuilder.group(
  Api,
  "auth",
  Effect.fn(function* (handlers) {
    const auth = yield* Authentication.Authentication
    const clinics = yield* Clinic.ClinicRepo
    const config = yield* ApiConfig
    return handlers
      .handle("login", ({ payload }) =>
        Effect.gen(function* () {
          const clinic = yield* clinics.findBySlug(payload.clinic)
          if (Option.isNone(clinic))
            return yield* Effect.fail(expose(new CareErrors.NotFound({ kind: "clinic" })))
          return yield* auth
            .startLogin({
              clinicId: clinic.value.id,
              identifier: payload.identifier,
              contact: payload.contact
            })
            .pipe(exposed)
        })
      )
      .handle("verify", ({ params, payload }) =>
        Effect.gen(function* () {
          const grant = yield* auth
            .verifyLogin(params.challengeId, Redacted.make(payload.code), payload.stayLoggedIn)
            .pipe(exposed)
          const token = Redacted.value(grant.token)
          yield* setSessionCookie(config, token, payload.stayLoggedIn)
          return { token, session: grant.session }
        })
      )
      .handle("resend", ({ params }) => auth.resendLogin(params.challengeId).pipe(exposed))
      .handle("logout", () =>
        Effect.gen(function* () {
          yield* auth.logout(yield* CurrentPatient)
          yield* clearSessionCookie(config)
        })
      )
  })
)

const LinksHandlers = HttpApiBuilder.group(
  Api,
  "links",
  Effect.fn(function* (handlers) {
    const auth = yield* Authentication.Authentication
    const config = yield* ApiConfig
    return handlers
      .handle("describe", ({ params }) => auth.describeLink(params.linkId).pipe(exposed))
      .handle("probe", ({ params }) => auth.describeLink(params.linkId).pipe(Effect.asVoid, exposed))
      .handle("open", ({ params, payload }) =>
        Effect.gen(function* () {
          const opened = yield* auth
            .openLink(params.linkId, Redacted.make(payload.code), payload.dateOfBirth, payload.stayLoggedIn)
            .pipe(exposed)
          const token = Redacted.value(opened.grant.token)
          yield* setSessionCookie(config, token, payload.stayLoggedIn)
          return { token, session: opened.grant.session, purpose: opened.purpose, target: opened.target }
        })
      )
      .handle("resend", ({ params }) => auth.resendLink(params.linkId).pipe(exposed))
  })
)

const SessionsHandlers = HttpApiBuilder.group(
  Api,
  "sessions",
  Effect.fn(function* (handlers) {
    const auth = yield* Authentication.Authentication
    return handlers
      .handle("list", () => Effect.flatMap(Effect.service(CurrentPatient), auth.listSessions))
      .handle("end", ({ params }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          auth.endSession(principal, params.id).pipe(exposed)
        )
      )
  })
)

const MessagesHandlers = HttpApiBuilder.group(
  Api,
  "messages",
  Effect.fn(function* (handlers) {
    const messaging = yield* Messaging.Messaging
    return handlers
      .handle("list", ({ query }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          messaging.list(principal, { cursor: query.cursor, limit: query.limit }).pipe(exposed)
        )
      )
      .handle("read", ({ params }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          messaging.read(principal, params.id).pipe(exposed)
        )
      )
      .handle("reply", ({ params, payload }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          messaging.reply(principal, params.id, payload.body).pipe(exposed)
        )
      )
  })
)

const HealthHandlers = HttpApiBuilder.group(
  Api,
  "health",
  Effect.fn(function* (handlers) {
    const check = yield* HealthCheck
    return handlers.handle("health", () =>
      Effect.flatMap(check.database, (database) =>
        database === "unreachable"
          ? Effect.fail({ status: "unavailable" as const, database })
          : Effect.succeed({ status: "ok" as const, database })
      )
    )
  })
)

/**
 * Every group's handlers with the patient-auth and problem-details middleware. Needs
 * Authentication, Messaging, ClinicRepo and ApiConfig.
 */
export const layer = Layer.mergeAll(
  ClinicsHandlers,
  AuthHandlers,
  LinksHandlers,
  SessionsHandlers,
  MessagesHandlers,
  HealthHandlers
).pipe(
  Layer.provide(layerPatientAuth),
  Layer.provide(layerRateLimit),
  Layer.provide(HttpApiMiddleware.layerProblemDetails({ includeDetails: true }))
)
