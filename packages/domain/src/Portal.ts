/**
 * The whole portal domain wired together: every application service on whatever ports are
 * provided (in memory for tests, PostgreSQL and real senders in the server). This is the one
 * place that decides how the services depend on each other.
 */
import { Effect, Layer } from "effect"
import { ApiKeys } from "./ApiKeys.ts"
import { AppointmentEvents } from "./AppointmentEvents.ts"
import { Authentication } from "./Authentication.ts"
import { ClinicSchedule } from "./ClinicSchedule.ts"
import { Demographics } from "./Demographics.ts"
import { Messaging } from "./Messaging.ts"
import { Notifications } from "./Notifications.ts"
import { Patients } from "./Patients.ts"
import { PreVisit } from "./PreVisit.ts"
import { Scheduling } from "./Scheduling.ts"
import { Uploads } from "./Uploads.ts"
import { VirtualVisits } from "./VirtualVisits.ts"

/** Pre-visit tasks and virtual-visit codes follow every booking, move and cancellation. */
export const layerAppointmentEvents: Layer.Layer<AppointmentEvents, never, PreVisit | VirtualVisits> =
  Layer.effect(
    AppointmentEvents,
    Effect.gen(function* () {
      const preVisit = yield* PreVisit
      const visits = yield* VirtualVisits
      return AppointmentEvents.of(AppointmentEvents.combine(preVisit.handlers, visits.handlers))
    })
  )

/** Authentication with the Notifications it queues codes through. */
export const layerAuthentication = Authentication.layer.pipe(Layer.provideMerge(Notifications.layer))

/**
 * Every service: Authentication, Notifications, Messaging, Scheduling, ClinicSchedule,
 * PreVisit, VirtualVisits, Uploads, Demographics, Patients, ApiKeys. Needs the ports
 * (repositories, stores, UnitOfWork, CodeGenerator, Hasher).
 */
export const layerServices = Layer.mergeAll(
  Messaging.layer,
  Patients.layer,
  ApiKeys.layer,
  Uploads.layer,
  Scheduling.layer,
  ClinicSchedule.layer,
  Demographics.layer
).pipe(
  Layer.provideMerge(layerAppointmentEvents),
  Layer.provideMerge(Layer.mergeAll(PreVisit.layer, VirtualVisits.layer)),
  Layer.provideMerge(layerAuthentication)
)
