/**
 * The staff side's handlers on the domain services, and `StaffAuth` on `ApiKeys`. Every handler
 * acts as the `CurrentStaff` the key resolved to; the services scope each read and change to
 * that staff member's clinic.
 */

import {
  type ApiKey,
  ApiKeys,
  Appointment,
  AuditLog,
  ClinicSchedule,
  Messaging,
  Patients,
  PreVisit,
  Scheduling,
  type Staff,
  Uploads,
  VirtualVisits
} from "@careportal/domain"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpApiBuilder, type HttpApiGroup, HttpApiMiddleware } from "effect/http-api"
import { bearerChallenge } from "../Auth.ts"
import {
  Api,
  type ApiKeySummary,
  CurrentStaff,
  InvalidPageSize,
  StaffAuth,
  type WeeklyHoursInput
} from "../Contract.ts"
import { expose, exposed } from "../Errors.ts"

/** Runs `f` as the staff member of the request's key. */
const asStaff = <A, E, R>(f: (staff: Staff.StaffPrincipal) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.service(CurrentStaff), f)

/**
 * A page size of 1 to `max`, `fallback` when absent; else the 400 body naming both. For the audit
 * page only: it reads the `AuditLog` port directly, with no service to check the size.
 */
const pageSize = (limit: number | undefined, fallback: number, max: number, of: string) =>
  limit === undefined
    ? Effect.succeed(fallback)
    : Number.isInteger(limit) && limit >= 1 && limit <= max
      ? Effect.succeed(limit)
      : Effect.fail(
          InvalidPageSize.make({
            error: "InvalidPageSize",
            message: `A page holds 1 to ${max} ${of}; ${limit} was asked for. Ask for a whole number in that range.`,
            limit,
            max
          })
        )

/** Weekly hours as the domain's records. */
const weeklyHours = (hours: ReadonlyArray<typeof WeeklyHoursInput.Type>) =>
  hours.map((h) => new Appointment.WeeklyHours(h))

/** A key as listed: never its text or hash. */
const summary = (key: ApiKey.ApiKey): typeof ApiKeySummary.Type => ({
  id: key.id,
  staffId: key.staffId,
  label: key.label,
  prefix: key.prefix,
  createdAt: key.createdAt,
  revokedAt: Option.getOrNull(key.revokedAt)
})

/** `StaffAuth` on `ApiKeys`: the bearer credential is a clinic API key. */
export const layerStaffAuth = Layer.effect(
  StaffAuth,
  Effect.gen(function* () {
    const keys = yield* ApiKeys.ApiKeys
    return StaffAuth.of({
      clinicApiKey: (httpEffect, { credential }) =>
        Effect.flatMap(
          keys.authenticate(credential).pipe(
            Effect.mapError(expose),
            Effect.tapError(() => bearerChallenge("careportal-staff"))
          ),
          (staff) => Effect.provideService(httpEffect, CurrentStaff, staff)
        )
    })
  })
)

const PatientsHandlers = HttpApiBuilder.group(
  Api,
  "staffPatients",
  Effect.fn(function* (handlers) {
    const patients = yield* Patients.Patients
    const messaging = yield* Messaging.Messaging
    const uploads = yield* Uploads.Uploads
    return (
      handlers
        .handle("register", ({ payload }) =>
          asStaff((staff) => patients.register(staff, payload).pipe(exposed))
        )
        // Page sizes, their default and the refusal (audited) are the domain's.
        .handle("list", ({ query }) => asStaff((staff) => patients.list(staff, query).pipe(exposed)))
        .handle("read", ({ params }) => asStaff((staff) => patients.get(staff, params.id).pipe(exposed)))
        .handle("chart", ({ params }) => asStaff((staff) => patients.chart(staff, params.id).pipe(exposed)))
        .handle("messages", ({ params }) =>
          asStaff((staff) => messaging.staffThread(staff, params.id).pipe(exposed))
        )
        .handle("uploadRequests", ({ params }) =>
          asStaff((staff) => uploads.staffList(staff, params.id).pipe(exposed))
        )
        .handle("notifications", ({ params, query }) =>
          asStaff((staff) => patients.notifications(staff, params.id, query).pipe(exposed))
        )
        .handle("clinicNotifications", ({ query }) =>
          asStaff((staff) => patients.clinicNotifications(staff, query).pipe(exposed))
        )
    )
  })
)

