/**
 * A clinic's public face on `ClinicRepo`: no session, nothing but what the portal shows anyone.
 */

import { CareErrors, Clinic } from "@careportal/domain"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Contract.ts"
import { expose } from "../Errors.ts"

/** `GET /v1/clinics/{slug}`. */
export const ClinicsHandlers = HttpApiBuilder.group(
  Api,
  "clinics",
  Effect.fn(function* (handlers) {
    const clinics = yield* Clinic.ClinicRepo
    return handlers.handle("read", ({ params }) =>
      Effect.gen(function* () {
        const found = yield* clinics.findBySlug(params.slug)
        if (Option.isNone(found))
          return yield* Effect.fail(expose(new CareErrors.NotFound({ kind: "clinic" })))
        // Picked field by field: the id and the portal URL never reach the answer.
        const { slug, name, timeZone, languages } = found.value
        return { slug, name, timeZone, languages }
      })
    )
  })
)
