/**
 * The clinic side, under `/v1/staff/...`: patients and their chart, providers and their
 * schedules, appointment types, appointments, messages, questionnaires, upload requests,
 * virtual-visit codes, notifications, the audit log and the clinic's API keys.
 *
 * Every staff endpoint takes a clinic API key as `Authorization: Bearer cpk_…`. A key belongs
 * to one clinic and acts as one staff member (its `staffId`, which the audit log records); it
 * reaches only its clinic's records — another clinic's answer `404 NotFound`, like missing ones.
 * Keys are stored as SHA-256 hashes: the key text is shown once, when it is issued.
 *
 * Statuses: bad input the schema catches → 400 problem details; a record that breaks a rule of
 * the clinic (a name too long, overlapping hours, a questionnaire that cannot be saved) → 422
 * with the problems listed; a state that stands in the way (a taken slot, a closed request,
 * a card already registered) → 409.
 */

import {
  ApiKey,
  Appointment,
  AuditEvent,
  type Authentication,
  Availability,
  Chart,
  ClinicScheduleErrors,
  Ids,
  Message,
  Messaging,
  Notification,
  Patient,
  Patients,
  Questionnaire,
  type Staff,
  Upload,
  Uploads,
  VirtualVisits
} from "@careportal/domain"
import { Context, Schema } from "effect"
import {
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi
} from "effect/http-api"
import {
  AppointmentNotChangeable,
  AvailabilityRangeInvalid,
  ChangeWindowClosed,
  SlotTaken,
  SlotUnavailable
} from "./Appointments.ts"
import {
  docs,
  errorBody,
  InvalidCursor,
  InvalidPageSize,
  MessageTextInvalid,
  NoContactOnFile,
  NotFound
} from "./Common.ts"
import { AddressInput } from "./Me.ts"
import { UploadRequestCancelled, UploadRequestExpired, UploadRequestUsed } from "./Uploads.ts"
import { VisitEnded } from "./Visits.ts"

// ---------------------------------------------------------------------------------------------
// Authentication

/** The clinic API key is missing, unknown or revoked. */
export const ApiKeyInvalid = errorBody("ApiKeyInvalid", 401, {})

/** The staff member a clinic API key acts as, provided to handlers by `StaffAuth`. */
export class CurrentStaff extends Context.Service<CurrentStaff, Staff.StaffPrincipal>()(
  "@careportal/api/CurrentStaff"
) {}

/** Staff authentication: a clinic API key as `Authorization: Bearer cpk_…`. */
export class StaffAuth extends HttpApiMiddleware.Service<StaffAuth, { provides: CurrentStaff }>()(
  "@careportal/api/StaffAuth",
  {
    security: {
      clinicApiKey: HttpApiSecurity.bearer.pipe(
        HttpApiSecurity.annotate(
          OpenApi.Description,
          "A clinic API key, as `Authorization: Bearer cpk_…`. It belongs to one clinic and acts as " +
            "one staff member in the audit log. Issue the first with `pnpm staff-key`; rotate with " +
            "`POST /v1/staff/api-keys`."
        )
      )
    },
    error: ApiKeyInvalid
  }
) {}

// ---------------------------------------------------------------------------------------------
// Error bodies of the staff side

