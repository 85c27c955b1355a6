/**
 * Pre-visit questionnaires: staff define them, an appointment type lists the ones its
 * patients complete, booking creates one task per questionnaire, and the patient's response
 * is checked item by item and, once accepted, filed into the chart in the same unit of work
 * that completes the task.
 */
import { Context, DateTime, Effect, Layer, Option, Result, Schema } from "effect"
import type { Appointment } from "./Appointment.ts"
import type { AppointmentEventHandlers } from "./AppointmentEvents.ts"
import { AppointmentRepo } from "./AppointmentRepo.ts"
import { AuditLog } from "./AuditLog.ts"
import { NotFound } from "./CareErrors.ts"
import { ChartEntry, ChartRepo } from "./Chart.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import { type AppointmentId, ChartEntryId, QuestionnaireId, TaskId } from "./Ids.ts"
import { makeAuditor } from "./internal/audit.ts"
import {
  type AnswerInput,
  checkDefinition,
  checkResponse,
  PreVisitTask,
  Questionnaire,
  QuestionnaireDefinitionInvalid,
  type QuestionnaireDraft,
  QuestionnaireInvalid,
  QuestionnaireResponse
} from "./Questionnaire.ts"
import { QuestionnaireRepo } from "./QuestionnaireRepo.ts"
import { ScheduleRepo } from "./ScheduleRepo.ts"
import type { PatientPrincipal } from "./Session.ts"
import { patientActor, type StaffPrincipal, staffActor, systemActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** The questionnaire was already submitted; a task completes once. */
export class TaskAlreadyCompleted extends Schema.TaggedError<TaskAlreadyCompleted>()("TaskAlreadyCompleted", {
  taskId: TaskId
}) {
  override get message() {
    return "This questionnaire was already submitted and cannot be submitted again. If an answer needs correcting, send the clinic a message."
  }
}

/** The task's appointment was cancelled, so its questionnaire is no longer needed. */
export class TaskCancelled extends Schema.TaggedError<TaskCancelled>()("TaskCancelled", { taskId: TaskId }) {
  override get message() {
    return "This questionnaire is no longer needed because its appointment was cancelled. If you book again, you will get a new one."
  }
}

/** A pre-visit task with the questionnaire to fill in. */
export class PreVisitTaskView extends Schema.Class<PreVisitTaskView>("PreVisitTaskView")({
  task: PreVisitTask,
  questionnaire: Questionnaire
}) {}

/** Why a response was refused. */
export type RespondFailure = NotFound | QuestionnaireInvalid | TaskAlreadyCompleted | TaskCancelled

/** Pre-visit questionnaires and tasks. */
export class PreVisit extends Context.Service<
  PreVisit,
  {
    /** Staff: checks a definition (every problem reported at once) and stores it under a new id. */
    readonly defineQuestionnaire: (
      staff: StaffPrincipal,
      draft: QuestionnaireDraft
    ) => Effect.Effect<Questionnaire, QuestionnaireDefinitionInvalid>
    /** Staff: the clinic's questionnaires, oldest first. */
    readonly listQuestionnaires: (staff: StaffPrincipal) => Effect.Effect<ReadonlyArray<Questionnaire>>
    /** Patient: the tasks of one of their appointments, with what to fill in. */
    readonly tasksFor: (
      principal: PatientPrincipal,
      appointmentId: AppointmentId
    ) => Effect.Effect<ReadonlyArray<PreVisitTaskView>, NotFound>
    /**
     * Patient: answers a task. The answers are checked against the task's questionnaire; when
     * every item passes, the task is completed, the response filed as a chart entry and the act
     * audited in one unit of work. Only one response per task is ever accepted, also when
     * several arrive at once.
     */
    readonly respond: (
      principal: PatientPrincipal,
      taskId: TaskId,
      answers: ReadonlyArray<AnswerInput>
    ) => Effect.Effect<QuestionnaireResponse, RespondFailure>
    /** Patient: the response they submitted for a task, if they have. */
    readonly responseFor: (
      principal: PatientPrincipal,
      taskId: TaskId
    ) => Effect.Effect<Option.Option<QuestionnaireResponse>, NotFound>
    /**
     * What booking, moving and cancelling do to tasks; Scheduling runs them inside its unit of
     * work. Booked: one task per questionnaire of the appointment's type, never twice (a moved
     * or re-confirmed appointment keeps its tasks and answers). Cancelled: open tasks are
     * cancelled; answered ones stay in the chart.
     */
    readonly handlers: AppointmentEventHandlers
  }
>()("@careportal/domain/PreVisit") {
  /** The service on its ports. */
  static readonly layer = Layer.effect(
    PreVisit,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

const make = Effect.gen(function* () {
  const repo = yield* QuestionnaireRepo
  const appointments = yield* AppointmentRepo
  const schedule = yield* ScheduleRepo
  const chart = yield* ChartRepo
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const audit = makeAuditor(yield* AuditLog, generator)

  const defineQuestionnaire = Effect.fn("PreVisit.defineQuestionnaire")(function* (
    staff: StaffPrincipal,
    draft: QuestionnaireDraft
  ) {
    const problems = checkDefinition(draft)
    if (problems.length > 0) return yield* new QuestionnaireDefinitionInvalid({ problems })
    const questionnaire = new Questionnaire({
      id: QuestionnaireId.make(yield* generator.uuid),
      clinicId: staff.clinicId,
      title: draft.title,
      items: draft.items,
      createdAt: yield* DateTime.now
    })
    yield* uow.transaction(
      Effect.gen(function* () {
        yield* repo.saveQuestionnaire(questionnaire)
        yield* audit({
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "questionnaire.defined",
          patientId: null,
          resource: `questionnaire:${questionnaire.id}`,
          outcome: "success"
        })
      })
    )
    return questionnaire
  })

  const listQuestionnaires = Effect.fn("PreVisit.listQuestionnaires")(function* (staff: StaffPrincipal) {
    return yield* repo.listQuestionnaires(staff.clinicId)
  })

  const isOwn = (
    principal: PatientPrincipal,
    record: { readonly clinicId: string; readonly patientId: string }
  ) => record.clinicId === principal.clinicId && record.patientId === principal.patientId

  /** Audits a refused patient act; the caller's own id stands as the patient, never the record's owner. */
  const auditRefusal =
    (principal: PatientPrincipal, action: string, resource: string) => (error: { _tag: string }) =>
      audit({
        clinicId: principal.clinicId,
        actor: patientActor(principal),
        action,
        patientId: principal.patientId,
        resource,
        outcome: "failure",
        reason: error._tag
      })

  const ownTask = (principal: PatientPrincipal, taskId: TaskId) =>
    Effect.flatMap(repo.findTask(taskId), (task) =>
      Option.isSome(task) && isOwn(principal, task.value)
        ? Effect.succeed(task.value)
        : Effect.fail(new NotFound({ kind: "task" }))
    )

  const questionnaireOf = (task: PreVisitTask) =>
    Effect.flatMap(repo.findQuestionnaire(task.questionnaireId), (q) =>
      Option.isSome(q)
        ? Effect.succeed(q.value)
        : Effect.die(
            new Error(`task ${task.id} names questionnaire ${task.questionnaireId}, which does not exist`)
          )
    )

  const tasksFor = Effect.fn("PreVisit.tasksFor")(
    function* (principal: PatientPrincipal, appointmentId: AppointmentId) {
      const appointment = yield* appointments.findById(appointmentId)
      if (Option.isNone(appointment) || !isOwn(principal, appointment.value)) {
        return yield* new NotFound({ kind: "appointment" })
      }
      const tasks = yield* repo.listTasks(appointmentId)
      const views = yield* Effect.forEach(tasks, (task) =>
        Effect.map(questionnaireOf(task), (questionnaire) => new PreVisitTaskView({ task, questionnaire }))
      )
      yield* audit({
        clinicId: principal.clinicId,
        actor: patientActor(principal),
        action: "task.listed",
        patientId: principal.patientId,
        resource: `appointment:${appointmentId}`,
        outcome: "success"
      })
      return views
    },
    (effect, principal, appointmentId) =>
      Effect.tapError(effect, auditRefusal(principal, "task.listed", `appointment:${appointmentId}`))
  )

  const respond = Effect.fn("PreVisit.respond")(
    function* (principal: PatientPrincipal, taskId: TaskId, answers: ReadonlyArray<AnswerInput>) {
      const task = yield* ownTask(principal, taskId)
      if (task.status === "completed") return yield* new TaskAlreadyCompleted({ taskId })
      if (task.status === "cancelled") return yield* new TaskCancelled({ taskId })
      const questionnaire = yield* questionnaireOf(task)
      const checked = checkResponse(questionnaire, answers)
      if (Result.isFailure(checked)) return yield* new QuestionnaireInvalid({ items: checked.failure })
      const now = yield* DateTime.now
      const response = new QuestionnaireResponse({
        taskId,
        questionnaireId: questionnaire.id,
        appointmentId: task.appointmentId,
        clinicId: task.clinicId,
        patientId: task.patientId,
        answers: checked.success,
        authoredAt: now,
        chartEntryId: ChartEntryId.make(yield* generator.uuid)
      })
      // The task's status was read outside the unit; `completeTask` decides again atomically,
      // so of concurrent responses exactly one files and the others roll back here.
      yield* uow.transaction(
        Effect.gen(function* () {
          if (!(yield* repo.completeTask(response))) {
            const current = yield* repo.findTask(taskId)
            return yield* Option.isSome(current) && current.value.status === "cancelled"
              ? Effect.fail(new TaskCancelled({ taskId }))
              : Effect.fail(new TaskAlreadyCompleted({ taskId }))
          }
          yield* chart.file(
            new ChartEntry({
              id: response.chartEntryId,
              clinicId: task.clinicId,
              patientId: task.patientId,
              kind: "questionnaire-response",
              source: patientActor(principal),
              origin: `task:${taskId}`,
              content: {
                questionnaireId: questionnaire.id,
                taskId,
                appointmentId: task.appointmentId,
                answers: response.answers.map((a) => ({
                  linkId: a.linkId,
                  answer: typeof a.answer === "object" ? [...a.answer] : a.answer
                }))
              },
              filedAt: now
            })
          )
          const facts = {
            clinicId: task.clinicId,
            actor: patientActor(principal),
            patientId: task.patientId,
            outcome: "success"
          } as const
          yield* audit({ ...facts, action: "task.responded", resource: `task:${taskId}` })
          yield* audit({
            ...facts,
            action: "chart-entry.filed",
            resource: `chart-entry:${response.chartEntryId}`
          })
        })
      )
      return response
    },
    (effect, principal, taskId) =>
      Effect.tapError(effect, auditRefusal(principal, "task.responded", `task:${taskId}`))
  )

  const responseFor = Effect.fn("PreVisit.responseFor")(
    function* (principal: PatientPrincipal, taskId: TaskId) {
      yield* ownTask(principal, taskId)
      const response = yield* repo.findResponse(taskId)
      yield* audit({
        clinicId: principal.clinicId,
        actor: patientActor(principal),
        action: "questionnaire-response.read",
        patientId: principal.patientId,
        resource: `task:${taskId}`,
        outcome: "success"
      })
      return response
    },
    (effect, principal, taskId) =>
      Effect.tapError(effect, auditRefusal(principal, "questionnaire-response.read", `task:${taskId}`))
  )

  /** Creates the tasks a booked appointment lacks; an unknown type or questionnaire is skipped, not fatal to the booking. */
  const ensureTasks = Effect.fn("PreVisit.ensureTasks")(function* (appointment: Appointment) {
    const type = yield* schedule.findType(appointment.typeId)
    if (Option.isNone(type)) {
      return yield* Effect.logWarning(`appointment ${appointment.id} has unknown type ${appointment.typeId}`)
    }
    const existing = new Set((yield* repo.listTasks(appointment.id)).map((t) => t.questionnaireId))
    const now = yield* DateTime.now
    const wanted: Array<PreVisitTask> = []
    for (const questionnaireId of new Set(type.value.questionnaireIds)) {
      if (existing.has(questionnaireId)) continue
      const questionnaire = yield* repo.findQuestionnaire(questionnaireId)
      if (Option.isNone(questionnaire) || questionnaire.value.clinicId !== appointment.clinicId) {
        yield* Effect.logWarning(
          `appointment type ${type.value.id} names unknown questionnaire ${questionnaireId}`
        )
        continue
      }
      wanted.push(
        new PreVisitTask({
          id: TaskId.make(yield* generator.uuid),
          clinicId: appointment.clinicId,
          patientId: appointment.patientId,
          appointmentId: appointment.id,
          questionnaireId,
          status: "open",
          createdAt: now,
          completedAt: null,
          cancelledAt: null
        })
      )
    }
    const added = yield* repo.addTasks(wanted)
    for (const task of added) {
      yield* audit({
        clinicId: task.clinicId,
        actor: systemActor,
        action: "task.created",
        patientId: task.patientId,
        resource: `task:${task.id}`,
        outcome: "success"
      })
    }
  })

  const cancelTasks = Effect.fn("PreVisit.cancelTasks")(function* (appointment: Appointment) {
    const cancelled = yield* repo.cancelOpenTasks(appointment.id, yield* DateTime.now)
    for (const task of cancelled) {
      yield* audit({
        clinicId: task.clinicId,
        actor: systemActor,
        action: "task.cancelled",
        patientId: task.patientId,
        resource: `task:${task.id}`,
        outcome: "success"
      })
    }
  })

  const handlers: AppointmentEventHandlers = {
    booked: (appointment) => ensureTasks(appointment),
    // A moved appointment keeps its tasks; a moved request gets them once confirmed.
    rescheduled: (_before, after) => (after.status === "booked" ? ensureTasks(after) : Effect.void),
    cancelled: (appointment) => cancelTasks(appointment)
  }

  return PreVisit.of({ defineQuestionnaire, listQuestionnaires, tasksFor, respond, responseFor, handlers })
})
