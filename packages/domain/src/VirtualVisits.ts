/**
 * Virtual visits: a booked virtual appointment gets an access code, sent shortly before the
 * visit; the code, typed on the join page, tells the patient where the video room is from a
 * little before the start until the end. The code is the credential (the patient need not be
 * logged in), so it is case-sensitive, drawn from the unambiguous alphabet and stored only as
 * an HMAC.
 *
 * Guessing is not throttled here: a code names no challenge that could be locked, and locking
 * by patient would let a stranger lock a patient out. The HTTP edge must rate-limit
 * `POST /v1/virtual-visits/join` per client (46 bits per 8-character code make guessing hopeless
 * at any sane rate).
 */
import { Context, DateTime, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { type Appointment, AppointmentStatus } from "./Appointment.ts"
import type { AppointmentEventHandlers } from "./AppointmentEvents.ts"
import { AppointmentRepo } from "./AppointmentRepo.ts"
import { Actor, type AuditAction } from "./AuditEvent.ts"
import { AuditLog } from "./AuditLog.ts"
import { NotFound } from "./CareErrors.ts"
import { CodeGenerator, UNAMBIGUOUS } from "./CodeGenerator.ts"
import { Hasher } from "./Hasher.ts"
import { AppointmentId, type ClinicId, type PatientId } from "./Ids.ts"
import { makeAuditor } from "./internal/audit.ts"
import { NotificationPayload } from "./Notification.ts"
import { Notifications } from "./Notifications.ts"
import { PatientRepo } from "./PatientRepo.ts"
import { ScheduleRepo } from "./ScheduleRepo.ts"
import { type StaffPrincipal, staffActor, systemActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"
import { VISIT_CODE_CONTEXT, VirtualVisitStore, VisitCode, VisitCodeId } from "./VirtualVisit.ts"

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/** The virtual-visit rules' numbers. Defaults are those of DESIGN.md's rules table. */
export interface VirtualVisitPolicy {
  /** Characters in an access code (from `UNAMBIGUOUS`). */
  readonly codeLength: number
  /** How long before the start the code's notification is sent. */
  readonly codeLeadTime: Duration.Duration
  /** How long before the start `join` begins to answer with the meeting room. */
  readonly joinOpensBefore: Duration.Duration
}

/** The defaults: 8 characters, sent 5 min before, open from 15 min before the start. */
export const defaultPolicy: VirtualVisitPolicy = {
  codeLength: 8,
  codeLeadTime: Duration.minutes(5),
  joinOpensBefore: Duration.minutes(15)
}

/** The policy in force: a reference with the defaults, so nothing needs to provide it. */
export const VirtualVisitPolicy = Context.Reference<VirtualVisitPolicy>(
  "@careportal/domain/VirtualVisitPolicy",
  {
    defaultValue: () => defaultPolicy
  }
)

/** Provides a policy with some numbers changed and the rest at their defaults. */
export const policyLayer = (overrides: Partial<VirtualVisitPolicy>): Layer.Layer<never> => {
  const policy = { ...defaultPolicy, ...overrides }
  if (!Number.isInteger(policy.codeLength) || policy.codeLength < 6) {
    throw new RangeError(
      `VirtualVisitPolicy.codeLength must be an integer of at least 6, got ${policy.codeLength}`
    )
  }
  return Layer.succeed(VirtualVisitPolicy, policy)
}

// ---------------------------------------------------------------------------------------------
// Errors and answers
// ---------------------------------------------------------------------------------------------

/**
 * The code opens no visit: unknown, replaced by a newer one, or its visit was cancelled. One
 * error for all three, so a guess learns nothing.
 */
export class AccessCodeInvalid extends Schema.TaggedError<AccessCodeInvalid>()("AccessCodeInvalid", {}) {
  override get message() {
    return "That access code does not open a visit. Use the code in the clinic's latest message (a new code replaces older ones) and type it exactly, capital and small letters included."
  }
}

/** Too early: the visit's room opens at `opensAt`. */
export class VisitNotOpenYet extends Schema.TaggedError<VisitNotOpenYet>()("VisitNotOpenYet", {
  opensAt: Schema.DateTimeUtc,
  startsAt: Schema.DateTimeUtc
}) {
  override get message() {
    const minutes = Math.round(
      (DateTime.toEpochMillis(this.startsAt) - DateTime.toEpochMillis(this.opensAt)) / 60_000
    )
    return `Your visit is not open yet. You can join from ${DateTime.formatIso(this.opensAt)}, ${minutes} minutes before it starts; come back then with the same code.`
  }
}

/** The visit is over (its end has passed, or the clinic marked it completed). */
export class VisitEnded extends Schema.TaggedError<VisitEnded>()("VisitEnded", {
  endedAt: Schema.DateTimeUtc
}) {
  override get message() {
    return "This visit has ended. If you still need to be seen, contact the clinic or book another appointment."
  }
}

/** The provider has no meeting room on file, so there is nowhere to send the patient. */
export class MeetingUrlMissing extends Schema.TaggedError<MeetingUrlMissing>()("MeetingUrlMissing", {}) {
  override get message() {
    return "The video room for this visit is not set up yet. Please call the clinic; they will tell you how to join."
  }
}

/** Staff: only a booked virtual visit has an access code to resend. */
export class VisitNotBooked extends Schema.TaggedError<VisitNotBooked>()("VisitNotBooked", {
  status: AppointmentStatus
}) {
  override get message() {
    return `This appointment is ${this.status}; an access code can be sent only for a booked virtual visit. Confirm or rebook it first.`
  }
}

/** How to join: the provider's meeting room, and the visit's times. */
export class VisitJoin extends Schema.Class<VisitJoin>("VisitJoin")({
  appointmentId: AppointmentId,
  meetingUrl: Schema.String,
  startsAt: Schema.DateTimeUtc,
  endsAt: Schema.DateTimeUtc
}) {}

/** A new access code was issued and its notifications queued (`notifications`: how many, over all channels). */
export class VisitCodeSent extends Schema.Class<VisitCodeSent>("VisitCodeSent")({
  appointmentId: AppointmentId,
  issuedAt: Schema.DateTimeUtc,
  notifications: Schema.Int
}) {}

/** Where the notification's link leads: the page where the code is typed. */
export const JOIN_PATH = "/virtual-visits/join"

/**
 * The group of a visit's code notifications: withdrawn whenever the code changes or the visit
 * is cancelled. Its own group, not the appointment's reminders, so that a resend can withdraw
 * the notice carrying the old code without withdrawing the 48 h / 2 h reminders.
 */
export const codeGroupKey = (appointmentId: AppointmentId) => `appointment:${appointmentId}:virtual-visit`

/** The context a code is sealed under in the outbox (bound to the one code record). */
export const sealContext = (id: VisitCodeId) => `visit-code:${id}`

/** Longest input `join` hashes; anything longer cannot be a code. */
const MAX_ENTRY_LENGTH = 64

/** Draws of a fresh code before giving up; a clash is ~1 in 10^13 per draw. */
const MAX_DRAWS = 5

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

/** Virtual-visit access codes: issuing, resending and joining. */
export class VirtualVisits extends Context.Service<
  VirtualVisits,
  {
    /**
     * Whoever holds a valid code learns how to join, from `joinOpensBefore` before the start
     * (inclusive) until the end (exclusive: at the end instant the visit has ended).
     */
    readonly join: (
      code: Redacted.Redacted<string>
    ) => Effect.Effect<VisitJoin, AccessCodeInvalid | VisitNotOpenYet | VisitEnded | MeetingUrlMissing>
    /**
     * Staff: issues a new code for a booked virtual visit, which replaces the old one, and
     * sends it now (and again `codeLeadTime` before the start, when that is still ahead).
     */
    readonly resendCode: (
      staff: StaffPrincipal,
      appointmentId: AppointmentId
    ) => Effect.Effect<VisitCodeSent, NotFound | VisitNotBooked | VisitEnded>
    /**
     * What booking, moving and cancelling do to a virtual visit's code; Scheduling runs them
     * inside its unit of work. Booked: a code, its notice queued `codeLeadTime` before the
     * start. Rescheduled: the old code and notice are replaced. Cancelled: the code stops
     * working and its notice is withdrawn.
     */
    readonly handlers: AppointmentEventHandlers
  }
>()("@careportal/domain/VirtualVisits") {
  /** The service on its ports. */
  static readonly layer = Layer.effect(
    VirtualVisits,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

const anonymous = new Actor({ kind: "anonymous" })

interface Send {
  readonly notBefore: DateTime.Utc
  /** Distinguishes the notices of one code in their idempotency keys. */
  readonly suffix: string
}

const make = Effect.gen(function* () {
  const policy = yield* VirtualVisitPolicy
  const store = yield* VirtualVisitStore
  const appointments = yield* AppointmentRepo
  const schedule = yield* ScheduleRepo
  const patients = yield* PatientRepo
  const notifications = yield* Notifications
  const generator = yield* CodeGenerator
  const hasher = yield* Hasher
  const uow = yield* UnitOfWork
  const audit = makeAuditor(yield* AuditLog, generator)

  const reminderAt = (appointment: Appointment) =>
    DateTime.subtractDuration(appointment.start, policy.codeLeadTime)

  /** Issues a code (superseding the appointment's older ones), queues its notices and audits it. */
  const issueCode = (
    appointment: Appointment,
    actor: Actor,
    action: AuditAction,
    sends: ReadonlyArray<Send>
  ) =>
    Effect.gen(function* () {
      const patient = yield* patients.findById(appointment.patientId)
      if (Option.isNone(patient)) {
        return yield* Effect.die(
          new Error(`appointment ${appointment.id} names unknown patient ${appointment.patientId}`)
        )
      }
      const now = yield* DateTime.now
      let issued: { readonly record: VisitCode; readonly code: Redacted.Redacted<string> } | undefined
      for (let draw = 0; draw < MAX_DRAWS && issued === undefined; draw++) {
        const code = yield* generator.code(UNAMBIGUOUS, policy.codeLength)
        const record = new VisitCode({
          id: VisitCodeId.make(yield* generator.uuid),
          appointmentId: appointment.id,
          clinicId: appointment.clinicId,
          patientId: appointment.patientId,
          codeHash: yield* hasher.hashCode(VISIT_CODE_CONTEXT, code),
          status: "active",
          issuedAt: now,
          endedAt: null
        })
        if (yield* store.issue(record)) issued = { record, code }
      }
      if (issued === undefined) {
        return yield* Effect.die(new Error(`no unused visit code after ${MAX_DRAWS} draws`))
      }
      const context = sealContext(issued.record.id)
      const sealed = yield* hasher.seal(context, issued.code)
      let queued = 0
      for (const send of sends) {
        const notes = yield* notifications.queue({
          patient: patient.value,
          template: "virtual-visit-code",
          payload: new NotificationPayload({
            startsAt: appointment.start,
            path: JOIN_PATH,
            code: sealed,
            codeContext: context
          }),
          key: `visit-code:${issued.record.id}${send.suffix}`,
          notBefore: send.notBefore,
          groupKey: codeGroupKey(appointment.id)
        })
        queued += notes.length
      }
      yield* audit({
        clinicId: appointment.clinicId,
        actor,
        action,
        patientId: appointment.patientId,
        resource: `appointment:${appointment.id}`,
        outcome: "success"
      })
      return new VisitCodeSent({ appointmentId: appointment.id, issuedAt: now, notifications: queued })
    })

  /** Ends a visit's codes and withdraws their pending notices. */
  const revokeCodes = (appointment: Appointment) =>
    Effect.gen(function* () {
      yield* notifications.withdraw(codeGroupKey(appointment.id))
      const revoked = yield* store.revoke(appointment.id, yield* DateTime.now)
      if (revoked.length > 0) {
        yield* audit({
          clinicId: appointment.clinicId,
          actor: systemActor,
          action: "visit.code-revoked",
          patientId: appointment.patientId,
          resource: `appointment:${appointment.id}`,
          outcome: "success"
        })
      }
    })

  /** The scheduled notice: `codeLeadTime` before the start, or now when that has passed. */
  const scheduledSend = (appointment: Appointment) =>
    Effect.map(
      DateTime.now,
      (now): Send => ({ notBefore: DateTime.max(now, reminderAt(appointment)), suffix: "" })
    )

  const onBooked = Effect.fn("VirtualVisits.onBooked")(function* (appointment: Appointment) {
    if (appointment.mode !== "virtual" || appointment.status !== "booked") return
    // Idempotent: a visit that already has a working code keeps it.
    const codes = yield* store.listByAppointment(appointment.id)
    if (codes.some((c) => c.status === "active")) return
    yield* issueCode(appointment, systemActor, "visit.code-issued", [yield* scheduledSend(appointment)])
  })

  const onRescheduled = Effect.fn("VirtualVisits.onRescheduled")(function* (
    before: Appointment,
    after: Appointment
  ) {
    if (before.mode !== "virtual" && after.mode !== "virtual") return
    if (after.mode === "virtual" && after.status === "booked") {
      // The old notice names the old time and code: withdraw it; the new code supersedes the old.
      yield* notifications.withdraw(codeGroupKey(after.id))
      yield* issueCode(after, systemActor, "visit.code-issued", [yield* scheduledSend(after)])
    } else {
      yield* revokeCodes(after)
    }
  })

  const onCancelled = Effect.fn("VirtualVisits.onCancelled")(function* (appointment: Appointment) {
    yield* revokeCodes(appointment)
  })

  const join = Effect.fn("VirtualVisits.join")(function* (code: Redacted.Redacted<string>) {
    const entered = Redacted.value(code).trim()
    if (entered.length === 0 || entered.length > MAX_ENTRY_LENGTH) return yield* new AccessCodeInvalid()
    // Looked up by its HMAC: an attacker cannot compute a hash, so the lookup's timing tells nothing.
    const found = yield* store.findByHash(yield* hasher.hashCode(VISIT_CODE_CONTEXT, Redacted.make(entered)))
    if (Option.isNone(found)) return yield* new AccessCodeInvalid()
    const visitCode = found.value
    const refuse = <E extends { readonly _tag: string }>(error: E) =>
      Effect.andThen(
        joinAudit(visitCode.clinicId, visitCode.patientId, visitCode.appointmentId, "failure", error._tag),
        Effect.fail(error)
      )
    if (visitCode.status !== "active") return yield* refuse(new AccessCodeInvalid())
    const appointment = yield* appointments.findById(visitCode.appointmentId)
    if (Option.isNone(appointment)) return yield* refuse(new AccessCodeInvalid())
    const visit = appointment.value
    if (visit.status === "cancelled" || visit.status === "requested")
      return yield* refuse(new AccessCodeInvalid())
    const now = yield* DateTime.now
    if (visit.status === "completed" || DateTime.isGreaterThanOrEqualTo(now, visit.end)) {
      return yield* refuse(new VisitEnded({ endedAt: visit.end }))
    }
    const opensAt = DateTime.subtractDuration(visit.start, policy.joinOpensBefore)
    if (DateTime.isLessThan(now, opensAt)) {
      return yield* refuse(new VisitNotOpenYet({ opensAt, startsAt: visit.start }))
    }
    const provider = yield* schedule.findProvider(visit.providerId)
    const meetingUrl = Option.flatMap(provider, (p) => Option.fromUndefinedOr(p.meetingUrl))
    if (Option.isNone(meetingUrl)) return yield* refuse(new MeetingUrlMissing())
    yield* joinAudit(visit.clinicId, visit.patientId, visit.id, "success")
    return new VisitJoin({
      appointmentId: visit.id,
      meetingUrl: meetingUrl.value,
      startsAt: visit.start,
      endsAt: visit.end
    })
  })

  const joinAudit = (
    clinicId: ClinicId,
    patientId: PatientId,
    appointmentId: AppointmentId,
    outcome: "success" | "failure",
    reason?: string
  ) =>
    audit({
      clinicId,
      actor: anonymous,
      action: "visit.joined",
      patientId,
      resource: `appointment:${appointmentId}`,
      outcome,
      ...(reason === undefined ? {} : { reason })
    })

  const resendCode = Effect.fn("VirtualVisits.resendCode")(
    function* (staff: StaffPrincipal, appointmentId: AppointmentId) {
      const found = yield* appointments.findById(appointmentId)
      if (Option.isNone(found) || found.value.clinicId !== staff.clinicId) {
        return yield* new NotFound({ kind: "appointment" })
      }
      const appointment = found.value
      if (appointment.mode !== "virtual") return yield* new NotFound({ kind: "virtual-visit" })
      if (appointment.status === "completed") return yield* new VisitEnded({ endedAt: appointment.end })
      if (appointment.status !== "booked") return yield* new VisitNotBooked({ status: appointment.status })
      const now = yield* DateTime.now
      if (DateTime.isGreaterThanOrEqualTo(now, appointment.end)) {
        return yield* new VisitEnded({ endedAt: appointment.end })
      }
      const sends: Array<Send> = [{ notBefore: now, suffix: ":resent" }]
      if (DateTime.isGreaterThan(reminderAt(appointment), now)) {
        sends.push({ notBefore: reminderAt(appointment), suffix: "" })
      }
      return yield* uow.transaction(
        Effect.andThen(
          notifications.withdraw(codeGroupKey(appointment.id)),
          issueCode(appointment, staffActor(staff), "visit.code-resent", sends)
        )
      )
    },
    (effect, staff, appointmentId) =>
      Effect.tapError(effect, (error) =>
        audit({
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "visit.code-resent",
          patientId: null,
          resource: `appointment:${appointmentId}`,
          outcome: "failure",
          reason: error._tag
        })
      )
  )

  return VirtualVisits.of({
    join,
    resendCode,
    handlers: { booked: onBooked, rescheduled: onRescheduled, cancelled: onCancelled }
  })
})