/** The patient's details cannot be registered; `fields` names each one at fault. */
export const PatientDetailsInvalid = errorBody("PatientDetailsInvalid", 422, {
  fields: Schema.Array(Schema.Struct({ field: Schema.String, message: Schema.String }))
})
/** A patient of the clinic already has this health card. */
export const PatientAlreadyRegistered = errorBody("PatientAlreadyRegistered", 409, {
  patientId: Ids.PatientId
})
/** A provider's or appointment type's name is empty or too long. */
export const NameInvalid = errorBody("NameInvalid", 422, {
  of: Schema.Literals(["provider", "appointment-type"]),
  maxLength: Schema.Int
})
/** The weekly hours end before they start or overlap; each problem is listed. */
export const WeeklyHoursInvalid = errorBody("WeeklyHoursInvalid", 422, {
  problems: Schema.Array(ClinicScheduleErrors.WeeklyHoursProblem)
})
/** A meeting link that is not a full https address. */
export const MeetingUrlInvalid = errorBody("MeetingUrlInvalid", 422, {})
/** A duration outside 5 to 480 whole minutes. */
export const DurationInvalid = errorBody("DurationInvalid", 422, {
  minutes: Schema.Number,
  minimum: Schema.Int,
  maximum: Schema.Int
})
/** Questionnaires the clinic does not have. */
export const UnknownQuestionnaires = errorBody("UnknownQuestionnaires", 422, {
  questionnaireIds: Schema.Array(Ids.QuestionnaireId)
})
/** A blocked period whose end is not after its start. */
export const BlockedPeriodInvalid = errorBody("BlockedPeriodInvalid", 422, {
  start: Schema.DateTimeUtc,
  end: Schema.DateTimeUtc
})
/** No such blocked period among the clinic's. */
export const BlockedPeriodNotFound = errorBody("BlockedPeriodNotFound", 404, {})
/** An appointments range whose end is not after its start. */
export const AppointmentRangeInvalid = errorBody("AppointmentRangeInvalid", 400, {
  from: Schema.DateTimeUtc,
  to: Schema.DateTimeUtc
})
/** A questionnaire definition that cannot be saved; each problem says what to change. */
export const QuestionnaireDefinitionInvalid = errorBody("QuestionnaireDefinitionInvalid", 422, {
  problems: Schema.Array(Questionnaire.DefinitionProblem)
})
/** An upload request's note that is too long. */
export const UploadNoteInvalid = errorBody("UploadNoteInvalid", 422, {
  length: Schema.Int,
  maxLength: Schema.Int
})
/** Only a booked virtual visit has an access code to send. */
export const VisitNotBooked = errorBody("VisitNotBooked", 409, { status: Appointment.AppointmentStatus })

/** The link a message or upload request sent (type only: named by the groups' declarations). */
export type LinkIssued = Authentication.LinkIssued

/** The error bodies of the staff side. */
export type StaffError =
  | typeof ApiKeyInvalid.Type
  | typeof PatientDetailsInvalid.Type
  | typeof PatientAlreadyRegistered.Type
  | typeof NameInvalid.Type
  | typeof WeeklyHoursInvalid.Type
  | typeof MeetingUrlInvalid.Type
  | typeof DurationInvalid.Type
  | typeof UnknownQuestionnaires.Type
  | typeof BlockedPeriodInvalid.Type
  | typeof BlockedPeriodNotFound.Type
  | typeof AppointmentRangeInvalid.Type
  | typeof QuestionnaireDefinitionInvalid.Type
  | typeof UploadNoteInvalid.Type
  | typeof VisitNotBooked.Type

const limitQuery = Schema.optional(Schema.NumberFromString.check(Schema.isInt()))

// ---------------------------------------------------------------------------------------------
// Patients, their chart, messages, upload requests and notifications

/** A patient as staff register them; the server normalises the card, email and mobile. */
export const PatientRegistration = Schema.Struct({
  healthCard: Schema.Struct({
    idType: Schema.String,
    number: Schema.String,
    versionCode: Schema.optional(Schema.String)
  }),
  legalName: Schema.Struct({ given: Schema.String, family: Schema.String }),
  /** `YYYY-MM-DD`. */
  dateOfBirth: Schema.String,
  email: Schema.optional(Schema.String),
  mobile: Schema.optional(Schema.String),
  notificationPreference: Schema.optional(Patient.NotificationPreference),
  language: Schema.optional(Schema.Literals(["en", "fr"])),
  address: Schema.optional(AddressInput)
}).annotate({ identifier: "PatientRegistration" })

/** A page of the clinic's patients, by family then given name. */
export const PatientPage = Schema.Struct({
  patients: Schema.Array(Patient.Patient),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "PatientPage" })

/** A page of the clinic's notifications, newest first; `nextCursor` is null on the last. */
export const NotificationPage = Schema.Struct({
  notifications: Schema.Array(Patients.NotificationView),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "NotificationPage" })

