/**
 * What else happens when an appointment is booked, moved or cancelled: pre-visit tasks are
 * created, a virtual visit gets its access code, their notifications follow the visit.
 * Scheduling calls these inside the same unit of work as the change itself, so they commit
 * or roll back with it. The default does nothing; `PreVisit` and `VirtualVisits` provide
 * handlers, and `AppointmentEvents.combine` runs several.
 */
import { Context, Effect, Layer } from "effect"
import type { Appointment } from "./Appointment.ts"

/** Reactions to an appointment's life. Each runs inside the change's unit of work. */
export interface AppointmentEventHandlers {
  /** Now `booked` (directly, or a request confirmed by staff). */
  readonly booked: (appointment: Appointment) => Effect.Effect<void>
  /** Moved from `before` to `after` (same appointment id). */
  readonly rescheduled: (before: Appointment, after: Appointment) => Effect.Effect<void>
  /** Cancelled (by the patient or staff). */
  readonly cancelled: (appointment: Appointment) => Effect.Effect<void>
}

/** The handlers Scheduling calls. */
export class AppointmentEvents extends Context.Service<AppointmentEvents, AppointmentEventHandlers>()(
  "@careportal/domain/AppointmentEvents"
) {
  /** Does nothing. */
  static readonly layerNone: Layer.Layer<AppointmentEvents> = Layer.succeed(
    AppointmentEvents,
    AppointmentEvents.of({
      booked: () => Effect.void,
      rescheduled: () => Effect.void,
      cancelled: () => Effect.void
    })
  )

  /** Runs every handler in order. */
  static readonly combine = (
    ...handlers: ReadonlyArray<AppointmentEventHandlers>
  ): AppointmentEventHandlers => ({
    booked: (a) => Effect.forEach(handlers, (h) => h.booked(a), { discard: true }),
    rescheduled: (before, after) =>
      Effect.forEach(handlers, (h) => h.rescheduled(before, after), { discard: true }),
    cancelled: (a) => Effect.forEach(handlers, (h) => h.cancelled(a), { discard: true })
  })
}
