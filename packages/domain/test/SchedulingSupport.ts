/**
 * Helpers of the scheduling tests: a fresh in-memory domain with `Scheduling`, the fixtures
 * (clinic, providers, types, patients, callers), and an independent model of a schedule's
 * slots that finds them by scanning instants rather than by building them from wall times.
 */
import { DateTime, Effect, Layer, Schema } from "effect"
import { AppointmentType, Provider, WeeklyHours } from "../src/Appointment.ts"
import { AppointmentEvents } from "../src/AppointmentEvents.ts"
import type { AppointmentRepo } from "../src/AppointmentRepo.ts"
import { type Clinic, ClinicRepo } from "../src/Clinic.ts"
import { AppointmentTypeId, ClinicId, PatientId, ProviderId, SessionId, StaffId } from "../src/Ids.ts"
import type { Outbox } from "../src/Outbox.ts"
import { EmailAddress, type Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { ScheduleRepo } from "../src/ScheduleRepo.ts"
import { policyLayer, Scheduling, type SchedulingPolicy } from "../src/Scheduling.ts"
import { PatientPrincipal } from "../src/Session.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"

/** What a test may swap in the scheduling domain. */
export interface SchedulingOptions {
  /** The event handlers (they may write through the outbox). */
  readonly events?: Layer.Layer<AppointmentEvents, never, Outbox>
  readonly policy?: Partial<SchedulingPolicy>
  /** Wraps the in-memory appointment repository as `Scheduling` sees it (e.g. to add a barrier). */
  readonly appointmentRepo?: Layer.Layer<AppointmentRepo, never, AppointmentRepo>
}

/** A fresh in-memory domain with `Scheduling` on top; provide it inside each property run. */
export const schedulingDomain = (options: SchedulingOptions = {}) => {
  const service = Scheduling.layer.pipe(
    Layer.provide(options.events ?? AppointmentEvents.layerNone),
    Layer.provide(policyLayer(options.policy ?? {}))
  )
  const wrapped =
    options.appointmentRepo === undefined ? service : service.pipe(Layer.provide(options.appointmentRepo))
  return wrapped.pipe(Layer.provideMerge(Testing.layerAuthenticationMemory()))
}

/** The fixtures' clinic (America/Toronto). */
export const clinicId = Testing.clinicId

/** Another clinic, to show that nothing crosses clinics. */
export const otherClinicId = ClinicId.make("clinic-ottawa-east")

/** Monday to Friday, 09:00–12:00 and 13:00–17:00, clinic time. */
export const officeHours: ReadonlyArray<WeeklyHours> = [1, 2, 3, 4, 5].flatMap((weekday) => [
  new WeeklyHours({ weekday, start: "09:00", end: "12:00" }),
  new WeeklyHours({ weekday, start: "13:00", end: "17:00" })
])

/** Every day, 09:00–12:00, clinic time. */
export const everyMorning: ReadonlyArray<WeeklyHours> = [1, 2, 3, 4, 5, 6, 7].map(
  (weekday) => new WeeklyHours({ weekday, start: "09:00", end: "12:00" })
)

export const providerId = ProviderId.make("provider-chen")
export const otherProviderId = ProviderId.make("provider-okafor")
export const foreignProviderId = ProviderId.make("provider-ottawa")

/** A type patients book directly: 30 minutes, in person. */
export const bookTypeId = AppointmentTypeId.make("type-checkup")
/** A type patients may only request: 30 minutes, virtual. */
export const requestTypeId = AppointmentTypeId.make("type-follow-up")
/** A longer type patients book directly: 60 minutes. */
export const longTypeId = AppointmentTypeId.make("type-physical")
export const foreignTypeId = AppointmentTypeId.make("type-ottawa")

export const makeProvider = (
  weeklyHours: ReadonlyArray<WeeklyHours> = everyMorning,
  id: ProviderId = providerId,
  clinic: ClinicId = clinicId
) => new Provider({ id, clinicId: clinic, name: "Dr. Chen", weeklyHours })

export const makeType = (
  id: AppointmentTypeId,
  durationMinutes: number,
  patientBooking: "book" | "request",
  clinic: ClinicId = clinicId
) =>
  new AppointmentType({
    id,
    clinicId: clinic,
    name: "Sensitive visit reason",
    mode: patientBooking === "book" ? "in-person" : "virtual",
    durationMinutes,
    patientBooking,
    questionnaireIds: []
  })

/** A patient of a clinic, with a distinct email. */
export const makePatientNamed = (name: string, clinic: ClinicId = clinicId): Patient =>
  Testing.makePatient({
    id: PatientId.make(`patient-${name}`),
    clinicId: clinic,
    email: EmailAddress.make(`${name}@example.org`)
  })

/** A session of a patient, as `Authentication.authenticate` would give it. */
export const principalOf = (patient: Patient) =>
  new PatientPrincipal({
    sessionId: SessionId.make(`session-${patient.id}`),
    clinicId: patient.clinicId,
    patientId: patient.id
  })

export const staff = new StaffPrincipal({ staffId: StaffId.make("staff-reception"), clinicId })
export const foreignStaff = new StaffPrincipal({
  staffId: StaffId.make("staff-ottawa"),
  clinicId: otherClinicId
})

/** Saves the clinics, the providers (with the given weekly hours), the types and patients Ada and Grace. */
export const seed = (
  options: { readonly hours?: ReadonlyArray<WeeklyHours>; readonly clinic?: Clinic } = {}
) =>
  Effect.gen(function* () {
    const clinics = yield* ClinicRepo
    const schedule = yield* ScheduleRepo
    const patients = yield* PatientRepo
    yield* clinics.save(options.clinic ?? Testing.makeClinic())
    yield* clinics.save(
      Testing.makeClinic({
        id: otherClinicId,
        slug: "ottawa-east",
        portalUrl: "https://portal.example.org/ottawa"
      })
    )
    const hours = options.hours ?? everyMorning
    yield* schedule.saveProvider(makeProvider(hours))
    yield* schedule.saveProvider(makeProvider(hours, otherProviderId))
    yield* schedule.saveProvider(makeProvider(hours, foreignProviderId, otherClinicId))
    yield* schedule.saveType(makeType(bookTypeId, 30, "book"))
    yield* schedule.saveType(makeType(requestTypeId, 30, "request"))
    yield* schedule.saveType(makeType(longTypeId, 60, "book"))
    yield* schedule.saveType(makeType(foreignTypeId, 30, "book", otherClinicId))
    const ada = makePatientNamed("ada")
    const grace = makePatientNamed("grace")
    yield* patients.save(ada)
    yield* patients.save(grace)
    return { ada, grace, adaP: principalOf(ada), graceP: principalOf(grace) }
  })

/** Saves more patients of the clinic. */
export const seedPatients = (count: number) =>
  Effect.gen(function* () {
    const repo = yield* PatientRepo
    const saved: Array<Patient> = []
    for (let i = 0; i < count; i++) {
      const patient = makePatientNamed(`p${i}`)
      yield* repo.save(patient)
      saved.push(patient)
    }
    return saved
  })

/** An instant from an ISO string. */
export const at = (iso: string): DateTime.Utc => DateTime.makeUnsafe(iso)

/** Instants as ISO strings, for readable comparisons. */
export const isos = (xs: ReadonlyArray<{ readonly start: DateTime.Utc }>) =>
  xs.map((x) => DateTime.formatIso(x.start))

export const ids = (xs: ReadonlyArray<{ readonly id: string }>) => xs.map((x) => x.id).sort()

const FIVE_MINUTES = 300_000

/**
 * The model: the slot starts of weekly hours in `[from, to)`, found by walking every five
 * minutes of real time and reading the zone's wall clock there. An instant is a slot start
 * when its wall clock shows a start of the window's grid (start, start + d, … with the slot
 * ending by the window's end), when this is the first time the clock shows that date and time
 * (a fall-back hour repeats), and when the clock stays before the window's end throughout the
 * slot. Needs every time and duration in multiples of five minutes and a zone whose offsets are.
 */
export const modelSlotStarts = (
  timeZone: string,
  hours: ReadonlyArray<WeeklyHours>,
  durationMinutes: number,
  from: DateTime.Utc,
  to: DateTime.Utc
): ReadonlyArray<number> => {
  const zone = DateTime.zoneMakeNamedUnsafe(timeZone)
  const scanFrom = Math.floor((from.epochMilliseconds - 86_400_000) / FIVE_MINUTES) * FIVE_MINUTES
  const scanTo = to.epochMilliseconds + durationMinutes * 60_000 + FIVE_MINUTES
  const walls: Array<{
    readonly key: number
    readonly dateKey: number
    readonly minute: number
    readonly weekday: number
  }> = []
  for (let t = scanFrom; t < scanTo; t += FIVE_MINUTES) {
    const p = DateTime.toParts(DateTime.makeZonedUnsafe(t, { timeZone: zone }))
    const dateKey = (p.year * 100 + p.month) * 100 + p.day
    const minute = p.hour * 60 + p.minute
    walls.push({ key: dateKey * 1440 + minute, dateKey, minute, weekday: p.weekDay === 0 ? 7 : p.weekDay })
  }
  const shown = new Set<number>()
  const starts: Array<number> = []
  const steps = durationMinutes / 5
  for (let i = 0; i < walls.length; i++) {
    const wall = walls[i] as (typeof walls)[number]
    const first = !shown.has(wall.key)
    shown.add(wall.key)
    const t = scanFrom + i * FIVE_MINUTES
    if (!first || t < from.epochMilliseconds || t >= to.epochMilliseconds) continue
    const isStart = hours.some((h) => {
      const open = Number(h.start.slice(0, 2)) * 60 + Number(h.start.slice(3))
      const close = Number(h.end.slice(0, 2)) * 60 + Number(h.end.slice(3))
      if (h.weekday !== wall.weekday || wall.minute < open || (wall.minute - open) % durationMinutes !== 0)
        return false
      if (wall.minute + durationMinutes > close) return false
      const closeKey = wall.dateKey * 1440 + close
      for (let j = i; j < i + steps; j++)
        if ((walls[j] as (typeof walls)[number]).key >= closeKey) return false
      return true
    })
    if (isStart) starts.push(t)
  }
  return starts
}

/** A random weekly-hours window: a weekday and two five-minute marks of the day. */
export const Window = Schema.Struct({
  weekday: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 7 })),
  a: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 287 })),
  b: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 287 }))
})

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`

/** Random windows anywhere in the day (also across the changed hour), in five-minute steps. */
export const toWeeklyHours = (windows: ReadonlyArray<typeof Window.Type>) =>
  windows.map(
    (w) =>
      new WeeklyHours({
        weekday: w.weekday,
        start: hhmm(Math.min(w.a, w.b) * 5),
        end: hhmm(Math.max(w.a, w.b) * 5)
      })
  )