/** The clinic's patients. */
export class StaffPatientsGroup extends HttpApiGroup.make("staffPatients")
  .add(
    HttpApiEndpoint.post("register", "/v1/staff/patients", {
      payload: PatientRegistration,
      success: Patient.Patient.pipe(HttpApiSchema.status(201)),
      error: [PatientDetailsInvalid, PatientAlreadyRegistered]
    }).annotateMerge(
      docs(
        "Register a patient of the clinic",
        "The server normalises what the front desk typed: the card's type is upper-cased and its number reduced to digits, the email trimmed and lower-cased, the mobile read into E.164 (by libphonenumber-js on the reference server). The notification preference defaults to email when there is one, else SMS.",
        "Every field at fault is listed at once in 422 `PatientDetailsInvalid` (`fields[].field` is a path such as `healthCard.number`). A card already registered in the clinic answers 409 `PatientAlreadyRegistered` with that patient's id, also when two registrations race."
      )
    ),
    // `query`: the start of a name, or digits of the health card.
    HttpApiEndpoint.get("list", "/v1/staff/patients", {
      query: {
        query: Schema.optional(Schema.String),
        cursor: Schema.optional(Schema.String),
        limit: limitQuery
      },
      success: PatientPage,
      error: [InvalidCursor, InvalidPageSize]
    }).annotateMerge(
      docs(
        "Search the clinic's patients",
        "Ordered by family name, then given name. `query` matches the start of a name (accents, case and punctuation ignored) or, when it is digits, the start of the health-card number. Pages of `limit` (1–200, default 50); follow `nextCursor`. Every listing is audited."
      )
    ),
    HttpApiEndpoint.get("read", "/v1/staff/patients/:id", {
      params: { id: Ids.PatientId },
      success: Patient.Patient,
      error: NotFound
    }).annotateMerge(
      docs(
        "Read a patient's record",
        "Audited. A patient of another clinic answers 404 `NotFound`, as a missing one does."
      )
    ),
    HttpApiEndpoint.get("chart", "/v1/staff/patients/:id/chart", {
      params: { id: Ids.PatientId },
      success: Schema.Array(Chart.ChartEntry),
      error: NotFound
    }).annotateMerge(
      docs(
        "Read a patient's chart entries",
        "Newest first: questionnaire responses, photos and demographic changes, each with who filed it and from where. Audited. A patient of another clinic answers 404 `NotFound`, as a missing one does."
      )
    ),
    HttpApiEndpoint.get("messages", "/v1/staff/patients/:id/messages", {
      params: { id: Ids.PatientId },
      success: Schema.Array(Message.MessageThread),
      error: NotFound
    }).annotateMerge(
      docs(
        "Read a patient's message threads",
        "Each message with its replies. A patient of another clinic answers 404 `NotFound`, as a missing one does."
      )
    ),
    HttpApiEndpoint.get("uploadRequests", "/v1/staff/patients/:id/upload-requests", {
      params: { id: Ids.PatientId },
      success: Schema.Array(Upload.UploadRequestSummary),
      error: NotFound
    }).annotateMerge(
      docs(
        "List a patient's photo upload requests",
        "Each with its state: open, used, cancelled or expired. A patient of another clinic answers 404 `NotFound`, as a missing one does."
      )
    ),
    HttpApiEndpoint.get("notifications", "/v1/staff/patients/:id/notifications", {
      params: { id: Ids.PatientId },
      query: { limit: limitQuery },
      success: Schema.Array(Patients.NotificationView),
      error: [NotFound, InvalidPageSize]
    }).annotateMerge(
      docs(
        "List a patient's notifications and their delivery",
        "Newest first, at most `limit` (1–200, default 50): template, channel, address, status (`pending`, `sent`, `dead`, `withdrawn`), attempts and the provider's last error. Never a code, link or challenge: a provider's error that quoted the message has the code replaced by `[code]`. A patient of another clinic answers 404 `NotFound`, as a missing one does."
      )
    ),
    // Across patients: `status=dead` answers "which notifications failed, for whom".
    HttpApiEndpoint.get("clinicNotifications", "/v1/staff/notifications", {
      query: {
        status: Schema.optional(Notification.NotificationStatus),
        cursor: Schema.optional(Schema.String),
        limit: limitQuery
      },
      success: NotificationPage,
      error: [InvalidCursor, InvalidPageSize]
    }).annotateMerge(
      docs(
        "List the clinic's notifications across patients",
        "Every patient's, newest first (ties by id), each with its patient id, template, channel, address, status, attempts and the provider's last error; never a code, link or challenge. `status` keeps one status, e.g. `dead` for the ones delivery gave up on: contact those patients another way. Pages of `limit` (1–200, default 50); follow `nextCursor`. The patients of each page are audited."
      )
    )
  )
  .middleware(StaffAuth)
  .annotate(
    OpenApi.Description,
    "The clinic's patients: register, search, and read each one's record, chart, message threads, upload requests and notifications. Clinic API key required (`clinicApiKey`)."
  ) {}

