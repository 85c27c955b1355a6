/**
 * Pre-visit questionnaires (FHIR's Questionnaire and QuestionnaireResponse, without the
 * optional-everything shapes): a definition is a list of items, each answered by one value;
 * a response is checked against its definition item by item, and every failing item is
 * reported with what to change.
 */
import { Result, Schema } from "effect"
import { AppointmentId, ChartEntryId, ClinicId, PatientId, QuestionnaireId, TaskId } from "./Ids.ts"

const itemBase = {
  /** The item's stable key within its questionnaire; answers name it. */
  linkId: Schema.String,
  /** The question as the patient reads it. */
  text: Schema.String,
  /** Whether the questionnaire cannot be submitted without an answer to it. */
  required: Schema.Boolean
}

/** Free text, at most `maxLength` characters (code points). */
export const TextItem = Schema.Struct({ type: Schema.Literal("text"), ...itemBase, maxLength: Schema.Int })
export type TextItem = typeof TextItem.Type

/** Yes or no. */
export const BooleanItem = Schema.Struct({ type: Schema.Literal("boolean"), ...itemBase })
export type BooleanItem = typeof BooleanItem.Type

/** Exactly one of `options`. */
export const ChoiceItem = Schema.Struct({
  type: Schema.Literal("choice"),
  ...itemBase,
  options: Schema.Array(Schema.String)
})
export type ChoiceItem = typeof ChoiceItem.Type

/** Any set of `options` (at least one when required), each at most once. */
export const MultipleChoiceItem = Schema.Struct({
  type: Schema.Literal("multiple-choice"),
  ...itemBase,
  options: Schema.Array(Schema.String)
})
export type MultipleChoiceItem = typeof MultipleChoiceItem.Type

/** A whole number, within `minValue`..`maxValue` (each inclusive, each optional). */
export const IntegerItem = Schema.Struct({
  type: Schema.Literal("integer"),
  ...itemBase,
  minValue: Schema.optionalKey(Schema.Int),
  maxValue: Schema.optionalKey(Schema.Int)
})
export type IntegerItem = typeof IntegerItem.Type

/** A calendar date, `YYYY-MM-DD`. */
export const DateItem = Schema.Struct({ type: Schema.Literal("date"), ...itemBase })
export type DateItem = typeof DateItem.Type

/** One question of a questionnaire. */
export const QuestionnaireItem = Schema.Union([
  TextItem,
  BooleanItem,
  ChoiceItem,
  MultipleChoiceItem,
  IntegerItem,
  DateItem
])
export type QuestionnaireItem = typeof QuestionnaireItem.Type

/** What staff submit to define a questionnaire. */
export const QuestionnaireDraft = Schema.Struct({
  title: Schema.String,
  items: Schema.Array(QuestionnaireItem)
})
export type QuestionnaireDraft = typeof QuestionnaireDraft.Type

/**
 * A questionnaire definition. It never changes once defined, so a response is always checked
 * against the definition its task was created for; a new version is a new questionnaire.
 */
export class Questionnaire extends Schema.Class<Questionnaire>("Questionnaire")({
  id: QuestionnaireId,
  clinicId: ClinicId,
  title: Schema.String,
  items: Schema.Array(QuestionnaireItem),
  createdAt: Schema.DateTimeUtc
}) {}

/** One answer as the patient sends it: any JSON value, checked against the item's type. */
export const AnswerInput = Schema.Struct({ linkId: Schema.String, answer: Schema.Json })
export type AnswerInput = typeof AnswerInput.Type

/** An accepted answer's value: text, yes/no, a whole number, a date, one option or a set of options. */
export const AnswerValue = Schema.Union([
  Schema.String,
  Schema.Boolean,
  Schema.Number,
  Schema.Array(Schema.String)
])
export type AnswerValue = typeof AnswerValue.Type

/** One accepted answer. */
export const ResponseAnswer = Schema.Struct({ linkId: Schema.String, answer: AnswerValue })
export type ResponseAnswer = typeof ResponseAnswer.Type

/** Where a pre-visit task stands. `cancelled`: its appointment was cancelled before it was answered. */
export const TaskStatus = Schema.Literals(["open", "completed", "cancelled"])
export type TaskStatus = typeof TaskStatus.Type

