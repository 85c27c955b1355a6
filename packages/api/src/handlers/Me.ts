/**
 * The caller's demographics on `Demographics`.
 */

import { Demographics } from "@careportal/domain"
import { Effect, Redacted } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api, CurrentPatient } from "../Contract.ts"
import { exposed } from "../Errors.ts"

/** `GET` and `PATCH /v1/me`, and the change of email or mobile. */
export const MeHandlers = HttpApiBuilder.group(
  Api,
  "me",
  Effect.fn(function* (handlers) {
    const demographics = yield* Demographics.Demographics
    return handlers
      .handle("read", () =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          demographics.get(principal).pipe(exposed)
        )
      )
      .handle("update", ({ payload }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          demographics.update(principal, payload).pipe(exposed)
        )
      )
      .handle("changeContact", ({ payload }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          demographics.requestContactChange(principal, payload).pipe(exposed)
        )
      )
      .handle("resendContactCode", ({ params }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          demographics.resendContactCode(principal, params.challengeId).pipe(exposed)
        )
      )
      .handle("verifyContact", ({ payload }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          demographics
            .confirmContactChange(principal, {
              challengeId: payload.challengeId,
              code: Redacted.make(payload.code)
            })
            .pipe(exposed)
        )
      )
  })
)