// ---------------------------------------------------------------------------------------------
// Providers, their hours and blocked periods; appointment types

/** One stretch of a provider's week: weekday 1 = Monday … 7 = Sunday, `HH:MM` in the clinic's zone. */
export const WeeklyHoursInput = Schema.Struct(Appointment.WeeklyHours.fields).annotate({
  identifier: "WeeklyHoursInput"
})

/** A new provider: a name, weekly hours and, for virtual visits, a meeting link. */
export const ProviderInput = Schema.Struct({
  name: Schema.String,
  weeklyHours: Schema.Array(WeeklyHoursInput),
  meetingUrl: Schema.optional(Schema.String)
}).annotate({ identifier: "ProviderInput" })

/** Changes to a provider; a field left out stays, `meetingUrl: null` removes the link. */
export const ProviderChanges = Schema.Struct({
  name: Schema.optional(Schema.String),
  weeklyHours: Schema.optional(Schema.Array(WeeklyHoursInput)),
  meetingUrl: Schema.optional(Schema.NullOr(Schema.String))
}).annotate({ identifier: "ProviderChanges" })

/** A new appointment type. */
export const AppointmentTypeInput = Schema.Struct({
  name: Schema.String,
  mode: Appointment.VisitMode,
  durationMinutes: Schema.Number,
  patientBooking: Schema.Literals(["book", "request"]),
  questionnaireIds: Schema.optional(Schema.Array(Ids.QuestionnaireId))
}).annotate({ identifier: "AppointmentTypeInput" })

/** Changes to an appointment type; a field left out stays. */
export const AppointmentTypeChanges = Schema.Struct({
  name: Schema.optional(Schema.String),
  mode: Schema.optional(Appointment.VisitMode),
  durationMinutes: Schema.optional(Schema.Number),
  patientBooking: Schema.optional(Schema.Literals(["book", "request"])),
  questionnaireIds: Schema.optional(Schema.Array(Ids.QuestionnaireId))
}).annotate({ identifier: "AppointmentTypeChanges" })

/** A blocked period and the active appointments it overlaps (which it does not cancel). */
export const PeriodBlocked = Schema.Struct({
  period: Appointment.BlockedPeriod,
  affected: Schema.Array(Appointment.Appointment)
}).annotate({ identifier: "PeriodBlocked" })