/** One questionnaire to complete before one appointment. */
export class PreVisitTask extends Schema.Class<PreVisitTask>("PreVisitTask")({
  id: TaskId,
  clinicId: ClinicId,
  patientId: PatientId,
  appointmentId: AppointmentId,
  questionnaireId: QuestionnaireId,
  status: TaskStatus,
  createdAt: Schema.DateTimeUtc,
  completedAt: Schema.NullOr(Schema.DateTimeUtc),
  cancelledAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** An accepted response; the same answers are filed in the chart as entry `chartEntryId`. */
export class QuestionnaireResponse extends Schema.Class<QuestionnaireResponse>("QuestionnaireResponse")({
  taskId: TaskId,
  questionnaireId: QuestionnaireId,
  appointmentId: AppointmentId,
  clinicId: ClinicId,
  patientId: PatientId,
  /** Answered items only, in the definition's order. */
  answers: Schema.Array(ResponseAnswer),
  authoredAt: Schema.DateTimeUtc,
  chartEntryId: ChartEntryId
}) {}

// ---------------------------------------------------------------------------------------------
// Checking a definition
// ---------------------------------------------------------------------------------------------

/** One problem of a definition; `linkId` null when it concerns the whole questionnaire. */
export const DefinitionProblem = Schema.Struct({
  linkId: Schema.NullOr(Schema.String),
  message: Schema.String
})
export type DefinitionProblem = typeof DefinitionProblem.Type

/** The definition staff submitted cannot be used as it is; each problem says what to change. */
export class QuestionnaireDefinitionInvalid extends Schema.TaggedError<QuestionnaireDefinitionInvalid>()(
  "QuestionnaireDefinitionInvalid",
  { problems: Schema.Array(DefinitionProblem) }
) {
  override get message() {
    return `This questionnaire cannot be saved yet: ${this.problems
      .map((p) => (p.linkId === null ? p.message : `${p.linkId}: ${p.message}`))
      .join("; ")}.`
  }
}

/** The shape of a linkId: short and safe to show in messages and URLs. */
export const LINK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** The longest text answer a definition may allow. */
export const MAX_TEXT_LENGTH = 100_000

/** Every problem of a definition, in item order; empty when it can be used. */
export const checkDefinition = (draft: QuestionnaireDraft): ReadonlyArray<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  const whole = (message: string) => problems.push({ linkId: null, message })
  if (draft.title.trim().length === 0) whole("give the questionnaire a title")
  if (draft.items.length === 0) whole("add at least one question")
  const seen = new Set<string>()
  const reportedTwice = new Set<string>()
  for (const item of draft.items) {
    const at = (message: string) => problems.push({ linkId: item.linkId, message })
    if (!LINK_ID_PATTERN.test(item.linkId)) {
      at("a linkId is 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit")
    }
    if (seen.has(item.linkId) && !reportedTwice.has(item.linkId)) {
      reportedTwice.add(item.linkId)
      at("this linkId is used by more than one question; give each question its own")
    }
    seen.add(item.linkId)
    if (item.text.trim().length === 0) at("give the question its text")
    switch (item.type) {
      case "text":
        if (!Number.isSafeInteger(item.maxLength) || item.maxLength < 1 || item.maxLength > MAX_TEXT_LENGTH) {
          at(`maxLength must be a whole number from 1 to ${MAX_TEXT_LENGTH}`)
        }
        break
      case "choice":
      case "multiple-choice": {
        if (item.options.length === 0) at("give at least one option")
        if (item.options.some((o) => o.trim().length === 0)) at("an option cannot be blank")
        const twice = item.options.filter((o, i) => item.options.indexOf(o) !== i)
        if (twice.length > 0)
          at(`each option once: ${[...new Set(twice)].map((o) => `"${o}"`).join(", ")} repeated`)
        break
      }
      case "integer": {
        const { minValue, maxValue } = item
        if (minValue !== undefined && !Number.isSafeInteger(minValue)) at("minValue must be a whole number")
        if (maxValue !== undefined && !Number.isSafeInteger(maxValue)) at("maxValue must be a whole number")
        if (minValue !== undefined && maxValue !== undefined && minValue > maxValue) {
          at(`minValue (${minValue}) must not be greater than maxValue (${maxValue})`)
        }
        break
      }
      case "boolean":
      case "date":
        break
    }
  }
  return problems
}

// ---------------------------------------------------------------------------------------------
// Checking a response
// ---------------------------------------------------------------------------------------------

/** What is wrong with one answer. */
export const ItemProblemKind = Schema.Literals([
  /** No question has this linkId. */
  "unknown-item",
  /** The same question was answered more than once. */
  "answered-twice",
  /** A required question has no answer. */
  "required",
  /** The answer is not of the question's type (text, yes/no, whole number, list of options). */
  "wrong-type",
  /** Text longer than the question allows. */
  "too-long",
  /** A choice that is not one of the options, or an option chosen twice. */
  "not-an-option",
  /** A whole number outside the question's bounds. */
  "out-of-range",
  /** Not a real calendar date written `YYYY-MM-DD`. */
  "not-a-date"
])
export type ItemProblemKind = typeof ItemProblemKind.Type

/** One failing item of a response: which, what kind of problem, and what to do about it. */
export const ItemProblem = Schema.Struct({
  linkId: Schema.String,
  problem: ItemProblemKind,
  message: Schema.String
})
export type ItemProblem = typeof ItemProblem.Type

/** The response breaks its questionnaire's rules; `items` lists each failing item, once. */
export class QuestionnaireInvalid extends Schema.TaggedError<QuestionnaireInvalid>()("QuestionnaireInvalid", {
  items: Schema.Array(ItemProblem)
}) {
  override get message() {
    const n = this.items.length
    return `${n} ${n === 1 ? "answer needs" : "answers need"} attention before this questionnaire can be submitted: ${this.items
      .map((i) => `${i.linkId}: ${i.message}`)
      .join("; ")}.`
  }
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether `s` is a real calendar date written `YYYY-MM-DD` (proleptic Gregorian, years 0001–9999). */
export const isCalendarDate = (s: string): boolean => {
  const m = DATE_PATTERN.exec(s)
  if (m === null) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (year < 1 || month < 1 || month > 12 || day < 1) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
  return day <= days
}

const codePoints = (s: string) => [...s].length

const optionsText = (options: ReadonlyArray<string>) => options.map((o) => `"${o}"`).join(", ")

const boundsText = (item: IntegerItem): string =>
  item.minValue !== undefined && item.maxValue !== undefined
    ? `must be between ${item.minValue} and ${item.maxValue}`
    : item.minValue !== undefined
      ? `must be at least ${item.minValue}`
      : `must be at most ${item.maxValue}`

type Checked = Result.Result<AnswerValue | undefined, Omit<ItemProblem, "linkId">>

const problem = (kind: ItemProblemKind, message: string): Checked => Result.fail({ problem: kind, message })
const unanswered: Checked = Result.succeed(undefined)

/** Checks one answer against its item; `undefined` when the item is left unanswered. */
const checkAnswer = (item: QuestionnaireItem, answer: Schema.Json): Checked => {
  if (answer === null) return unanswered
  switch (item.type) {
    case "text":
      if (typeof answer !== "string") return problem("wrong-type", "must be text")
      if (answer.trim().length === 0) return unanswered
      if (codePoints(answer) > item.maxLength) {
        return problem("too-long", `must be at most ${item.maxLength} characters`)
      }
      return Result.succeed(answer)
    case "boolean":
      return typeof answer === "boolean" ? Result.succeed(answer) : problem("wrong-type", "must be yes or no")
    case "choice":
      if (typeof answer !== "string")
        return problem("wrong-type", `must be one of ${optionsText(item.options)}`)
      return item.options.includes(answer)
        ? Result.succeed(answer)
        : problem("not-an-option", `not one of the options: choose one of ${optionsText(item.options)}`)
    case "multiple-choice": {
      if (!Array.isArray(answer) || !answer.every((a) => typeof a === "string")) {
        return problem("wrong-type", `must be a list of options from ${optionsText(item.options)}`)
      }
      const chosen = answer as ReadonlyArray<string>
      if (chosen.length === 0) return unanswered
      if (!chosen.every((a) => item.options.includes(a))) {
        return problem("not-an-option", `not one of the options: choose from ${optionsText(item.options)}`)
      }
      if (new Set(chosen).size !== chosen.length)
        return problem("not-an-option", "choose each option at most once")
      return Result.succeed(chosen)
    }
    case "integer":
      if (typeof answer !== "number" || !Number.isSafeInteger(answer)) {
        return problem("wrong-type", "must be a whole number")
      }
      if (
        (item.minValue !== undefined && answer < item.minValue) ||
        (item.maxValue !== undefined && answer > item.maxValue)
      ) {
        return problem("out-of-range", boundsText(item))
      }
      return Result.succeed(answer)
    case "date":
      if (typeof answer !== "string") return problem("wrong-type", "must be a date written YYYY-MM-DD")
      return isCalendarDate(answer)
        ? Result.succeed(answer)
        : problem("not-a-date", "not a date: write a real calendar date as YYYY-MM-DD, e.g. 2024-03-15")
  }
}

/**
 * Checks a response against its definition. Succeeds with the answered items in the
 * definition's order; fails with one problem per failing item (answers naming no item first,
 * then the items in order), so the patient can fix them all at once.
 */
export const checkResponse = (
  questionnaire: Questionnaire,
  answers: ReadonlyArray<AnswerInput>
): Result.Result<ReadonlyArray<ResponseAnswer>, ReadonlyArray<ItemProblem>> => {
  const problems: Array<ItemProblem> = []
  const known = new Set(questionnaire.items.map((i) => i.linkId))
  const byLinkId = new Map<string, Array<Schema.Json>>()
  for (const { linkId, answer } of answers) {
    if (!known.has(linkId)) {
      if (!byLinkId.has(linkId)) {
        problems.push({
          linkId,
          problem: "unknown-item",
          message: "there is no such question in this questionnaire; leave it out"
        })
      }
    }
    byLinkId.set(linkId, [...(byLinkId.get(linkId) ?? []), answer])
  }
  const accepted: Array<ResponseAnswer> = []
  for (const item of questionnaire.items) {
    const given = byLinkId.get(item.linkId) ?? []
    if (given.length > 1) {
      problems.push({ linkId: item.linkId, problem: "answered-twice", message: "answer this question once" })
      continue
    }
    const checked = given.length === 0 ? unanswered : checkAnswer(item, given[0] ?? null)
    if (Result.isFailure(checked)) {
      problems.push({ linkId: item.linkId, ...checked.failure })
    } else if (checked.success === undefined) {
      if (item.required) {
        problems.push({
          linkId: item.linkId,
          problem: "required",
          message: "required: this question needs an answer"
        })
      }
    } else {
      accepted.push({ linkId: item.linkId, answer: checked.success })
    }
  }
  return problems.length > 0 ? Result.fail(problems) : Result.succeed(accepted)
}