const ScheduleHandlers = HttpApiBuilder.group(
  Api,
  "staffSchedule",
  Effect.fn(function* (handlers) {
    const schedule = yield* ClinicSchedule.ClinicSchedule
    const scheduling = yield* Scheduling.Scheduling
    return handlers
      .handle("providers", () => asStaff((staff) => schedule.listProviders(staff)))
      .handle("createProvider", ({ payload }) =>
        asStaff((staff) =>
          schedule
            .createProvider(staff, { ...payload, weeklyHours: weeklyHours(payload.weeklyHours) })
            .pipe(exposed)
        )
      )
      .handle("updateProvider", ({ params, payload }) =>
        asStaff((staff) =>
          schedule
            .updateProvider(staff, params.id, {
              ...payload,
              ...(payload.weeklyHours === undefined ? {} : { weeklyHours: weeklyHours(payload.weeklyHours) })
            })
            .pipe(exposed)
        )
      )
      .handle("availability", ({ params, query }) =>
        asStaff((staff) =>
          scheduling.availability(staff, params.id, query.type, query.from, query.to).pipe(exposed)
        )
      )
      .handle("blockedPeriods", ({ params, query }) =>
        asStaff((staff) => schedule.listBlockedPeriods(staff, params.id, query.from, query.to).pipe(exposed))
      )
      .handle("blockPeriod", ({ params, payload }) =>
        asStaff((staff) => schedule.blockPeriod(staff, params.id, payload).pipe(exposed))
      )
      .handle("removeBlockedPeriod", ({ params }) =>
        asStaff((staff) => schedule.removeBlockedPeriod(staff, params.id).pipe(exposed))
      )
      .handle("appointmentTypes", () => asStaff((staff) => schedule.listAppointmentTypes(staff)))
      .handle("createAppointmentType", ({ payload }) =>
        asStaff((staff) =>
          schedule
            .createAppointmentType(staff, { ...payload, questionnaireIds: payload.questionnaireIds ?? [] })
            .pipe(exposed)
        )
      )
      .handle("updateAppointmentType", ({ params, payload }) =>
        asStaff((staff) => schedule.updateAppointmentType(staff, params.id, payload).pipe(exposed))
      )
  })
)

const AppointmentsHandlers = HttpApiBuilder.group(
  Api,
  "staffAppointments",
  Effect.fn(function* (handlers) {
    const scheduling = yield* Scheduling.Scheduling
    const visits = yield* VirtualVisits.VirtualVisits
    return handlers
      .handle("list", ({ query }) =>
        asStaff((staff) => scheduling.staffAppointments(staff, query).pipe(exposed))
      )
      .handle("book", ({ payload }) => asStaff((staff) => scheduling.book(staff, payload).pipe(exposed)))
      .handle("confirm", ({ params }) =>
        asStaff((staff) => scheduling.confirm(staff, params.id).pipe(exposed))
      )
      .handle("reschedule", ({ params, payload }) =>
        asStaff((staff) => scheduling.reschedule(staff, params.id, payload.start).pipe(exposed))
      )
      .handle("cancel", ({ params }) => asStaff((staff) => scheduling.cancel(staff, params.id).pipe(exposed)))
      .handle("complete", ({ params }) =>
        asStaff((staff) => scheduling.complete(staff, params.id).pipe(exposed))
      )
      .handle("resendVisitCode", ({ params }) =>
        asStaff((staff) => visits.resendCode(staff, params.id).pipe(exposed))
      )
  })
)

