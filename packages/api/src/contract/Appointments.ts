/**
 * Availability and the patient's appointments. Refusals to book, move or cancel answer 409
 * (the state of the schedule or of the appointment stands in the way), a range the API cannot
 * answer 400, and a foreign or missing provider, type or appointment 404.
 */

import { Appointment, Availability, Ids } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { errorBody, NotFound, PatientAuth } from "./Common.ts"

/** Someone else took that time between the availability read and the booking. */
export const SlotTaken = errorBody("SlotTaken", 409, {})
/** The time asked for is not an open slot (outside the hours, blocked, taken or past). */
export const SlotUnavailable = errorBody("SlotUnavailable", 409, { start: Schema.DateTimeUtc })
/**
 * Too close to the start to change or cancel online. 409, not 403: nothing about the caller's
 * rights is wrong, the appointment's time is; the body says when the window closed.
 */
export const ChangeWindowClosed = errorBody("ChangeWindowClosed", 409, {
  startsAt: Schema.DateTimeUtc,
  windowMinutes: Schema.Int
})
/** The appointment is cancelled or completed and cannot be changed that way. */
export const AppointmentNotChangeable = errorBody("AppointmentNotChangeable", 409, {
  status: Appointment.AppointmentStatus
})
/** An availability range that is empty or longer than the clinic answers at once. */
export const AvailabilityRangeInvalid = errorBody("AvailabilityRangeInvalid", 400, {
  reason: Schema.Literals(["empty", "too-long"]),
  maxDays: Schema.Number
})

/** The error bodies of availability and appointments. */
export type AppointmentsError =
  | typeof SlotTaken.Type
  | typeof SlotUnavailable.Type
  | typeof ChangeWindowClosed.Type
  | typeof AppointmentNotChangeable.Type
  | typeof AvailabilityRangeInvalid.Type

/** A provider's open slots for one type of visit, starting in `[from, to)` (ISO instants). */
export class AvailabilityGroup extends HttpApiGroup.make("availability")
  .add(
    HttpApiEndpoint.get("slots", "/v1/providers/:id/availability", {
      params: { id: Ids.ProviderId },
      query: { type: Ids.AppointmentTypeId, from: Schema.DateTimeUtc, to: Schema.DateTimeUtc },
      success: Schema.Array(Availability.Slot),
      error: [NotFound, AvailabilityRangeInvalid]
    })
  )
  .middleware(PatientAuth) {}

/** What a patient asks for: a provider, a type of visit and the start of one of the open slots. */
export const AppointmentRequest = Schema.Struct({
  providerId: Ids.ProviderId,
  typeId: Ids.AppointmentTypeId,
  start: Schema.DateTimeUtc
})

/** The caller's appointments: list, request, read, move, cancel. */
export class AppointmentsGroup extends HttpApiGroup.make("appointments")
  .add(
    // Without `when`, the upcoming ones (not yet ended, soonest first); `past`: latest first.
    HttpApiEndpoint.get("list", "/v1/appointments", {
      query: { when: Schema.optional(Schema.Literals(["upcoming", "past"])) },
      success: Schema.Array(Appointment.Appointment)
    }),
    HttpApiEndpoint.post("request", "/v1/appointments", {
      payload: AppointmentRequest,
      success: Appointment.Appointment.pipe(HttpApiSchema.status(201)),
      error: [NotFound, SlotUnavailable, SlotTaken]
    }),
    HttpApiEndpoint.get("read", "/v1/appointments/:id", {
      params: { id: Ids.AppointmentId },
      success: Appointment.Appointment,
      error: NotFound
    }),
    HttpApiEndpoint.post("reschedule", "/v1/appointments/:id/reschedule", {
      params: { id: Ids.AppointmentId },
      payload: Schema.Struct({ start: Schema.DateTimeUtc }),
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable, ChangeWindowClosed, SlotUnavailable, SlotTaken]
    }),
    HttpApiEndpoint.post("cancel", "/v1/appointments/:id/cancel", {
      params: { id: Ids.AppointmentId },
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable, ChangeWindowClosed]
    })
  )
  .middleware(PatientAuth) {}
