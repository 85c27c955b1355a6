/**
 * Where appointments are kept, with the rule that matters most under concurrency: a
 * provider's time is held by one active appointment at most.
 */
import { Context, DateTime, Effect, Layer, Option, TxRef } from "effect"
import { type Appointment, type AppointmentStatus, isActive } from "./Appointment.ts"
import { SlotTaken } from "./CareErrors.ts"
import type { AppointmentId, ClinicId, PatientId, ProviderId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { compareCodePoints } from "./PatientRepo.ts"

/**
 * An appointment's place in a clinic's listing: by start, ties by id in code-point order (in a
 * database: `ORDER BY start_at, id COLLATE "C"`).
 */
export interface AppointmentKey {
  readonly start: DateTime.Utc
  readonly id: AppointmentId
}

/** Negative when `a` comes before `b` in a clinic's listing (`AppointmentKey`). */
export const compareByStartThenId = (a: AppointmentKey, b: AppointmentKey): number =>
  DateTime.toEpochMillis(a.start) - DateTime.toEpochMillis(b.start) || compareCodePoints(a.id, b.id)

/**
 * Which page of a clinic's appointments `listByClinic` returns; each optional filter left out
 * matches all.
 */
export interface ClinicAppointmentQuery {
  readonly clinicId: ClinicId
  readonly status?: AppointmentStatus | undefined
  readonly providerId?: ProviderId | undefined
  readonly patientId?: PatientId | undefined
  /** Starting at or after this instant. */
  readonly from?: DateTime.Utc | undefined
  /** Starting before this instant. */
  readonly to?: DateTime.Utc | undefined
  /** Only those strictly after this place (`AppointmentKey`); from the first when absent. */
  readonly after?: AppointmentKey | undefined
  /** At most this many; below 1 gives none. */
  readonly limit: number
}

/** Appointments. */
export class AppointmentRepo extends Context.Service<
  AppointmentRepo,
  {
    /**
     * Inserts or replaces an appointment. When it is active, atomically refuses with
     * `SlotTaken` if another active appointment of the same provider overlaps it (in a
     * database: an exclusion constraint, not a check before the write).
     */
    readonly save: (appointment: Appointment) => Effect.Effect<void, SlotTaken>
    readonly findById: (id: AppointmentId) => Effect.Effect<Option.Option<Appointment>>
    /** A patient's appointments, by start time. */
    readonly listByPatient: (patientId: PatientId) => Effect.Effect<ReadonlyArray<Appointment>>
    /** A provider's active appointments that overlap `[from, to)`, by start time. */
    readonly listActiveByProvider: (
      providerId: ProviderId,
      from: DateTime.Utc,
      to: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<Appointment>>
    /**
     * One page of a clinic's appointments matching the query (any status unless one is asked
     * for): by start, ties by id (`compareByStartThenId`), strictly after `after`, at most
     * `limit`. A store reads only the page, never the clinic's whole diary.
     */
    readonly listByClinic: (query: ClinicAppointmentQuery) => Effect.Effect<ReadonlyArray<Appointment>>
  }
>()("@careportal/domain/AppointmentRepo") {
  /** In memory; also provides `AppointmentRepoMemory`. */
  static readonly layerMemory: Layer.Layer<AppointmentRepo | AppointmentRepoMemory> = Layer.suspend(() =>
    memoryLayer(AppointmentRepo, AppointmentRepoMemory, () => new Map(), makeMemory)
  )
}

/** The in-memory appointment repository's state. */
export class AppointmentRepoMemory extends Context.Service<
  AppointmentRepoMemory,
  MemoryHandle<ReadonlyMap<AppointmentId, Appointment>>
>()("@careportal/domain/AppointmentRepoMemory") {}

const overlaps = (a: Appointment, from: DateTime.Utc, to: DateTime.Utc) =>
  DateTime.isLessThan(a.start, to) && DateTime.isGreaterThan(a.end, from)

const byStart = (a: Appointment, b: Appointment) =>
  DateTime.toEpochMillis(a.start) - DateTime.toEpochMillis(b.start)

const makeMemory = (state: TxRef.TxRef<ReadonlyMap<AppointmentId, Appointment>>) =>
  AppointmentRepo.of({
    save: (appointment) =>
      Effect.flatten(
        TxRef.modify(
          state,
          (m): [Effect.Effect<void, SlotTaken>, ReadonlyMap<AppointmentId, Appointment>] => {
            if (isActive(appointment)) {
              for (const other of m.values()) {
                if (
                  other.id !== appointment.id &&
                  other.providerId === appointment.providerId &&
                  isActive(other) &&
                  overlaps(other, appointment.start, appointment.end)
                ) {
                  return [Effect.fail(new SlotTaken()), m]
                }
              }
            }
            return [Effect.void, new Map(m).set(appointment.id, appointment)]
          }
        )
      ),
    findById: (id) => Effect.map(TxRef.get(state), (m) => Option.fromUndefinedOr(m.get(id))),
    listByPatient: (patientId) =>
      Effect.map(TxRef.get(state), (m) =>
        [...m.values()].filter((a) => a.patientId === patientId).sort(byStart)
      ),
    listActiveByProvider: (providerId, from, to) =>
      Effect.map(TxRef.get(state), (m) =>
        [...m.values()]
          .filter((a) => a.providerId === providerId && isActive(a) && overlaps(a, from, to))
          .sort(byStart)
      ),
    listByClinic: (q) =>
      Effect.map(TxRef.get(state), (m) =>
        [...m.values()]
          .filter(
            (a) =>
              a.clinicId === q.clinicId &&
              (q.status === undefined || a.status === q.status) &&
              (q.providerId === undefined || a.providerId === q.providerId) &&
              (q.patientId === undefined || a.patientId === q.patientId) &&
              (q.from === undefined || !DateTime.isLessThan(a.start, q.from)) &&
              (q.to === undefined || DateTime.isLessThan(a.start, q.to)) &&
              (q.after === undefined || compareByStartThenId(a, q.after) > 0)
          )
          .sort(compareByStartThenId)
          .slice(0, Math.max(0, Math.floor(q.limit)))
      )
  })
