/**
 * Pre-visit tasks on `PreVisit`.
 */

import { PreVisit } from "@careportal/domain"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api, CurrentPatient } from "../Contract.ts"
import { exposed } from "../Errors.ts"

/** The caller's pre-visit tasks and their responses. */
export const TasksHandlers = HttpApiBuilder.group(
  Api,
  "tasks",
  Effect.fn(function* (handlers) {
    const preVisit = yield* PreVisit.PreVisit
    return handlers
      .handle("list", ({ params }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          preVisit.tasksFor(principal, params.id).pipe(exposed)
        )
      )
      .handle("respond", ({ params, payload }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          preVisit.respond(principal, params.id, payload.answers).pipe(exposed)
        )
      )
  })
)