const CareHandlers = HttpApiBuilder.group(
  Api,
  "staffCare",
  Effect.fn(function* (handlers) {
    const messaging = yield* Messaging.Messaging
    const previsit = yield* PreVisit.PreVisit
    const uploads = yield* Uploads.Uploads
    return handlers
      .handle("sendMessage", ({ payload }) =>
        asStaff((staff) => messaging.send(staff, payload).pipe(exposed))
      )
      .handle("questionnaires", () => asStaff((staff) => previsit.listQuestionnaires(staff)))
      .handle("defineQuestionnaire", ({ payload }) =>
        asStaff((staff) => previsit.defineQuestionnaire(staff, payload).pipe(exposed))
      )
      .handle("requestUpload", ({ payload }) =>
        asStaff((staff) => uploads.request(staff, payload).pipe(exposed))
      )
      .handle("cancelUpload", ({ params }) =>
        asStaff((staff) => uploads.cancel(staff, params.id).pipe(exposed))
      )
  })
)

const AdminHandlers = HttpApiBuilder.group(
  Api,
  "staffAdmin",
  Effect.fn(function* (handlers) {
    const audit = yield* AuditLog.AuditLog
    const keys = yield* ApiKeys.ApiKeys
    return handlers
      .handle("audit", ({ query }) =>
        asStaff((staff) =>
          Effect.gen(function* () {
            const limit = yield* pageSize(query.limit, 50, 500, "audit events")
            // One more than the page: if it comes back, there is an older page to point to.
            const events = yield* audit.page({
              clinicId: staff.clinicId,
              ...(query.patientId === undefined ? {} : { patientId: query.patientId }),
              ...(query.before === undefined ? {} : { before: query.before }),
              limit: limit + 1
            })
            const page = events.slice(0, limit)
            const last = page.at(-1)
            return {
              events: page,
              nextBefore: events.length > limit && last !== undefined ? last.sequence : null
            }
          })
        )
      )
      .handle("verifyAudit", () =>
        asStaff((staff) =>
          Effect.map(audit.verify(staff.clinicId), (report) =>
            report._tag === "Intact"
              ? { status: "intact" as const, events: report.events }
              : {
                  status: "broken" as const,
                  sequence: report.sequence,
                  eventId: report.eventId,
                  problem: report.problem
                }
          )
        )
      )
      .handle("apiKeys", () => asStaff((staff) => Effect.map(keys.list(staff), (all) => all.map(summary))))
      .handle("issueApiKey", ({ payload }) =>
        asStaff((staff) =>
          keys.issue({ clinicId: staff.clinicId, staffId: payload.staffId, label: payload.label }).pipe(
            Effect.map(({ key, apiKey }) => ({ key: Redacted.value(key), apiKey: summary(apiKey) })),
            exposed
          )
        )
      )
      .handle("revokeApiKey", ({ params }) => asStaff((staff) => keys.revoke(staff, params.id).pipe(exposed)))
  })
)

/** The staff groups' handlers with `StaffAuth` and problem details. */
export const layer: Layer.Layer<
  | HttpApiGroup.Service<"careportal", "staffPatients">
  | HttpApiGroup.Service<"careportal", "staffSchedule">
  | HttpApiGroup.Service<"careportal", "staffAppointments">
  | HttpApiGroup.Service<"careportal", "staffCare">
  | HttpApiGroup.Service<"careportal", "staffAdmin">,
  never,
  | ApiKeys.ApiKeys
  | AuditLog.AuditLog
  | ClinicSchedule.ClinicSchedule
  | Messaging.Messaging
  | Patients.Patients
  | PreVisit.PreVisit
  | Scheduling.Scheduling
  | Uploads.Uploads
  | VirtualVisits.VirtualVisits
> = Layer.mergeAll(
  PatientsHandlers,
  ScheduleHandlers,
  AppointmentsHandlers,
  CareHandlers,
  AdminHandlers
).pipe(
  Layer.provide(layerStaffAuth),
  Layer.provide(HttpApiMiddleware.layerProblemDetails({ includeDetails: true }))
)
