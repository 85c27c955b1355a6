/**
 * The patient-side care groups' handlers (availability, appointments, tasks, virtual visits,
 * me) with the patient-auth and problem-details middleware.
 */

import type { Authentication, Demographics, PreVisit, Scheduling, VirtualVisits } from "@careportal/domain"
import { Layer } from "effect"
import { type HttpApiGroup, HttpApiMiddleware } from "effect/http-api"
import { type ApiConfig, layerPatientAuth } from "../Auth.ts"
import { layerRateLimit } from "../RateLimit.ts"
import { AppointmentsHandlers, AvailabilityHandlers } from "./Appointments.ts"
import { MeHandlers } from "./Me.ts"
import { TasksHandlers } from "./Tasks.ts"
import { VisitsHandlers } from "./Visits.ts"

/** The care groups' handlers. Needs Scheduling, PreVisit, VirtualVisits, Demographics, Authentication and ApiConfig. */
export const layer: Layer.Layer<
  | HttpApiGroup.Service<"careportal", "availability">
  | HttpApiGroup.Service<"careportal", "appointments">
  | HttpApiGroup.Service<"careportal", "tasks">
  | HttpApiGroup.Service<"careportal", "visits">
  | HttpApiGroup.Service<"careportal", "me">,
  never,
  | Scheduling.Scheduling
  | PreVisit.PreVisit
  | VirtualVisits.VirtualVisits
  | Demographics.Demographics
  | Authentication.Authentication
  | ApiConfig
> = Layer.mergeAll(
  AvailabilityHandlers,
  AppointmentsHandlers,
  TasksHandlers,
  VisitsHandlers,
  MeHandlers
).pipe(
  Layer.provide(layerPatientAuth),
  Layer.provide(layerRateLimit),
  Layer.provide(HttpApiMiddleware.layerProblemDetails({ includeDetails: true }))
)
