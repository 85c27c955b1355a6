/**
 * Failures staff meet while setting up providers, appointment types and blocked periods.
 * Each message says what to change.
 */
import { Schema } from "effect"
import { TimeOfDay } from "./Appointment.ts"
import { QuestionnaireId } from "./Ids.ts"

/** What is wrong with one stretch of weekly hours. */
export class WeeklyHoursProblem extends Schema.Class<WeeklyHoursProblem>("WeeklyHoursProblem")({
  weekday: Schema.Int,
  start: TimeOfDay,
  end: TimeOfDay,
  /** `not-after-start`: the end is not after the start; `overlaps`: it shares time with `other`. */
  problem: Schema.Literals(["not-after-start", "overlaps"]),
  /** The stretch of the same weekday it overlaps. */
  other: Schema.optionalKey(Schema.Struct({ start: TimeOfDay, end: TimeOfDay }))
}) {}

const WEEKDAYS = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

const describeHours = (p: WeeklyHoursProblem): string => {
  const stretch = `${WEEKDAYS[p.weekday] ?? `day ${p.weekday}`} ${p.start}–${p.end}`
  return p.problem === "not-after-start"
    ? `${stretch} must end after it starts`
    : `${stretch} overlaps ${p.other?.start ?? "?"}–${p.other?.end ?? "?"} of the same day`
}

/** Weekly hours that cannot be a schedule; `problems` names each stretch at fault. */
export class WeeklyHoursInvalid extends Schema.TaggedError<WeeklyHoursInvalid>()("WeeklyHoursInvalid", {
  problems: Schema.Array(WeeklyHoursProblem)
}) {
  override get message() {
    return `Check the weekly hours: ${this.problems.map(describeHours).join("; ")}. Stretches of one day may touch but not overlap.`
  }
}

/** A provider's meeting link that is not a full https address. */
export class MeetingUrlInvalid extends Schema.TaggedError<MeetingUrlInvalid>()("MeetingUrlInvalid", {}) {
  override get message() {
    return "The meeting link must be a full https:// address, e.g. https://meet.example.org/dr-chen."
  }
}

/** A name that is empty or too long. */
export class NameInvalid extends Schema.TaggedError<NameInvalid>()("NameInvalid", {
  of: Schema.Literals(["provider", "appointment-type"]),
  maxLength: Schema.Int
}) {
  override get message() {
    const what = this.of === "provider" ? "provider" : "appointment type"
    return `Give the ${what} a name of 1 to ${this.maxLength} characters.`
  }
}

/** An appointment type's length outside what the portal schedules. */
export class DurationInvalid extends Schema.TaggedError<DurationInvalid>()("DurationInvalid", {
  minutes: Schema.Number,
  minimum: Schema.Int,
  maximum: Schema.Int
}) {
  override get message() {
    return `An appointment type lasts a whole number of minutes from ${this.minimum} to ${this.maximum}; ${this.minutes} is not one.`
  }
}

/** Questionnaires an appointment type names that the clinic does not have. */
export class UnknownQuestionnaires extends Schema.TaggedError<UnknownQuestionnaires>()(
  "UnknownQuestionnaires",
  { questionnaireIds: Schema.Array(QuestionnaireId) }
) {
  override get message() {
    return `These questionnaires are not among your clinic's: ${this.questionnaireIds.join(", ")}. Define them first, or leave them out.`
  }
}

/** A blocked period whose end does not come after its start. */
export class BlockedPeriodInvalid extends Schema.TaggedError<BlockedPeriodInvalid>()("BlockedPeriodInvalid", {
  start: Schema.DateTimeUtc,
  end: Schema.DateTimeUtc
}) {
  override get message() {
    return "The end of a blocked period must come after its start."
  }
}

/** No blocked period of the staff member's clinic has that id (it was removed, or is another clinic's). */
export class BlockedPeriodNotFound extends Schema.TaggedError<BlockedPeriodNotFound>()(
  "BlockedPeriodNotFound",
  {}
) {
  override get message() {
    return "There is no such blocked period among your clinic's. It may have been removed already; refresh the schedule."
  }
}