/** The clinic's providers, their hours and blocked periods, and its appointment types. */
export class StaffScheduleGroup extends HttpApiGroup.make("staffSchedule")
  .add(
    HttpApiEndpoint.get("providers", "/v1/staff/providers", {
      success: Schema.Array(Appointment.Provider)
    }).annotateMerge(docs("List the clinic's providers", "With their weekly hours and meeting links.")),
    HttpApiEndpoint.post("createProvider", "/v1/staff/providers", {
      payload: ProviderInput,
      success: Appointment.Provider.pipe(HttpApiSchema.status(201)),
      error: [NameInvalid, WeeklyHoursInvalid, MeetingUrlInvalid]
    }).annotateMerge(
      docs(
        "Add a provider",
        "Weekly hours are stretches of a weekday (1 = Monday … 7 = Sunday) in the clinic's time zone, `HH:MM`; stretches of one day may touch but not overlap (422 `WeeklyHoursInvalid` lists each problem). A meeting link, for virtual visits, must be an https address."
      )
    ),
    HttpApiEndpoint.patch("updateProvider", "/v1/staff/providers/:id", {
      params: { id: Ids.ProviderId },
      payload: ProviderChanges,
      success: Appointment.Provider,
      error: [NotFound, NameInvalid, WeeklyHoursInvalid, MeetingUrlInvalid]
    }).annotateMerge(
      docs(
        "Change a provider",
        "A field left out stays; `meetingUrl: null` removes the link. Appointments already made stay where they are, also outside new hours; availability follows the new hours."
      )
    ),
    HttpApiEndpoint.get("availability", "/v1/staff/providers/:id/availability", {
      params: { id: Ids.ProviderId },
      query: { type: Ids.AppointmentTypeId, from: Schema.DateTimeUtc, to: Schema.DateTimeUtc },
      success: Schema.Array(Availability.Slot),
      error: [NotFound, AvailabilityRangeInvalid]
    }).annotateMerge(
      docs(
        "A provider's open slots",
        "The same slots a patient sees for that type in `[from, to)` (at most 31 days by default): the weekly hours in the clinic's zone, less blocked periods and appointments that hold a slot, from now on. Across a DST change a wall time that shows twice is offered once (its first showing); one that never shows is skipped."
      )
    ),
    HttpApiEndpoint.get("blockedPeriods", "/v1/staff/providers/:id/blocked-periods", {
      params: { id: Ids.ProviderId },
      query: { from: Schema.DateTimeUtc, to: Schema.DateTimeUtc },
      success: Schema.Array(Appointment.BlockedPeriod),
      error: NotFound
    }).annotateMerge(docs("List a provider's blocked periods", "Those overlapping `[from, to)`, by start.")),
    HttpApiEndpoint.post("blockPeriod", "/v1/staff/providers/:id/blocked-periods", {
      params: { id: Ids.ProviderId },
      payload: Schema.Struct({ start: Schema.DateTimeUtc, end: Schema.DateTimeUtc }),
      success: PeriodBlocked.pipe(HttpApiSchema.status(201)),
      error: [NotFound, BlockedPeriodInvalid]
    }).annotateMerge(
      docs(
        "Block a period of a provider's time",
        "Availability offers nothing in `[start, end)` from now on. The answer lists the active appointments the period overlaps, which it does not cancel: contact those patients and move or cancel them."
      )
    ),
    HttpApiEndpoint.delete("removeBlockedPeriod", "/v1/staff/blocked-periods/:id", {
      params: { id: Ids.BlockedPeriodId },
      success: Appointment.BlockedPeriod,
      error: BlockedPeriodNotFound
    }).annotateMerge(docs("Remove a blocked period", "Its time is open again where the weekly hours allow.")),
    HttpApiEndpoint.get("appointmentTypes", "/v1/staff/appointment-types", {
      success: Schema.Array(Appointment.AppointmentType)
    }).annotateMerge(docs("List the clinic's appointment types")),
    HttpApiEndpoint.post("createAppointmentType", "/v1/staff/appointment-types", {
      payload: AppointmentTypeInput,
      success: Appointment.AppointmentType.pipe(HttpApiSchema.status(201)),
      error: [NameInvalid, DurationInvalid, UnknownQuestionnaires]
    }).annotateMerge(
      docs(
        "Add an appointment type",
        "`mode` in-person or virtual; 5 to 480 whole minutes; `patientBooking` `book` (patients book directly) or `request` (patients ask, staff confirm); `questionnaireIds` of the clinic become pre-visit tasks of each appointment of this type."
      )
    ),
    HttpApiEndpoint.patch("updateAppointmentType", "/v1/staff/appointment-types/:id", {
      params: { id: Ids.AppointmentTypeId },
      payload: AppointmentTypeChanges,
      success: Appointment.AppointmentType,
      error: [NotFound, NameInvalid, DurationInvalid, UnknownQuestionnaires]
    }).annotateMerge(
      docs(
        "Change an appointment type",
        "A field left out stays. Appointments already made keep their times, mode and pre-visit tasks; new bookings follow the change."
      )
    )
  )
  .middleware(StaffAuth)
  .annotate(
    OpenApi.Description,
    "The clinic's providers with their weekly hours and blocked periods, their availability, and the appointment types. Clinic API key required."
  ) {}

// ---------------------------------------------------------------------------------------------
// Appointments

