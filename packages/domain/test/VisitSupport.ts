/**
 * Fixtures of the PreVisit and VirtualVisits tests: staff and patient principals, a provider,
 * appointment types and appointments written straight into the repositories (no Scheduling).
 */
import { DateTime, Effect, TxRef } from "effect"
import { Appointment, AppointmentType, Provider } from "../src/Appointment.ts"
import { AppointmentRepo } from "../src/AppointmentRepo.ts"
import type { AuditEvent } from "../src/AuditEvent.ts"
import { AuditLogMemory } from "../src/AuditLog.ts"
import {
  AppointmentId,
  AppointmentTypeId,
  ClinicId,
  PatientId,
  ProviderId,
  type QuestionnaireId,
  SessionId,
  StaffId
} from "../src/Ids.ts"
import { ScheduleRepo } from "../src/ScheduleRepo.ts"
import { PatientPrincipal } from "../src/Session.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** A staff member of the fixtures' clinic. */
export const staff = new StaffPrincipal({
  staffId: StaffId.make("staff-reception"),
  clinicId: Testing.clinicId
})

/** A staff member of another clinic. */
export const otherClinicStaff = new StaffPrincipal({
  staffId: StaffId.make("staff-elsewhere"),
  clinicId: ClinicId.make("clinic-ottawa-east")
})

/** The principal of a logged-in patient (the services trust it; how it was obtained is Authentication's business). */
export const principalOf = (patientId: string, clinicId: ClinicId = Testing.clinicId) =>
  new PatientPrincipal({
    sessionId: SessionId.make(`session-${patientId}-${clinicId}`),
    clinicId,
    patientId: PatientId.make(patientId)
  })

export const providerId = ProviderId.make("provider-chen")
export const meetingUrl = "https://meet.example.org/dr-chen"

/** Saves the fixtures' provider, with a meeting room unless `meetingUrl` is null. */
export const seedProvider = (url: string | null = meetingUrl, id = providerId) =>
  Effect.gen(function* () {
    const provider = new Provider({
      id,
      clinicId: Testing.clinicId,
      name: "Dr. Chen",
      weeklyHours: [],
      ...(url === null ? {} : { meetingUrl: url })
    })
    yield* (yield* ScheduleRepo).saveProvider(provider)
    return provider
  })

/** Saves an appointment type. */
export const seedType = (options: {
  readonly id?: string
  readonly mode?: "in-person" | "virtual"
  readonly questionnaireIds?: ReadonlyArray<QuestionnaireId>
}) =>
  Effect.gen(function* () {
    const type = new AppointmentType({
      id: AppointmentTypeId.make(options.id ?? "type-checkup"),
      clinicId: Testing.clinicId,
      name: "Check-up",
      mode: options.mode ?? "in-person",
      durationMinutes: 30,
      patientBooking: "book",
      questionnaireIds: options.questionnaireIds ?? []
    })
    yield* (yield* ScheduleRepo).saveType(type)
    return type
  })

/** Saves a booked appointment starting `startMs` after the epoch and lasting `minutes`. */
export const seedAppointment = (options: {
  readonly id: string
  readonly patientId: string
  readonly type: AppointmentType
  readonly startMs: number
  readonly minutes?: number
  readonly provider?: ProviderId
  readonly clinicId?: ClinicId
}) =>
  Effect.gen(function* () {
    const now = yield* DateTime.now
    const appointment = new Appointment({
      id: AppointmentId.make(options.id),
      clinicId: options.clinicId ?? Testing.clinicId,
      patientId: PatientId.make(options.patientId),
      providerId: options.provider ?? providerId,
      typeId: options.type.id,
      mode: options.type.mode,
      start: DateTime.makeUnsafe(options.startMs),
      end: DateTime.makeUnsafe(options.startMs + (options.minutes ?? 30) * MINUTE),
      status: "booked",
      createdAt: now,
      updatedAt: now
    })
    yield* (yield* AppointmentRepo).save(appointment)
    return appointment
  })

/** Saves a changed copy of an appointment and returns it. */
export const updateAppointment = (
  appointment: Appointment,
  changes: Partial<ConstructorParameters<typeof Appointment>[0]>
) =>
  Effect.gen(function* () {
    const next = new Appointment({ ...appointment, ...changes })
    yield* (yield* AppointmentRepo).save(next)
    return next
  })

/** Every audit event so far. */
export const auditEvents: Effect.Effect<ReadonlyArray<AuditEvent>, never, AuditLogMemory> = Effect.gen(
  function* () {
    return yield* TxRef.get((yield* AuditLogMemory).state)
  }
)

/** The audit events of one action. */
export const auditOf = (action: string) =>
  Effect.map(auditEvents, (all) => all.filter((e) => e.action === action))

/** Every string reachable from a value (keys, values, Map entries), to search stores for secrets. */
export const stringsIn = (
  value: unknown,
  out: Array<string> = [],
  seen = new Set<unknown>()
): Array<string> => {
  if (typeof value === "string") {
    out.push(value)
    return out
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return out
  seen.add(value)
  if (value instanceof Map) {
    for (const [k, v] of value) {
      stringsIn(k, out, seen)
      stringsIn(v, out, seen)
    }
    return out
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) stringsIn(v, out, seen)
    return out
  }
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === "string") out.push(key)
    stringsIn((value as Record<PropertyKey, unknown>)[key], out, seen)
  }
  return out
}
