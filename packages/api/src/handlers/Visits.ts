/**
 * Joining a virtual visit on `VirtualVisits`: no session, the code is the credential.
 */

import { VirtualVisits } from "@careportal/domain"
import { Effect, Redacted } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Contract.ts"
import { exposed } from "../Errors.ts"

/** `POST /v1/virtual-visits/join`. */
export const VisitsHandlers = HttpApiBuilder.group(
  Api,
  "visits",
  Effect.fn(function* (handlers) {
    const visits = yield* VirtualVisits.VirtualVisits
    return handlers.handle("join", ({ payload }) => visits.join(Redacted.make(payload.code)).pipe(exposed))
  })
)