/** What staff book: a patient of the clinic, a provider, a type and one of the open slots' starts. */
export const StaffBooking = Schema.Struct({
  patientId: Ids.PatientId,
  providerId: Ids.ProviderId,
  typeId: Ids.AppointmentTypeId,
  start: Schema.DateTimeUtc
}).annotate({ identifier: "StaffBooking" })

/** A page of the clinic's appointments, by start then id; `nextCursor` is null on the last. */
export const AppointmentPage = Schema.Struct({
  appointments: Schema.Array(Appointment.Appointment),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "AppointmentPage" })

/** The clinic's appointments: list and filter, book, confirm requests, move, cancel, complete. */
export class StaffAppointmentsGroup extends HttpApiGroup.make("staffAppointments")
  .add(
    // Each filter left out matches all; `from`/`to` bound the start. By start then id, in pages
    // of `limit` (1 to 500, default 100); `cursor` is the previous page's `nextCursor`.
    HttpApiEndpoint.get("list", "/v1/staff/appointments", {
      query: {
        status: Schema.optional(Appointment.AppointmentStatus),
        providerId: Schema.optional(Ids.ProviderId),
        patientId: Schema.optional(Ids.PatientId),
        from: Schema.optional(Schema.DateTimeUtc),
        to: Schema.optional(Schema.DateTimeUtc),
        cursor: Schema.optional(Schema.String),
        limit: limitQuery
      },
      success: AppointmentPage,
      error: [NotFound, AppointmentRangeInvalid, InvalidCursor, InvalidPageSize]
    }).annotateMerge(
      docs(
        "List the clinic's appointments",
        "By start, then id. Each filter left out matches all: `status` (e.g. `requested` for the requests to confirm), `providerId`, `patientId`, and `from`/`to` bounding the start. Pages of `limit` (1–500, default 100); follow `nextCursor`. The patients of each page are audited."
      )
    ),
    HttpApiEndpoint.post("book", "/v1/staff/appointments", {
      payload: StaffBooking,
      success: Appointment.Appointment.pipe(HttpApiSchema.status(201)),
      error: [NotFound, SlotUnavailable, SlotTaken]
    }).annotateMerge(
      docs(
        "Book an appointment for a patient",
        "Staff are bound by the clock, not the weekly hours: any start not in the past that overlaps no other active appointment of the provider. The patient is notified (with an .ics invitation by email); a virtual visit's access code follows 5 minutes before it starts."
      )
    ),
    HttpApiEndpoint.post("confirm", "/v1/staff/appointments/:id/confirm", {
      params: { id: Ids.AppointmentId },
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable, SlotTaken]
    }).annotateMerge(
      docs("Confirm a requested appointment", "`requested` → `booked`; the patient is notified.")
    ),
    HttpApiEndpoint.post("reschedule", "/v1/staff/appointments/:id/reschedule", {
      params: { id: Ids.AppointmentId },
      payload: Schema.Struct({ start: Schema.DateTimeUtc }),
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable, ChangeWindowClosed, SlotUnavailable, SlotTaken]
    }).annotateMerge(
      docs(
        "Move an appointment",
        "To any start not in the past (staff are not bound by the weekly hours), same provider and type; a start overlapping another active appointment of the provider answers 409 `SlotTaken`. Pending reminders of the old time are withdrawn and the patient is notified."
      )
    ),
    HttpApiEndpoint.post("cancel", "/v1/staff/appointments/:id/cancel", {
      params: { id: Ids.AppointmentId },
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable, ChangeWindowClosed]
    }).annotateMerge(
      docs(
        "Cancel an appointment",
        "Reminders are withdrawn, open pre-visit tasks cancelled, and the patient is notified."
      )
    ),
    HttpApiEndpoint.post("complete", "/v1/staff/appointments/:id/complete", {
      params: { id: Ids.AppointmentId },
      success: Appointment.Appointment,
      error: [NotFound, AppointmentNotChangeable]
    }).annotateMerge(docs("Mark an appointment as having taken place")),
    // A new access code for a booked virtual visit, replacing the old one, sent to the patient.
    HttpApiEndpoint.post("resendVisitCode", "/v1/staff/appointments/:id/visit-code", {
      params: { id: Ids.AppointmentId },
      success: VirtualVisits.VisitCodeSent,
      error: [NotFound, VisitNotBooked, VisitEnded]
    }).annotateMerge(
      docs(
        "Send a virtual visit's access code again",
        "Issues a new code, which replaces the old one, and sends it to the patient's preferred channels. Only a booked virtual visit that has not ended has a code (409 `VisitNotBooked`, 410 `VisitEnded`)."
      )
    )
  )
  .middleware(StaffAuth)
  .annotate(
    OpenApi.Description,
    "The clinic's appointments: list in pages, book for a patient, confirm requests, move, cancel, complete, and resend a virtual visit's access code. Clinic API key required."
  ) {}

