/**
 * Scheduling: a provider's open slots, and the life of an appointment — a patient requests or
 * books, moves and cancels their own; staff book, confirm, move, cancel and complete. Every
 * change commits in one unit of work with its `AppointmentEvents` reactions, its notifications
 * (notice, reminders) and its audit event. A refused attempt (`SlotUnavailable`, `SlotTaken`,
 * `ChangeWindowClosed`) writes nothing but a failure event naming the error's tag. Staff list
 * the clinic's appointments a page at a time with `staffAppointments`; providers, types and
 * blocked periods are set up through `ClinicSchedule`; a patient reads whom and what they can
 * book with `listProviders` and `listAppointmentTypes`.
 */
import { Context, DateTime, Duration, Effect, Layer, Option, Schema } from "effect"
import { Appointment, type AppointmentStatus, AppointmentType, isActive, Provider } from "./Appointment.ts"
import { AppointmentEvents } from "./AppointmentEvents.ts"
import { type AppointmentKey, AppointmentRepo } from "./AppointmentRepo.ts"
import type { AuditAction } from "./AuditEvent.ts"
import { AuditLog } from "./AuditLog.ts"
import { openSlots, type Slot } from "./Availability.ts"
import { NotFound, type SlotTaken } from "./CareErrors.ts"
import { ClinicRepo } from "./Clinic.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import {
  AppointmentId,
  type AppointmentTypeId,
  type ClinicId,
  type PatientId,
  type ProviderId
} from "./Ids.ts"
import { makeAuditor } from "./internal/audit.ts"
import { InstantAndId, taggedCursor } from "./internal/cursor.ts"
import { InvalidCursor, InvalidPageSize } from "./Message.ts"
import { NotificationPayload, type NotificationTemplate } from "./Notification.ts"
import { Notifications } from "./Notifications.ts"
import type { Patient } from "./Patient.ts"
import { PatientRepo } from "./PatientRepo.ts"
import { ScheduleRepo } from "./ScheduleRepo.ts"
import {
  AppointmentNotChangeable,
  AppointmentRangeInvalid,
  AvailabilityRangeInvalid,
  ChangeWindowClosed,
  SlotUnavailable
} from "./SchedulingErrors.ts"
import { defaults, layer as policyLayerOf, SchedulingPolicy } from "./SchedulingPolicy.ts"
import type { PatientPrincipal } from "./Session.ts"
import { patientActor, type StaffPrincipal, staffActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** The scheduling rules' numbers; see `SchedulingPolicy.ts` (also for `layerConfig`). */
export { SchedulingPolicy }

/** The defaults: 24 h change window, reminders 48 h and 2 h before, availability for up to 62 days. */
export const schedulingDefaults: SchedulingPolicy = defaults

/** Provides a policy with some numbers changed and the rest at their defaults. */
export const policyLayer = (overrides: Partial<SchedulingPolicy>): Layer.Layer<never> =>
  policyLayerOf(overrides)

/** Who may read availability and move or cancel an appointment: the patient, or clinic staff. */
export type Caller = PatientPrincipal | StaffPrincipal

/** What a patient asks for: a provider, a type of visit and one of the open slots' starts. */
export interface AppointmentRequest {
  readonly providerId: ProviderId
  readonly typeId: AppointmentTypeId
  readonly start: DateTime.Utc
}

/** What staff book: as a patient's request, for a patient of the clinic. */
export interface StaffBooking extends AppointmentRequest {
  readonly patientId: PatientId
}

/** Appointments per page of `staffAppointments` when the caller does not say. */
export const DEFAULT_APPOINTMENT_PAGE_SIZE = 100

/** The most appointments one page of `staffAppointments` may hold. */
export const MAX_APPOINTMENT_PAGE_SIZE = 500

/** Which of the clinic's appointments staff want to see; each filter left out matches all. */
export interface StaffAppointmentFilter {
  readonly status?: AppointmentStatus | undefined
  readonly providerId?: ProviderId | undefined
  readonly patientId?: PatientId | undefined
  /** Appointments starting at or after this instant. */
  readonly from?: DateTime.Utc | undefined
  /** Appointments starting before this instant. */
  readonly to?: DateTime.Utc | undefined
  /** Appointments per page, 1 to `MAX_APPOINTMENT_PAGE_SIZE`; `DEFAULT_APPOINTMENT_PAGE_SIZE` when absent. */
  readonly limit?: number | undefined
  /** The `nextCursor` of the previous page; the first page when absent. */
  readonly cursor?: string | undefined
}

/** One page of the clinic's appointments, by start then id; `nextCursor` is null on the last. */
export interface StaffAppointmentPage {
  readonly appointments: ReadonlyArray<Appointment>
  readonly nextCursor: string | null
}

// Tagged "a1" as the cursors of `Patients.list` are "p1" (and `Messaging.list`'s "m1"), so
// another listing's cursor is refused: `["a1", start millis, id]`.
const appointmentCursor = taggedCursor({
  tag: "a1",
  fields: InstantAndId,
  maxLength: 1_000
})

/** An opaque cursor for the place after `key` in a clinic's appointments. */
export const encodeCursor = (key: AppointmentKey): string =>
  appointmentCursor.encode([DateTime.toEpochMillis(key.start), key.id])

/** The place a cursor stands for; `None` for anything `encodeCursor` did not produce. */
export const decodeCursor = (text: string): Option.Option<AppointmentKey> =>
  Option.flatMap(appointmentCursor.decode(text), ([millis, id]) =>
    Option.map(DateTime.make(millis), (start) => ({ start, id: AppointmentId.make(id) }))
  )

/**
 * A provider as a patient chooses one: whom to see, without the weekly hours or the meeting
 * link (`availability` answers when; `VirtualVisits.join` answers the link to a patient with
 * the visit's access code). A struct,
 * not a class, so the HTTP contract's type names it without importing this module.
 */
export const ProviderSummary = Schema.Struct({
  id: Provider.fields.id,
  name: Provider.fields.name
}).annotate({ identifier: "ProviderSummary" })
export type ProviderSummary = typeof ProviderSummary.Type

/**
 * An appointment type as a patient chooses one. The domain ties no type to providers: any
 * provider of the clinic can be asked for any of its types (`availability` tells whether they
 * have time for it), so there is no list of providers here. Questionnaires are left out: they
 * reach the patient as pre-visit tasks of the appointment.
 */
export const AppointmentTypeSummary = Schema.Struct({
  id: AppointmentType.fields.id,
  name: AppointmentType.fields.name,
  mode: AppointmentType.fields.mode,
  durationMinutes: AppointmentType.fields.durationMinutes,
  patientBooking: AppointmentType.fields.patientBooking
}).annotate({ identifier: "AppointmentTypeSummary" })
export type AppointmentTypeSummary = typeof AppointmentTypeSummary.Type

// Names as a person reads a list: accents and case aside, "Dr. 2" before "Dr. 10"; the id
// breaks ties so the order is total and the same on every call.
const nameCollator = new Intl.Collator("en", { sensitivity: "base", numeric: true })

const byName = <A extends { readonly id: string; readonly name: string }>(a: A, b: A): number =>
  nameCollator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The group key of an appointment's reminders, withdrawn together when it moves or is cancelled. */
export const reminderGroupKey = (id: AppointmentId): string => `appointment:${id}:reminders`

/** Providers' availability and the appointments of patients. */
export class Scheduling extends Context.Service<
  Scheduling,
  {
    /**
     * Open slots of a provider for a type, starting in `[from, to)`: the weekly hours cut into
     * slots, minus active appointments, blocked periods and the past (see `Availability`). A
     * provider or type of another clinic answers `NotFound`.
     */
    readonly availability: (
      caller: Caller,
      providerId: ProviderId,
      typeId: AppointmentTypeId,
      from: DateTime.Utc,
      to: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<Slot>, NotFound | AvailabilityRangeInvalid>
    /**
     * The providers of the caller's clinic, whom a patient can ask `availability` of, by name.
     * Not audited, as `availability` is not: a schedule holds no patient data.
     */
    readonly listProviders: (caller: Caller) => Effect.Effect<ReadonlyArray<ProviderSummary>>
    /**
     * The appointment types of the caller's clinic, by name: each with its mode, length and
     * whether a patient books it or requests it. Not audited: no patient data.
     */
    readonly listAppointmentTypes: (caller: Caller) => Effect.Effect<ReadonlyArray<AppointmentTypeSummary>>
    /**
     * Takes an open slot: `booked` when the type lets patients book, else `requested` for
     * staff to confirm. `SlotUnavailable` when the start is not an open slot at the time of
     * asking; `SlotTaken` when someone took it between that check and the write.
     */
    readonly request: (
      principal: PatientPrincipal,
      request: AppointmentRequest
    ) => Effect.Effect<Appointment, NotFound | SlotUnavailable | SlotTaken>
    /** The caller's appointments that have not ended (any status), soonest first. */
    readonly listUpcoming: (principal: PatientPrincipal) => Effect.Effect<ReadonlyArray<Appointment>>
    /** The caller's appointments that have ended, latest first. */
    readonly listPast: (principal: PatientPrincipal) => Effect.Effect<ReadonlyArray<Appointment>>
    /** One of the caller's appointments. */
    readonly get: (principal: PatientPrincipal, id: AppointmentId) => Effect.Effect<Appointment, NotFound>
    /**
     * Moves an active appointment (keeping its status). A patient moves only their own, only
     * to an open slot, and only until the change window before the current start; staff move
     * any of the clinic's to any time not in the past. Nobody can double-book.
     */
    readonly reschedule: (
      caller: Caller,
      id: AppointmentId,
      start: DateTime.Utc
    ) => Effect.Effect<
      Appointment,
      NotFound | AppointmentNotChangeable | ChangeWindowClosed | SlotUnavailable | SlotTaken
    >
    /** Cancels an active appointment; a patient only their own and only until the change window. */
    readonly cancel: (
      caller: Caller,
      id: AppointmentId
    ) => Effect.Effect<Appointment, NotFound | AppointmentNotChangeable | ChangeWindowClosed>
    /**
     * Staff book for a patient of the clinic: `booked`, at any time not in the past (staff may
     * book outside the weekly hours or over a blocked period), never over another active
     * appointment of the provider.
     */
    readonly book: (
      staff: StaffPrincipal,
      booking: StaffBooking
    ) => Effect.Effect<Appointment, NotFound | SlotUnavailable | SlotTaken>
    /** Staff confirm a request: `requested` → `booked`. */
    readonly confirm: (
      staff: StaffPrincipal,
      id: AppointmentId
    ) => Effect.Effect<Appointment, NotFound | AppointmentNotChangeable | SlotTaken>
    /**
     * One page of the staff member's clinic's appointments matching `filter` (e.g. `status:
     * "requested"` for the requests to confirm), by start then id. The cursor is a place, not
     * an offset, so bookings while staff page never shift or repeat later pages. A provider or
     * patient of another clinic answers `NotFound`; a range whose end is not after its start
     * `AppointmentRangeInvalid`; a page size out of range `InvalidPageSize`; a cursor this
     * listing did not hand out `InvalidCursor`. These refusals read nothing and are not
     * audited. Audited as `appointment.listed`: one event per patient on the page (so each
     * patient's trail shows the read), or one event when the page is empty.
     */
    readonly staffAppointments: (
      staff: StaffPrincipal,
      filter: StaffAppointmentFilter
    ) => Effect.Effect<
      StaffAppointmentPage,
      NotFound | AppointmentRangeInvalid | InvalidPageSize | InvalidCursor
    >
    /** Staff mark a booked appointment as having taken place. */
    readonly complete: (
      staff: StaffPrincipal,
      id: AppointmentId
    ) => Effect.Effect<Appointment, NotFound | AppointmentNotChangeable>
  }
>()("@careportal/domain/Scheduling") {
  /** The service on its ports. */
  static readonly layer = Layer.effect(
    Scheduling,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

const DAY_MS = 86_400_000

const isStaff = (caller: Caller): caller is StaffPrincipal => "staffId" in caller

/** The refusals that are audited as failure events: each is a caller's attempt turned down. */
const REFUSALS: ReadonlySet<string> = new Set(["SlotUnavailable", "SlotTaken", "ChangeWindowClosed"])

const isRefusal = <E extends { readonly _tag: string }>(error: E): boolean => REFUSALS.has(error._tag)

const make = Effect.gen(function* () {
  const policy = yield* SchedulingPolicy
  const clinics = yield* ClinicRepo
  const schedule = yield* ScheduleRepo
  const appointments = yield* AppointmentRepo
  const patients = yield* PatientRepo
  const events = yield* AppointmentEvents
  const notifications = yield* Notifications
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const audit = makeAuditor(yield* AuditLog, generator)

  const actorOf = (caller: Caller) => (isStaff(caller) ? staffActor(caller) : patientActor(caller))

  const record = (caller: Caller, action: AuditAction, appointment: Appointment) =>
    audit({
      clinicId: appointment.clinicId,
      actor: actorOf(caller),
      action,
      patientId: appointment.patientId,
      resource: `appointment:${appointment.id}`,
      outcome: "success"
    })

  /**
   * Audits the refusals a caller can act on (`SlotUnavailable`, `SlotTaken`,
   * `ChangeWindowClosed`) as failure events with the error's tag, then fails with the refusal.
   * Each of them writes nothing: it is decided before any unit, ends its unit before the first
   * write, or is the repository's refusal of that first write (`SlotTaken`). So the event is
   * committed in a unit of its own once the refused one has rolled back; it could not be
   * written inside it, as a database aborts a transaction whose insert broke the overlap
   * constraint, and an event written there would roll back with it.
   */
  const auditRefusals =
    (attempt: {
      readonly caller: Caller
      readonly action: AuditAction
      readonly patientId: PatientId
      readonly resource: string
    }) =>
    <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.catchIf(effect, isRefusal, (error) =>
        Effect.andThen(
          uow.transaction(
            audit({
              clinicId: attempt.caller.clinicId,
              actor: actorOf(attempt.caller),
              action: attempt.action,
              patientId: attempt.patientId,
              resource: attempt.resource,
              outcome: "failure",
              reason: error._tag
            })
          ),
          Effect.fail(error)
        )
      )

  const providerOf = (clinicId: ClinicId, id: ProviderId) =>
    Effect.flatMap(schedule.findProvider(id), (found) =>
      Option.isSome(found) && found.value.clinicId === clinicId
        ? Effect.succeed(found.value)
        : Effect.fail(new NotFound({ kind: "provider" }))
    )

  const typeOf = (clinicId: ClinicId, id: AppointmentTypeId) =>
    Effect.flatMap(schedule.findType(id), (found) =>
      Option.isSome(found) && found.value.clinicId === clinicId
        ? Effect.succeed(found.value)
        : Effect.fail(new NotFound({ kind: "appointment-type" }))
    )

  const patientOf = (clinicId: ClinicId, id: PatientId) =>
    Effect.flatMap(patients.findById(id), (found) =>
      Option.isSome(found) && found.value.clinicId === clinicId
        ? Effect.succeed(found.value)
        : Effect.fail(new NotFound({ kind: "patient" }))
    )

  const zoneOf = (clinicId: ClinicId) =>
    Effect.flatMap(clinics.findById(clinicId), (found) => {
      if (Option.isNone(found)) return Effect.fail(new NotFound({ kind: "clinic" }))
      const zone = DateTime.zoneMakeNamed(found.value.timeZone)
      // The clinic's schema admits only zones this runtime knows.
      return Option.isSome(zone)
        ? Effect.succeed(zone.value)
        : Effect.die(new Error(`unknown time zone ${found.value.timeZone}`))
    })

  /** The caller's appointment: a patient's own, or any of a staff member's clinic; else NotFound, as if missing. */
  const appointmentFor = (caller: Caller, id: AppointmentId) =>
    Effect.flatMap(appointments.findById(id), (found) =>
      Option.isSome(found) &&
      found.value.clinicId === caller.clinicId &&
      (isStaff(caller) || found.value.patientId === caller.patientId)
        ? Effect.succeed(found.value)
        : Effect.fail(new NotFound({ kind: "appointment" }))
    )

  /** Open slots starting in `[from, to)`, not counting the appointment `exclude` (one being moved). */
  const freeSlots = (
    provider: Provider,
    type: AppointmentType,
    timeZone: DateTime.TimeZone,
    from: DateTime.Utc,
    to: DateTime.Utc,
    exclude?: AppointmentId
  ) =>
    Effect.gen(function* () {
      const now = yield* DateTime.now
      // A slot starting just before `to` reaches up to a duration past it.
      const until = DateTime.add(to, { minutes: type.durationMinutes })
      const booked = (yield* appointments.listActiveByProvider(provider.id, from, until)).filter(
        (a) => a.id !== exclude
      )
      const blocked = yield* schedule.listBlocked(provider.id, from, until)
      return openSlots({
        timeZone,
        weeklyHours: provider.weeklyHours,
        durationMinutes: type.durationMinutes,
        from,
        to,
        now,
        busy: [...booked, ...blocked]
      })
    })

  /**
   * Fails unless `start` is an open slot now. This reads committed state before the unit of
   * work; two callers who both pass it race at the write, where the repository's atomic
   * overlap check lets one through and answers the others `SlotTaken`.
   */
  const requireOpen = (
    provider: Provider,
    type: AppointmentType,
    start: DateTime.Utc,
    exclude?: AppointmentId
  ) =>
    Effect.gen(function* () {
      const zone = yield* zoneOf(provider.clinicId)
      const slots = yield* freeSlots(
        provider,
        type,
        zone,
        start,
        DateTime.add(start, { milliseconds: 1 }),
        exclude
      )
      if (!slots.some((slot) => slot.start.epochMilliseconds === start.epochMilliseconds)) {
        return yield* new SlotUnavailable({ start })
      }
    })

  /** Staff are bound by no schedule, only by the clock (and the repository's overlap rule). */
  const requireFuture = (start: DateTime.Utc) =>
    Effect.flatMap(DateTime.now, (now) =>
      DateTime.isLessThan(start, now) ? Effect.fail(new SlotUnavailable({ start })) : Effect.void
    )

  /** Whether the caller may still change the appointment: it is active and, for a patient, outside the window. */
  const requireChangeable = (caller: Caller, appointment: Appointment, now: DateTime.Utc) => {
    if (!isActive(appointment))
      return Effect.fail(new AppointmentNotChangeable({ status: appointment.status }))
    const closesAt = DateTime.subtractDuration(appointment.start, policy.changeWindow)
    if (!isStaff(caller) && !DateTime.isLessThan(now, closesAt)) {
      return Effect.fail(
        new ChangeWindowClosed({
          startsAt: appointment.start,
          windowMinutes: Math.round(Duration.toMinutes(policy.changeWindow))
        })
      )
    }
    return Effect.void
  }

  const requireStatus = (appointment: Appointment, status: AppointmentStatus) =>
    appointment.status === status
      ? Effect.void
      : Effect.fail(new AppointmentNotChangeable({ status: appointment.status }))

  /** An appointment that holds no slot cannot collide, so `SlotTaken` here would be a bug. */
  const saveInactive = (appointment: Appointment) => Effect.orDie(appointments.save(appointment))

  const payloadOf = (appointment: Appointment) =>
    new NotificationPayload({
      startsAt: appointment.start,
      endsAt: appointment.end,
      path: `/appointments/${appointment.id}`
    })

  // Keys carry a per-change id, so a second move's notices and reminders never reuse the first's.
  const notify = (
    patient: Patient,
    template: NotificationTemplate,
    appointment: Appointment,
    change: string
  ) =>
    notifications.queue({
      patient,
      template,
      payload: payloadOf(appointment),
      key: `appointment:${appointment.id}:${change}:${template}`
    })

  const queueReminders = (patient: Patient, appointment: Appointment, change: string, now: DateTime.Utc) =>
    Effect.forEach(
      policy.reminderLeads,
      (lead) => {
        const notBefore = DateTime.subtractDuration(appointment.start, lead)
        if (DateTime.isLessThan(notBefore, now)) return Effect.void
        return notifications.queue({
          patient,
          template: "appointment-reminder",
          payload: payloadOf(appointment),
          key: `appointment:${appointment.id}:${change}:reminder-${Duration.toMillis(lead)}ms`,
          notBefore,
          groupKey: reminderGroupKey(appointment.id)
        })
      },
      { discard: true }
    )

  /** The writes of a new booking, in the caller's unit of work. */
  const announceBooked = (patient: Patient, appointment: Appointment, change: string, now: DateTime.Utc) =>
    Effect.gen(function* () {
      yield* events.booked(appointment)
      yield* notify(patient, "appointment-booked", appointment, change)
      yield* queueReminders(patient, appointment, change, now)
    })

  /** Creates an appointment in one unit of work: the record, its reactions, notifications and audit event. */
  const create = (
    caller: Caller,
    patient: Patient,
    provider: Provider,
    type: AppointmentType,
    start: DateTime.Utc,
    status: "requested" | "booked"
  ) =>
    Effect.gen(function* () {
      const id = AppointmentId.make(yield* generator.uuid)
      const change = yield* generator.uuid
      return yield* uow.transaction(
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const appointment = new Appointment({
            id,
            clinicId: patient.clinicId,
            patientId: patient.id,
            providerId: provider.id,
            typeId: type.id,
            mode: type.mode,
            start,
            end: DateTime.add(start, { minutes: type.durationMinutes }),
            status,
            createdAt: now,
            updatedAt: now
          })
          yield* appointments.save(appointment)
          if (status === "booked") {
            yield* announceBooked(patient, appointment, change, now)
          } else {
            yield* notify(patient, "appointment-requested", appointment, change)
          }
          yield* record(
            caller,
            status === "booked" ? "appointment.booked" : "appointment.requested",
            appointment
          )
          return appointment
        })
      )
    })

  const availability = Effect.fn("Scheduling.availability")(function* (
    caller: Caller,
    providerId: ProviderId,
    typeId: AppointmentTypeId,
    from: DateTime.Utc,
    to: DateTime.Utc
  ) {
    const maxDays = policy.maxAvailabilityDays
    if (!DateTime.isLessThan(from, to))
      return yield* new AvailabilityRangeInvalid({ reason: "empty", maxDays })
    if (to.epochMilliseconds - from.epochMilliseconds > maxDays * DAY_MS) {
      return yield* new AvailabilityRangeInvalid({ reason: "too-long", maxDays })
    }
    const provider = yield* providerOf(caller.clinicId, providerId)
    const type = yield* typeOf(caller.clinicId, typeId)
    const zone = yield* zoneOf(caller.clinicId)
    // No audit: availability carries no patient data.
    return yield* freeSlots(provider, type, zone, from, to)
  })

  // No audit, as for `availability`: providers and types carry no patient data.
  const listProviders = Effect.fn("Scheduling.listProviders")(function* (caller: Caller) {
    const found = yield* schedule.listProviders(caller.clinicId)
    return found.map((p): ProviderSummary => ({ id: p.id, name: p.name })).sort(byName)
  })

  const listAppointmentTypes = Effect.fn("Scheduling.listAppointmentTypes")(function* (caller: Caller) {
    const found = yield* schedule.listTypes(caller.clinicId)
    return found
      .map(
        (t): AppointmentTypeSummary => ({
          id: t.id,
          name: t.name,
          mode: t.mode,
          durationMinutes: t.durationMinutes,
          patientBooking: t.patientBooking
        })
      )
      .sort(byName)
  })

  const request = Effect.fn("Scheduling.request")(function* (
    principal: PatientPrincipal,
    input: AppointmentRequest
  ) {
    const provider = yield* providerOf(principal.clinicId, input.providerId)
    const type = yield* typeOf(principal.clinicId, input.typeId)
    const patient = yield* patientOf(principal.clinicId, principal.patientId)
    const status = type.patientBooking === "book" ? "booked" : "requested"
    return yield* Effect.andThen(
      requireOpen(provider, type, input.start),
      create(principal, patient, provider, type, input.start, status)
    ).pipe(
      auditRefusals({
        caller: principal,
        action: status === "booked" ? "appointment.booked" : "appointment.requested",
        patientId: patient.id,
        resource: `provider:${provider.id}`
      })
    )
  })

  const book = Effect.fn("Scheduling.book")(function* (staff: StaffPrincipal, input: StaffBooking) {
    const provider = yield* providerOf(staff.clinicId, input.providerId)
    const type = yield* typeOf(staff.clinicId, input.typeId)
    const patient = yield* patientOf(staff.clinicId, input.patientId)
    return yield* Effect.andThen(
      requireFuture(input.start),
      create(staff, patient, provider, type, input.start, "booked")
    ).pipe(
      auditRefusals({
        caller: staff,
        action: "appointment.booked",
        patientId: patient.id,
        resource: `provider:${provider.id}`
      })
    )
  })

  const listOwn = (principal: PatientPrincipal, upcoming: boolean) =>
    Effect.gen(function* () {
      const now = yield* DateTime.now
      const own = (yield* appointments.listByPatient(principal.patientId)).filter(
        (a) => a.clinicId === principal.clinicId && DateTime.isGreaterThan(a.end, now) === upcoming
      )
      yield* audit({
        clinicId: principal.clinicId,
        actor: patientActor(principal),
        action: "appointment.listed",
        patientId: principal.patientId,
        resource: `patient:${principal.patientId}`,
        outcome: "success"
      })
      return upcoming ? own : [...own].reverse()
    })

  const listUpcoming = Effect.fn("Scheduling.listUpcoming")(function* (principal: PatientPrincipal) {
    return yield* listOwn(principal, true)
  })

  const listPast = Effect.fn("Scheduling.listPast")(function* (principal: PatientPrincipal) {
    return yield* listOwn(principal, false)
  })

  const get = Effect.fn("Scheduling.get")(function* (principal: PatientPrincipal, id: AppointmentId) {
    const appointment = yield* appointmentFor(principal, id)
    yield* record(principal, "appointment.read", appointment)
    return appointment
  })

  const reschedule = Effect.fn("Scheduling.reschedule")(function* (
    caller: Caller,
    id: AppointmentId,
    start: DateTime.Utc
  ) {
    const current = yield* appointmentFor(caller, id)
    return yield* Effect.gen(function* () {
      // Refuse a closed window before looking at slots: that is the reason the patient needs.
      yield* requireChangeable(caller, current, yield* DateTime.now)
      const provider = yield* providerOf(caller.clinicId, current.providerId)
      const type = yield* typeOf(caller.clinicId, current.typeId)
      const patient = yield* patientOf(current.clinicId, current.patientId)
      if (isStaff(caller)) yield* requireFuture(start)
      else yield* requireOpen(provider, type, start, current.id)
      const change = yield* generator.uuid
      return yield* uow.transaction(
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const before = yield* appointmentFor(caller, id)
          yield* requireChangeable(caller, before, now)
          const after = new Appointment({
            ...before,
            start,
            end: DateTime.add(start, { minutes: type.durationMinutes }),
            updatedAt: now
          })
          yield* appointments.save(after)
          yield* events.rescheduled(before, after)
          // Withdraw first: the new reminders share the group key.
          yield* notifications.withdraw(reminderGroupKey(id))
          yield* notify(patient, "appointment-rescheduled", after, change)
          if (after.status === "booked") yield* queueReminders(patient, after, change, now)
          yield* record(caller, "appointment.rescheduled", after)
          return after
        })
      )
    }).pipe(
      auditRefusals({
        caller,
        action: "appointment.rescheduled",
        patientId: current.patientId,
        resource: `appointment:${id}`
      })
    )
  })

  const cancel = Effect.fn("Scheduling.cancel")(function* (caller: Caller, id: AppointmentId) {
    const current = yield* appointmentFor(caller, id)
    const patient = yield* patientOf(current.clinicId, current.patientId)
    const change = yield* generator.uuid
    return yield* uow
      .transaction(
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const before = yield* appointmentFor(caller, id)
          yield* requireChangeable(caller, before, now)
          const cancelled = new Appointment({ ...before, status: "cancelled", updatedAt: now })
          yield* saveInactive(cancelled)
          yield* events.cancelled(cancelled)
          yield* notifications.withdraw(reminderGroupKey(id))
          yield* notify(patient, "appointment-cancelled", cancelled, change)
          yield* record(caller, "appointment.cancelled", cancelled)
          return cancelled
        })
      )
      .pipe(
        auditRefusals({
          caller,
          action: "appointment.cancelled",
          patientId: current.patientId,
          resource: `appointment:${id}`
        })
      )
  })

  const confirm = Effect.fn("Scheduling.confirm")(function* (staff: StaffPrincipal, id: AppointmentId) {
    const current = yield* appointmentFor(staff, id)
    const patient = yield* patientOf(current.clinicId, current.patientId)
    const change = yield* generator.uuid
    return yield* uow.transaction(
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const before = yield* appointmentFor(staff, id)
        yield* requireStatus(before, "requested")
        const booked = new Appointment({ ...before, status: "booked", updatedAt: now })
        yield* appointments.save(booked)
        yield* announceBooked(patient, booked, change, now)
        yield* record(staff, "appointment.confirmed", booked)
        return booked
      })
    )
  })

  const staffAppointments = Effect.fn("Scheduling.staffAppointments")(function* (
    staff: StaffPrincipal,
    filter: StaffAppointmentFilter
  ) {
    const { from, to } = filter
    if (from !== undefined && to !== undefined && !DateTime.isLessThan(from, to)) {
      return yield* new AppointmentRangeInvalid({ from, to })
    }
    const limit = filter.limit ?? DEFAULT_APPOINTMENT_PAGE_SIZE
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_APPOINTMENT_PAGE_SIZE) {
      return yield* new InvalidPageSize({ limit, max: MAX_APPOINTMENT_PAGE_SIZE })
    }
    const after = filter.cursor === undefined ? Option.none<AppointmentKey>() : decodeCursor(filter.cursor)
    if (filter.cursor !== undefined && Option.isNone(after)) return yield* new InvalidCursor()
    if (filter.providerId !== undefined) yield* providerOf(staff.clinicId, filter.providerId)
    if (filter.patientId !== undefined) yield* patientOf(staff.clinicId, filter.patientId)
    return yield* uow.transaction(
      Effect.gen(function* () {
        // One more than asked tells whether another page follows.
        const found = yield* appointments.listByClinic({
          clinicId: staff.clinicId,
          status: filter.status,
          providerId: filter.providerId,
          patientId: filter.patientId,
          from,
          to,
          after: Option.getOrUndefined(after),
          limit: limit + 1
        })
        const page = found.slice(0, limit)
        const last = page.at(-1)
        const readOf = [...new Set(page.map((a) => a.patientId))]
        const facts = { clinicId: staff.clinicId, actor: staffActor(staff), action: "appointment.listed" }
        if (readOf.length === 0) {
          const patientId = filter.patientId ?? null
          yield* audit({
            ...facts,
            patientId,
            resource: patientId === null ? `clinic:${staff.clinicId}` : `patient:${patientId}`,
            outcome: "success"
          })
        }
        for (const patientId of readOf) {
          yield* audit({ ...facts, patientId, resource: `patient:${patientId}`, outcome: "success" })
        }
        return {
          appointments: page,
          nextCursor: found.length > limit && last !== undefined ? encodeCursor(last) : null
        } satisfies StaffAppointmentPage
      })
    )
  })

  const complete = Effect.fn("Scheduling.complete")(function* (staff: StaffPrincipal, id: AppointmentId) {
    return yield* uow.transaction(
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const before = yield* appointmentFor(staff, id)
        yield* requireStatus(before, "booked")
        const completed = new Appointment({ ...before, status: "completed", updatedAt: now })
        yield* saveInactive(completed)
        // A visit completed early must not be reminded of afterwards.
        yield* notifications.withdraw(reminderGroupKey(id))
        yield* record(staff, "appointment.completed", completed)
        return completed
      })
    )
  })

  return Scheduling.of({
    availability,
    listProviders,
    listAppointmentTypes,
    request,
    listUpcoming,
    listPast,
    get,
    reschedule,
    cancel,
    book,
    confirm,
    complete,
    staffAppointments
  })
})
