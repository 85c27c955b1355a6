/**
 * Availability and the patient's appointments. Refusals to book, move or cancel answer 409
 * (the state of the schedule or of the appointment stands in the way), a range the API cannot
 * answer 400, and a foreign or missing provider, type or appointment 404.
 */

import { Appointment, Availability, Ids, Scheduling } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { docs, errorBody, NotFound, PatientAuth } from "./Common.ts"

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

/**
 * What a patient can book: the clinic's providers and appointment types, and a provider's open
 * slots for one type of visit, starting in `[from, to)` (ISO instants).
 */
export class AvailabilityGroup extends HttpApiGroup.make("availability")
  .add(
    HttpApiEndpoint.get("providers", "/v1/providers", {
      success: Schema.Array(Scheduling.ProviderSummary)
    }).annotateMerge(
      docs(
        "List the providers a patient can book with",
        "The providers of the caller's clinic, by name: `id` and `name` only (their hours show " +
          "as the open slots of `GET /v1/providers/{id}/availability`). Any provider can be " +
          "asked for any appointment type."
      )
    ),
    HttpApiEndpoint.get("appointmentTypes", "/v1/appointment-types", {
      success: Schema.Array(Scheduling.AppointmentTypeSummary)
    }).annotateMerge(
      docs(
        "List the appointment types a patient can book or request",
        "The appointment types of the caller's clinic, by name: `mode` (`in-person` or " +
          "`virtual`), `durationMinutes` (the length of one slot) and `patientBooking`: `book` " +
          "takes the slot at once, `request` waits for the clinic to confirm. Types are not tied " +
          "to providers: pass any of them as `type` to `GET /v1/providers/{id}/availability`."
      )
    ),
    HttpApiEndpoint.get("slots", "/v1/providers/:id/availability", {
      params: { id: Ids.ProviderId },
      query: { type: Ids.AppointmentTypeId, from: Schema.DateTimeUtc, to: Schema.DateTimeUtc },
      success: Schema.Array(Availability.Slot),
      error: [NotFound, AvailabilityRangeInvalid]
    }).annotateMerge(
      docs(
        "List a provider's open slots for one type of visit",
        "The slots that start in `[from, to)` (ISO instants), earliest first: the provider's weekly " +
          "hours in the clinic's time zone, cut into the type's length, less booked and blocked " +
          "times and the past. Book one with `POST /v1/appointments`.",
        "An empty range, or one longer than the clinic answers in one request (`maxDays`, 62 by " +
          "default), answers 400 `AvailabilityRangeInvalid`; a provider or type not of the caller's " +
          "clinic, 404 `NotFound`."
      )
    )
  )
  .middleware(PatientAuth)
  .annotate(
    OpenApi.Description,
    "Whom and what a patient can book: the clinic's providers and appointment types, and a " +
      "provider's open slots for the patient to choose a time. Patient session required " +
      "(`sessionToken` or `sessionCookie`)."
  ) {}

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
    }).annotateMerge(
      docs(
        "List the caller's appointments",
        "Without `when` or with `when=upcoming`: the ones that have not ended yet, soonest first. " +
          "With `when=past`: the ones that have ended, latest first. Every status is listed " +
          "(`requested`, `booked`, `cancelled`, `completed`)."
      )
    ),
    HttpApiEndpoint.post("request", "/v1/appointments", {
      payload: AppointmentRequest,
      success: Appointment.Appointment.pipe(HttpApiSchema.status(201)),
      error: [NotFound, SlotUnavailable, SlotTaken]
    }).annotateMerge(
      docs(
        "Book or request an appointment in an open slot",
        "`start` must be the start of one of the slots `GET /v1/providers/{id}/availability` lists. " +
          "Answers 201 with the appointment: `booked` when the type lets patients book, otherwise " +
          "`requested`, waiting for the clinic to confirm it. The patient is notified either way.",
        "A time that is not an open slot (outside the hours, blocked, taken or past) answers 409 " +
          "`SlotUnavailable`; a slot someone else took since the availability was read, 409 " +
          "`SlotTaken`: read the availability again. A provider or type not of the caller's clinic: " +
          "404 `NotFound`."
      )
    ),
    HttpApiEndpoint.get("read", "/v1/appointments/:id", {
      params: { id: Ids.AppointmentId },
      success: Appointment.Appointment,
      error: NotFound
    }).annotateMerge(
      docs(
        "Read one of the caller's appointments",
        "Another patient's appointment answers 404 `NotFound`, as a missing one does."
      )
    ),
    HttpApiEndpoint.post("reschedule", "/v1/appointments/:id/reschedule", {
      params: { id: Ids.AppointmentId },
      payload: Schema.Struct({ start: Schema.DateTimeUtc }),
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable, ChangeWindowClosed, SlotUnavailable, SlotTaken]
    }).annotateMerge(
      docs(
        "Move one of the caller's appointments to another open slot",
        "Same provider and type; `start` must be an open slot (the appointment's own time counts " +
          "as free). The patient is notified, and a booked appointment's reminders move with it.",
        "Online changes close 24 hours before the start (by default): later, 409 " +
          "`ChangeWindowClosed` with `startsAt` and `windowMinutes` (the patient must call the " +
          "clinic). A cancelled or completed appointment answers 409 `AppointmentNotChangeable`; a " +
          "time that is not open, 409 `SlotUnavailable` or `SlotTaken`."
      )
    ),
    HttpApiEndpoint.post("cancel", "/v1/appointments/:id/cancel", {
      params: { id: Ids.AppointmentId },
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable, ChangeWindowClosed]
    }).annotateMerge(
      docs(
        "Cancel one of the caller's appointments",
        "Answers the appointment, now `cancelled`; its reminders are withdrawn and the patient is " +
          "notified. Online changes close 24 hours before the start (by default): later, 409 " +
          "`ChangeWindowClosed`. An appointment already cancelled or completed answers 409 " +
          "`AppointmentNotChangeable`."
      )
    )
  )
  .middleware(PatientAuth)
  .annotate(
    OpenApi.Description,
    "The signed-in patient's appointments: list, book or request, read, move, cancel. Patient " +
      "session required (`sessionToken` or `sessionCookie`). A refusal because of the state of the " +
      "schedule or of the appointment answers 409; another patient's or a missing appointment, 404."
  ) {}