// ---------------------------------------------------------------------------------------------
// Messages, questionnaires, upload requests

/** A message to a patient; its notification carries a link, never the text. */
export const MessageInput = Schema.Struct({
  patientId: Ids.PatientId,
  subject: Schema.String,
  body: Schema.String,
  replyAllowed: Schema.Boolean
}).annotate({ identifier: "MessageInput" })

/** Messages to patients, pre-visit questionnaires and photo upload requests. */
export class StaffCareGroup extends HttpApiGroup.make("staffCare")
  .add(
    HttpApiEndpoint.post("sendMessage", "/v1/staff/messages", {
      payload: MessageInput,
      success: Messaging.MessageSent.pipe(HttpApiSchema.status(201)),
      error: [NotFound, MessageTextInvalid]
    }).annotateMerge(
      docs(
        "Send a message to a patient",
        "The patient is notified with a link to the portal, never the text. `replyAllowed` decides whether the patient may answer in the portal."
      )
    ),
    HttpApiEndpoint.get("questionnaires", "/v1/staff/questionnaires", {
      success: Schema.Array(Questionnaire.Questionnaire)
    }).annotateMerge(docs("List the clinic's pre-visit questionnaires")),
    HttpApiEndpoint.post("defineQuestionnaire", "/v1/staff/questionnaires", {
      payload: Questionnaire.QuestionnaireDraft,
      success: Questionnaire.Questionnaire.pipe(HttpApiSchema.status(201)),
      error: QuestionnaireDefinitionInvalid
    }).annotateMerge(
      docs(
        "Define a pre-visit questionnaire",
        "Items of type text, boolean, choice, multiple-choice, integer or date, each with a unique `linkId`. A definition that cannot be used answers 422 `QuestionnaireDefinitionInvalid` with each problem."
      )
    ),
    // Sends the patient an upload link; `note` (what to photograph) shows in the portal only.
    HttpApiEndpoint.post("requestUpload", "/v1/staff/upload-requests", {
      payload: Schema.Struct({ patientId: Ids.PatientId, note: Schema.optional(Schema.String) }),
      success: Uploads.UploadRequested.pipe(HttpApiSchema.status(201)),
      error: [NotFound, UploadNoteInvalid, NoContactOnFile]
    }).annotateMerge(
      docs(
        "Ask a patient for a photo",
        "Sends the patient a secure upload link (opened with a code and their date of birth). `note`, what to photograph, shows in the portal only, never in the notification. A patient without email or mobile answers 409 `NoContactOnFile`."
      )
    ),
    HttpApiEndpoint.post("cancelUpload", "/v1/staff/upload-requests/:id/cancel", {
      params: { id: Ids.UploadRequestId },
      success: Upload.UploadRequestSummary,
      error: [NotFound, UploadRequestUsed, UploadRequestCancelled, UploadRequestExpired]
    }).annotateMerge(
      docs(
        "Withdraw an upload request",
        "Its link stops working at once. A used, cancelled or expired request answers 409/410."
      )
    )
  )
  .middleware(StaffAuth)
  .annotate(
    OpenApi.Description,
    "Messages to patients, pre-visit questionnaires and photo upload requests. Clinic API key required."
  ) {}

// ---------------------------------------------------------------------------------------------
// Audit and API keys

/** Whether the clinic's audit chain is intact, and where it first breaks if not. */
export const AuditChainReport = Schema.Union([
  Schema.Struct({ status: Schema.Literal("intact"), events: Schema.Int }),
  Schema.Struct({
    status: Schema.Literal("broken"),
    sequence: Schema.Int,
    eventId: Schema.NullOr(Schema.String),
    problem: Schema.Literals(["altered", "missing-or-reordered"])
  })
]).annotate({ identifier: "AuditChainReport" })

