/**
 * Providers, their weekly hours and blocked periods, appointment types and appointments.
 * Times of day are in the clinic's IANA time zone; instants are UTC.
 */
import { Schema } from "effect"
import {
  AppointmentId,
  AppointmentTypeId,
  BlockedPeriodId,
  ClinicId,
  PatientId,
  ProviderId,
  QuestionnaireId
} from "./Ids.ts"

/** A time of day, `HH:MM`, 24-hour. */
export const TimeOfDay = Schema.String.pipe(Schema.check(Schema.isPattern(/^([01]\d|2[0-3]):[0-5]\d$/)))

/** One stretch of weekly hours: ISO weekday (1 = Monday … 7 = Sunday), from `start` to `end` local time. */
export class WeeklyHours extends Schema.Class<WeeklyHours>("WeeklyHours")({
  weekday: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 7 }))),
  start: TimeOfDay,
  end: TimeOfDay
}) {}

/** A provider and the hours they see patients. */
export class Provider extends Schema.Class<Provider>("Provider")({
  id: ProviderId,
  clinicId: ClinicId,
  /** Display name, e.g. "Dr. Chen". */
  name: Schema.String,
  weeklyHours: Schema.Array(WeeklyHours),
  /** Where virtual visits with this provider happen. */
  meetingUrl: Schema.optionalKey(Schema.String)
}) {}

/** A period in which a provider takes no appointments (vacation, meeting). */
export class BlockedPeriod extends Schema.Class<BlockedPeriod>("BlockedPeriod")({
  id: BlockedPeriodId,
  providerId: ProviderId,
  start: Schema.DateTimeUtc,
  end: Schema.DateTimeUtc
}) {}

/** Whether the patient is seen in person or by video. */
export const VisitMode = Schema.Literals(["in-person", "virtual"])
export type VisitMode = typeof VisitMode.Type

/** A kind of appointment the clinic offers. */
export class AppointmentType extends Schema.Class<AppointmentType>("AppointmentType")({
  id: AppointmentTypeId,
  clinicId: ClinicId,
  name: Schema.String,
  mode: VisitMode,
  /** Length of one slot of this type. */
  durationMinutes: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 5, maximum: 480 }))),
  /** `book`: patients take an open slot directly; `request`: staff confirm it. */
  patientBooking: Schema.Literals(["book", "request"]),
  /** Questionnaires to complete before the visit. */
  questionnaireIds: Schema.Array(QuestionnaireId)
}) {}

/** Where an appointment stands. `requested` and `booked` hold their slot. */
export const AppointmentStatus = Schema.Literals(["requested", "booked", "cancelled", "completed"])
export type AppointmentStatus = typeof AppointmentStatus.Type

/** An appointment. */
export class Appointment extends Schema.Class<Appointment>("Appointment")({
  id: AppointmentId,
  clinicId: ClinicId,
  patientId: PatientId,
  providerId: ProviderId,
  typeId: AppointmentTypeId,
  mode: VisitMode,
  start: Schema.DateTimeUtc,
  end: Schema.DateTimeUtc,
  status: AppointmentStatus,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}

/** Whether an appointment holds its slot. */
export const isActive = (appointment: Appointment): boolean =>
  appointment.status === "requested" || appointment.status === "booked"
