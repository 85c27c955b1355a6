/**
 * The clinic side of the schedule: staff set up providers and their weekly hours, the
 * appointment types patients book, and the periods in which a provider takes no
 * appointments. Everything is scoped to the staff member's clinic (another clinic's record
 * answers as a missing one) and every change, accepted or refused, is audited.
 */
import { Context, DateTime, Effect, Layer, Option, Result, Schema } from "effect"
import {
  Appointment,
  AppointmentType,
  BlockedPeriod,
  Provider,
  type VisitMode,
  type WeeklyHours
} from "./Appointment.ts"
import { AppointmentRepo } from "./AppointmentRepo.ts"
import type { AuditAction } from "./AuditEvent.ts"
import { AuditLog } from "./AuditLog.ts"
import { minuteOfDay } from "./Availability.ts"
import { NotFound } from "./CareErrors.ts"
import {
  BlockedPeriodInvalid,
  BlockedPeriodNotFound,
  DurationInvalid,
  MeetingUrlInvalid,
  NameInvalid,
  UnknownQuestionnaires,
  WeeklyHoursInvalid,
  WeeklyHoursProblem
} from "./ClinicScheduleErrors.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import {
  AppointmentTypeId,
  BlockedPeriodId,
  type PatientId,
  ProviderId,
  type QuestionnaireId
} from "./Ids.ts"
import { type AuditFacts, makeAuditor, makeRefusals } from "./internal/audit.ts"
import { QuestionnaireRepo } from "./QuestionnaireRepo.ts"
import { ScheduleRepo } from "./ScheduleRepo.ts"
import { type StaffPrincipal, staffActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** The longest provider or appointment-type name, in characters. */
export const MAX_NAME_LENGTH = 200

/** The shortest and longest appointment type, in minutes. */
export const MIN_DURATION_MINUTES = 5
export const MAX_DURATION_MINUTES = 480

/** A new provider. */
export interface ProviderInput {
  readonly name: string
  readonly weeklyHours: ReadonlyArray<WeeklyHours>
  /** Where this provider's virtual visits happen: an https address. */
  readonly meetingUrl?: string | undefined
}

/** Changes to a provider; a field left out stays as it is, `meetingUrl: null` removes the link. */
export interface ProviderChanges {
  readonly name?: string | undefined
  readonly weeklyHours?: ReadonlyArray<WeeklyHours> | undefined
  readonly meetingUrl?: string | null | undefined
}

/** A new appointment type. */
export interface AppointmentTypeInput {
  readonly name: string
  readonly mode: VisitMode
  readonly durationMinutes: number
  readonly patientBooking: "book" | "request"
  /** Questionnaires of the clinic to complete before the visit; repeats are dropped. */
  readonly questionnaireIds: ReadonlyArray<QuestionnaireId>
}

/** Changes to an appointment type; a field left out stays as it is. */
export type AppointmentTypeChanges = {
  readonly [K in keyof AppointmentTypeInput]?: AppointmentTypeInput[K] | undefined
}

/** A stretch of a provider's time to block, `[start, end)`. */
export interface BlockInput {
  readonly start: DateTime.Utc
  readonly end: DateTime.Utc
}

/**
 * A new blocked period, and the active appointments of the provider it overlaps. Blocking
 * over booked (or requested) appointments is allowed — a provider falls ill whatever is
 * booked — but it cancels nothing: those appointments stand until staff reschedule or cancel
 * them through `Scheduling`, and `affected` lists them so they can.
 */
export class PeriodBlocked extends Schema.Class<PeriodBlocked>("PeriodBlocked")({
  period: BlockedPeriod,
  affected: Schema.Array(Appointment)
}) {}

/** Staff's operations on the clinic's providers, appointment types and blocked periods. */
export class ClinicSchedule extends Context.Service<
  ClinicSchedule,
  {
    /** The clinic's providers. Not audited: a schedule holds no patient data. */
    readonly listProviders: (staff: StaffPrincipal) => Effect.Effect<ReadonlyArray<Provider>>
    /**
     * Adds a provider. Weekly hours: each stretch ends after it starts, and stretches of one
     * weekday do not overlap (they may touch). A meeting link must be an https address.
     */
    readonly createProvider: (
      staff: StaffPrincipal,
      input: ProviderInput
    ) => Effect.Effect<Provider, NameInvalid | WeeklyHoursInvalid | MeetingUrlInvalid>
    /**
     * Changes a provider of the clinic, under the same rules. Appointments already made stay
     * where they are, also outside new hours; only availability follows the new hours.
     */
    readonly updateProvider: (
      staff: StaffPrincipal,
      providerId: ProviderId,
      changes: ProviderChanges
    ) => Effect.Effect<Provider, NotFound | NameInvalid | WeeklyHoursInvalid | MeetingUrlInvalid>
    /** The clinic's appointment types. Not audited: they hold no patient data. */
    readonly listAppointmentTypes: (staff: StaffPrincipal) => Effect.Effect<ReadonlyArray<AppointmentType>>
    /**
     * Adds an appointment type: 5 to 480 whole minutes, questionnaires that exist in the
     * clinic (another clinic's count as unknown).
     */
    readonly createAppointmentType: (
      staff: StaffPrincipal,
      input: AppointmentTypeInput
    ) => Effect.Effect<AppointmentType, NameInvalid | DurationInvalid | UnknownQuestionnaires>
    /**
     * Changes an appointment type of the clinic, under the same rules. Appointments already
     * made keep their times and mode, and their pre-visit tasks; new bookings follow the change.
     */
    readonly updateAppointmentType: (
      staff: StaffPrincipal,
      typeId: AppointmentTypeId,
      changes: AppointmentTypeChanges
    ) => Effect.Effect<AppointmentType, NotFound | NameInvalid | DurationInvalid | UnknownQuestionnaires>
    /** A provider's blocked periods overlapping `[from, to)`, by start. Not audited: no patient data. */
    readonly listBlockedPeriods: (
      staff: StaffPrincipal,
      providerId: ProviderId,
      from: DateTime.Utc,
      to: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<BlockedPeriod>, NotFound>
    /**
     * Blocks `[start, end)` of a provider of the clinic: availability offers nothing in it
     * from now on. Returns the period and the active appointments it overlaps, which it does
     * not cancel (see `PeriodBlocked`); returning them reads patient data, so it is audited.
     */
    readonly blockPeriod: (
      staff: StaffPrincipal,
      providerId: ProviderId,
      input: BlockInput
    ) => Effect.Effect<PeriodBlocked, NotFound | BlockedPeriodInvalid>
    /** Removes a blocked period of the clinic; its time is open again where the weekly hours allow. */
    readonly removeBlockedPeriod: (
      staff: StaffPrincipal,
      blockedPeriodId: BlockedPeriodId
    ) => Effect.Effect<BlockedPeriod, BlockedPeriodNotFound>
  }
>()("@careportal/domain/ClinicSchedule") {
  /** The service on its ports. */
  static readonly layer = Layer.effect(
    ClinicSchedule,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

/** The problems of a set of weekly hours: stretches that end too soon, and overlapping ones of a weekday. */
export const weeklyHoursProblems = (hours: ReadonlyArray<WeeklyHours>): ReadonlyArray<WeeklyHoursProblem> => {
  const problems: Array<WeeklyHoursProblem> = []
  const span = (h: WeeklyHours) => ({ open: minuteOfDay(h.start), close: minuteOfDay(h.end) })
  hours.forEach((h, i) => {
    const { open, close } = span(h)
    if (close <= open) {
      problems.push(
        new WeeklyHoursProblem({ weekday: h.weekday, start: h.start, end: h.end, problem: "not-after-start" })
      )
      return
    }
    // Each overlapping pair is reported once, at its later stretch.
    for (const other of hours.slice(0, i)) {
      const o = span(other)
      if (other.weekday !== h.weekday || o.close <= o.open) continue
      if (open < o.close && o.open < close) {
        problems.push(
          new WeeklyHoursProblem({
            weekday: h.weekday,
            start: h.start,
            end: h.end,
            problem: "overlaps",
            other: { start: other.start, end: other.end }
          })
        )
      }
    }
  })
  return problems
}

/** Whether a meeting link is a full https address with a host. */
export const isHttpsUrl = (value: string): boolean => {
  if (/\s/.test(value) || !URL.canParse(value)) return false
  const url = new URL(value)
  return url.protocol === "https:" && url.hostname.length > 0
}

const nameProblem = (name: string, of: "provider" | "appointment-type"): NameInvalid | undefined => {
  const length = Array.from(name.trim()).length
  return length === 0 || length > MAX_NAME_LENGTH
    ? new NameInvalid({ of, maxLength: MAX_NAME_LENGTH })
    : undefined
}

const durationProblem = (minutes: number): DurationInvalid | undefined =>
  Number.isInteger(minutes) && minutes >= MIN_DURATION_MINUTES && minutes <= MAX_DURATION_MINUTES
    ? undefined
    : new DurationInvalid({ minutes, minimum: MIN_DURATION_MINUTES, maximum: MAX_DURATION_MINUTES })

const make = Effect.gen(function* () {
  const schedule = yield* ScheduleRepo
  const appointments = yield* AppointmentRepo
  const questionnaires = yield* QuestionnaireRepo
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const audit = makeAuditor(yield* AuditLog, generator)

  const { settle, refuse } = makeRefusals(uow, audit)

  type Facts = Omit<AuditFacts, "outcome" | "reason">

  const factsOf = (staff: StaffPrincipal, action: AuditAction, resource: string): Facts => ({
    clinicId: staff.clinicId,
    actor: staffActor(staff),
    action,
    patientId: null,
    resource
  })

  const providerOf = (staff: StaffPrincipal, id: ProviderId) =>
    Effect.map(
      schedule.findProvider(id),
      Option.filter((p: Provider) => p.clinicId === staff.clinicId)
    )

  const typeOf = (staff: StaffPrincipal, id: AppointmentTypeId) =>
    Effect.map(
      schedule.findType(id),
      Option.filter((t: AppointmentType) => t.clinicId === staff.clinicId)
    )

  /** The first problem of a provider as it would be saved. */
  const providerProblem = (
    name: string,
    hours: ReadonlyArray<WeeklyHours>,
    meetingUrl: string | undefined
  ): NameInvalid | WeeklyHoursInvalid | MeetingUrlInvalid | undefined => {
    const badName = nameProblem(name, "provider")
    if (badName !== undefined) return badName
    const problems = weeklyHoursProblems(hours)
    if (problems.length > 0) return new WeeklyHoursInvalid({ problems })
    if (meetingUrl !== undefined && !isHttpsUrl(meetingUrl)) return new MeetingUrlInvalid()
    return undefined
  }

  /** The ids no questionnaire of the clinic has, in the order given. */
  const unknownQuestionnaires = (staff: StaffPrincipal, ids: ReadonlyArray<QuestionnaireId>) =>
    Effect.gen(function* () {
      const unknown: Array<QuestionnaireId> = []
      for (const id of ids) {
        const found = yield* questionnaires.findQuestionnaire(id)
        if (Option.isNone(found) || found.value.clinicId !== staff.clinicId) unknown.push(id)
      }
      return unknown
    })

  /** The first problem of an appointment type as it would be saved. */
  const typeProblem = (staff: StaffPrincipal, input: AppointmentTypeInput) =>
    Effect.gen(function* () {
      const problem = nameProblem(input.name, "appointment-type") ?? durationProblem(input.durationMinutes)
      if (problem !== undefined) return problem
      const unknown = yield* unknownQuestionnaires(staff, input.questionnaireIds)
      return unknown.length > 0 ? new UnknownQuestionnaires({ questionnaireIds: unknown }) : undefined
    })

  const trimmedUrl = (url: string | undefined) => (url === undefined ? undefined : url.trim())

  const withoutRepeats = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => [...new Set(xs)]

  const listProviders = Effect.fn("ClinicSchedule.listProviders")(function* (staff: StaffPrincipal) {
    return yield* schedule.listProviders(staff.clinicId)
  })

  const createProvider = Effect.fn("ClinicSchedule.createProvider")(function* (
    staff: StaffPrincipal,
    input: ProviderInput
  ) {
    const id = ProviderId.make(yield* generator.uuid)
    return yield* settle<Provider, NameInvalid | WeeklyHoursInvalid | MeetingUrlInvalid>(
      Effect.gen(function* () {
        const facts = factsOf(staff, "provider.created", `provider:${id}`)
        const meetingUrl = trimmedUrl(input.meetingUrl)
        const problem = providerProblem(input.name, input.weeklyHours, meetingUrl)
        if (problem !== undefined) return yield* refuse(facts, problem)
        const provider = new Provider({
          id,
          clinicId: staff.clinicId,
          name: input.name.trim(),
          weeklyHours: input.weeklyHours,
          ...(meetingUrl === undefined ? {} : { meetingUrl })
        })
        yield* schedule.saveProvider(provider)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(provider)
      })
    )
  })

  const updateProvider = Effect.fn("ClinicSchedule.updateProvider")(function* (
    staff: StaffPrincipal,
    providerId: ProviderId,
    changes: ProviderChanges
  ) {
    return yield* settle<Provider, NotFound | NameInvalid | WeeklyHoursInvalid | MeetingUrlInvalid>(
      Effect.gen(function* () {
        const facts = factsOf(staff, "provider.updated", `provider:${providerId}`)
        // Read inside the unit, so two concurrent updates cannot undo each other.
        const found = yield* providerOf(staff, providerId)
        if (Option.isNone(found)) return yield* refuse(facts, new NotFound({ kind: "provider" }))
        const current = found.value
        const name = changes.name ?? current.name
        const weeklyHours = changes.weeklyHours ?? current.weeklyHours
        const meetingUrl =
          changes.meetingUrl === null
            ? undefined
            : changes.meetingUrl === undefined
              ? current.meetingUrl
              : changes.meetingUrl.trim()
        const problem = providerProblem(name, weeklyHours, meetingUrl)
        if (problem !== undefined) return yield* refuse(facts, problem)
        const { meetingUrl: _old, ...rest } = current
        const provider = new Provider({
          ...rest,
          name: name.trim(),
          weeklyHours,
          ...(meetingUrl === undefined ? {} : { meetingUrl })
        })
        yield* schedule.saveProvider(provider)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(provider)
      })
    )
  })

  const listAppointmentTypes = Effect.fn("ClinicSchedule.listAppointmentTypes")(function* (
    staff: StaffPrincipal
  ) {
    return yield* schedule.listTypes(staff.clinicId)
  })

  const createAppointmentType = Effect.fn("ClinicSchedule.createAppointmentType")(function* (
    staff: StaffPrincipal,
    input: AppointmentTypeInput
  ) {
    const id = AppointmentTypeId.make(yield* generator.uuid)
    return yield* settle<AppointmentType, NameInvalid | DurationInvalid | UnknownQuestionnaires>(
      Effect.gen(function* () {
        const facts = factsOf(staff, "appointment-type.created", `appointment-type:${id}`)
        const wanted = { ...input, questionnaireIds: withoutRepeats(input.questionnaireIds) }
        const problem = yield* typeProblem(staff, wanted)
        if (problem !== undefined) return yield* refuse(facts, problem)
        const type = new AppointmentType({
          id,
          clinicId: staff.clinicId,
          name: wanted.name.trim(),
          mode: wanted.mode,
          durationMinutes: wanted.durationMinutes,
          patientBooking: wanted.patientBooking,
          questionnaireIds: wanted.questionnaireIds
        })
        yield* schedule.saveType(type)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(type)
      })
    )
  })

  const updateAppointmentType = Effect.fn("ClinicSchedule.updateAppointmentType")(function* (
    staff: StaffPrincipal,
    typeId: AppointmentTypeId,
    changes: AppointmentTypeChanges
  ) {
    return yield* settle<AppointmentType, NotFound | NameInvalid | DurationInvalid | UnknownQuestionnaires>(
      Effect.gen(function* () {
        const facts = factsOf(staff, "appointment-type.updated", `appointment-type:${typeId}`)
        const found = yield* typeOf(staff, typeId)
        if (Option.isNone(found)) return yield* refuse(facts, new NotFound({ kind: "appointment-type" }))
        const current = found.value
        const wanted: AppointmentTypeInput = {
          name: changes.name ?? current.name,
          mode: changes.mode ?? current.mode,
          durationMinutes: changes.durationMinutes ?? current.durationMinutes,
          patientBooking: changes.patientBooking ?? current.patientBooking,
          questionnaireIds: withoutRepeats(changes.questionnaireIds ?? current.questionnaireIds)
        }
        const problem = yield* typeProblem(staff, wanted)
        if (problem !== undefined) return yield* refuse(facts, problem)
        const type = new AppointmentType({ ...current, ...wanted, name: wanted.name.trim() })
        yield* schedule.saveType(type)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(type)
      })
    )
  })

  const listBlockedPeriods = Effect.fn("ClinicSchedule.listBlockedPeriods")(function* (
    staff: StaffPrincipal,
    providerId: ProviderId,
    from: DateTime.Utc,
    to: DateTime.Utc
  ) {
    const provider = yield* providerOf(staff, providerId)
    if (Option.isNone(provider)) return yield* new NotFound({ kind: "provider" })
    const periods = yield* schedule.listBlocked(providerId, from, to)
    return [...periods].sort((a, b) => a.start.epochMilliseconds - b.start.epochMilliseconds)
  })

  const blockPeriod = Effect.fn("ClinicSchedule.blockPeriod")(function* (
    staff: StaffPrincipal,
    providerId: ProviderId,
    input: BlockInput
  ) {
    const id = BlockedPeriodId.make(yield* generator.uuid)
    return yield* settle<PeriodBlocked, NotFound | BlockedPeriodInvalid>(
      Effect.gen(function* () {
        const facts = factsOf(staff, "blocked-period.created", `blocked-period:${id}`)
        const provider = yield* providerOf(staff, providerId)
        if (Option.isNone(provider)) return yield* refuse(facts, new NotFound({ kind: "provider" }))
        if (!DateTime.isLessThan(input.start, input.end)) {
          return yield* refuse(facts, new BlockedPeriodInvalid({ start: input.start, end: input.end }))
        }
        const period = new BlockedPeriod({ id, providerId, start: input.start, end: input.end })
        yield* schedule.saveBlocked(period)
        const affected = yield* appointments.listActiveByProvider(providerId, input.start, input.end)
        yield* audit({ ...facts, outcome: "success" })
        // The affected appointments are patient data handed to staff: each patient's trail shows it.
        const patients: ReadonlyArray<PatientId> = [...new Set(affected.map((a) => a.patientId))]
        for (const patientId of patients) {
          yield* audit({
            ...facts,
            action: "appointment.listed",
            patientId,
            resource: `patient:${patientId}`,
            outcome: "success"
          })
        }
        return Result.succeed(new PeriodBlocked({ period, affected }))
      })
    )
  })

  const removeBlockedPeriod = Effect.fn("ClinicSchedule.removeBlockedPeriod")(function* (
    staff: StaffPrincipal,
    blockedPeriodId: BlockedPeriodId
  ) {
    return yield* settle<BlockedPeriod, BlockedPeriodNotFound>(
      Effect.gen(function* () {
        const facts = factsOf(staff, "blocked-period.removed", `blocked-period:${blockedPeriodId}`)
        const found = yield* schedule.findBlocked(blockedPeriodId)
        // A period belongs to the clinic of its provider.
        const owner = Option.isSome(found) ? yield* providerOf(staff, found.value.providerId) : Option.none()
        if (Option.isNone(found) || Option.isNone(owner)) {
          return yield* refuse(facts, new BlockedPeriodNotFound())
        }
        yield* schedule.removeBlocked(blockedPeriodId)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(found.value)
      })
    )
  })

  return ClinicSchedule.of({
    listProviders,
    createProvider,
    updateProvider,
    listAppointmentTypes,
    createAppointmentType,
    updateAppointmentType,
    listBlockedPeriods,
    blockPeriod,
    removeBlockedPeriod
  })
})