/** A page of audit events, newest first; `nextBefore` asks for the older ones. */
export const AuditPage = Schema.Struct({
  events: Schema.Array(AuditEvent.AuditEvent),
  nextBefore: Schema.NullOr(Schema.Int)
}).annotate({ identifier: "AuditPage" })

/** A clinic API key as listed: never its text or hash, only the prefix that recognises it. */
export const ApiKeySummary = Schema.Struct({
  id: Ids.ApiKeyId,
  staffId: Ids.StaffId,
  label: Schema.String,
  prefix: Schema.String,
  createdAt: Schema.DateTimeUtc,
  revokedAt: Schema.NullOr(Schema.DateTimeUtc)
}).annotate({ identifier: "ApiKeySummary" })

/** A new key: its text, shown this once (store it in a secret manager), and its summary. */
export const ApiKeyIssued = Schema.Struct({
  key: Schema.String,
  apiKey: ApiKeySummary
}).annotate({ identifier: "ApiKeyIssued" })

/** The clinic's audit log and API keys. */
export class StaffAdminGroup extends HttpApiGroup.make("staffAdmin")
  .add(
    HttpApiEndpoint.get("audit", "/v1/staff/audit", {
      query: {
        patientId: Schema.optional(Ids.PatientId),
        before: Schema.optional(Schema.NumberFromString.check(Schema.isInt())),
        limit: limitQuery
      },
      success: AuditPage,
      error: InvalidPageSize
    }).annotateMerge(
      docs(
        "Read the clinic's audit log",
        "Newest first, at most `limit` (1–500, default 50); pass `nextBefore` as `before` for older events; `patientId` narrows to one patient. Each event: actor, action, patient, resource, outcome (and for a failure its reason), time, and its place in the hash chain."
      )
    ),
    HttpApiEndpoint.get("verifyAudit", "/v1/staff/audit/verify", { success: AuditChainReport }).annotateMerge(
      docs(
        "Check the audit log's hash chain",
        "`intact` with the number of events, or `broken` with the first sequence that was altered or is missing or out of order. A chain cannot show a truncated tail: anchor the latest hash elsewhere."
      )
    ),
    HttpApiEndpoint.get("apiKeys", "/v1/staff/api-keys", {
      success: Schema.Array(ApiKeySummary)
    }).annotateMerge(
      docs(
        "List the clinic's API keys",
        "Each with its staff id, label and the prefix that recognises it; never its text or hash."
      )
    ),
    // A new key for the clinic, e.g. to rotate: issue the new one, deploy it, revoke the old.
    HttpApiEndpoint.post("issueApiKey", "/v1/staff/api-keys", {
      payload: Schema.Struct({
        // Who the key acts as in the audit log, e.g. `reception` or `dr-chen`.
        staffId: ApiKey.StaffIdText,
        // What the key is for, e.g. "front-desk app".
        label: Schema.String.pipe(
          Schema.check(Schema.isMinLength(1, { message: "a label of 1 to 200 characters" })),
          Schema.check(Schema.isMaxLength(200, { message: "a label of 1 to 200 characters" }))
        )
      }),
      success: ApiKeyIssued.pipe(HttpApiSchema.status(201)),
      error: NotFound
    }).annotateMerge(
      docs(
        "Issue a clinic API key",
        "The answer holds the key's text, shown this once: store it in a secret manager. It acts as `staffId` in the audit log. To rotate: issue a new key, deploy it, revoke the old one."
      )
    ),
    HttpApiEndpoint.delete("revokeApiKey", "/v1/staff/api-keys/:id", {
      params: { id: Ids.ApiKeyId },
      error: NotFound
    }).annotateMerge(
      docs(
        "Revoke a clinic API key",
        "It stops working at once, also for requests already using it next time. Revoking the key of the request itself is allowed."
      )
    )
  )
  .middleware(StaffAuth)
  .annotate(
    OpenApi.Description,
    "The clinic's audit log (paged, with a hash-chain check) and its API keys. Clinic API key required."
  ) {}
