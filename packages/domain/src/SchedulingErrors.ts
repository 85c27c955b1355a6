/**
 * Failures a patient or staff member meets while booking, moving or cancelling an
 * appointment. Each message says what to do next; none names the appointment's type or reason.
 */
import { Schema } from "effect"
import { AppointmentStatus } from "./Appointment.ts"

/** The time asked for is not an open slot (outside the hours, blocked, taken or past). */
export class SlotUnavailable extends Schema.TaggedError<SlotUnavailable>()("SlotUnavailable", {
  start: Schema.DateTimeUtc
}) {
  override get message() {
    return "That time is not open for booking. Choose a time from the provider's current availability."
  }
}

const spell = (minutes: number): string =>
  minutes % 60 === 0
    ? `${minutes / 60} ${minutes === 60 ? "hour" : "hours"}`
    : `${minutes} ${minutes === 1 ? "minute" : "minutes"}`

/** The appointment starts too soon (or has started) to be changed or cancelled online. */
export class ChangeWindowClosed extends Schema.TaggedError<ChangeWindowClosed>()("ChangeWindowClosed", {
  startsAt: Schema.DateTimeUtc,
  /** How long before the start online changes stop. */
  windowMinutes: Schema.Int
}) {
  override get message() {
    return `Appointments can be changed or cancelled online until ${spell(this.windowMinutes)} before they start. Please call the clinic to change or cancel this one.`
  }
}

/** The appointment is no longer in a state that allows this (e.g. already cancelled). */
export class AppointmentNotChangeable extends Schema.TaggedError<AppointmentNotChangeable>()(
  "AppointmentNotChangeable",
  { status: AppointmentStatus }
) {
  override get message() {
    return `This appointment is ${this.status} and cannot be changed that way. Refresh to see where it stands.`
  }
}

/** An availability query whose range is empty or too long. */
export class AvailabilityRangeInvalid extends Schema.TaggedError<AvailabilityRangeInvalid>()(
  "AvailabilityRangeInvalid",
  { reason: Schema.Literals(["empty", "too-long"]), maxDays: Schema.Number }
) {
  override get message() {
    return this.reason === "empty"
      ? "The end of the range must come after its start."
      : `Ask for at most ${this.maxDays} days of availability at a time.`
  }
}

/** A list of appointments asked for over a range whose end does not come after its start. */
export class AppointmentRangeInvalid extends Schema.TaggedError<AppointmentRangeInvalid>()(
  "AppointmentRangeInvalid",
  { from: Schema.DateTimeUtc, to: Schema.DateTimeUtc }
) {
  override get message() {
    return "The end of the range must come after its start."
  }
}
