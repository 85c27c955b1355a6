/**
 * Availability and appointments on `Scheduling`.
 */

import { Scheduling } from "@careportal/domain"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api, CurrentPatient } from "../Contract.ts"
import { exposed } from "../Errors.ts"

/** `GET /v1/providers`, `GET /v1/appointment-types` and `GET /v1/providers/:id/availability`. */
export const AvailabilityHandlers = HttpApiBuilder.group(
  Api,
  "availability",
  Effect.fn(function* (handlers) {
    const scheduling = yield* Scheduling.Scheduling
    return handlers
      .handle("providers", () => Effect.flatMap(Effect.service(CurrentPatient), scheduling.listProviders))
      .handle("appointmentTypes", () =>
        Effect.flatMap(Effect.service(CurrentPatient), scheduling.listAppointmentTypes)
      )
      .handle("slots", ({ params, query }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          scheduling.availability(principal, params.id, query.type, query.from, query.to).pipe(exposed)
        )
      )
  })
)

/** The caller's appointments. */
export const AppointmentsHandlers = HttpApiBuilder.group(
  Api,
  "appointments",
  Effect.fn(function* (handlers) {
    const scheduling = yield* Scheduling.Scheduling
    return handlers
      .handle("list", ({ query }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          query.when === "past" ? scheduling.listPast(principal) : scheduling.listUpcoming(principal)
        )
      )
      .handle("request", ({ payload }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          scheduling.request(principal, payload).pipe(exposed)
        )
      )
      .handle("read", ({ params }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          scheduling.get(principal, params.id).pipe(exposed)
        )
      )
      .handle("reschedule", ({ params, payload }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          scheduling.reschedule(principal, params.id, payload.start).pipe(exposed)
        )
      )
      .handle("cancel", ({ params }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          scheduling.cancel(principal, params.id).pipe(exposed)
        )
      )
  })
)
