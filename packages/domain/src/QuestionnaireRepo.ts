/**
 * Where questionnaire definitions, pre-visit tasks and accepted responses are kept, with the
 * two rules that must hold under concurrency: an appointment has at most one task per
 * questionnaire, and a task is completed (and its response recorded) at most once.
 */
import { Context, type DateTime, Effect, Layer, Option, TxRef } from "effect"
import type { AppointmentId, ClinicId, QuestionnaireId, TaskId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { PreVisitTask, type Questionnaire, type QuestionnaireResponse } from "./Questionnaire.ts"

/** The state of the in-memory questionnaire repository. */
export interface QuestionnaireState {
  readonly questionnaires: ReadonlyMap<QuestionnaireId, Questionnaire>
  /** In creation order. */
  readonly tasks: ReadonlyMap<TaskId, PreVisitTask>
  /** Accepted responses, by task. */
  readonly responses: ReadonlyMap<TaskId, QuestionnaireResponse>
}

/** Questionnaire definitions, pre-visit tasks and their responses. */
export class QuestionnaireRepo extends Context.Service<
  QuestionnaireRepo,
  {
    /** Stores a new definition. */
    readonly saveQuestionnaire: (questionnaire: Questionnaire) => Effect.Effect<void>
    readonly findQuestionnaire: (id: QuestionnaireId) => Effect.Effect<Option.Option<Questionnaire>>
    /** A clinic's definitions, oldest first. */
    readonly listQuestionnaires: (clinicId: ClinicId) => Effect.Effect<ReadonlyArray<Questionnaire>>
    /**
     * Inserts each task unless its appointment already has a task (in any status) for the same
     * questionnaire; returns the ones inserted. In a database: a unique key on
     * (appointment, questionnaire) and `ON CONFLICT DO NOTHING`.
     */
    readonly addTasks: (tasks: ReadonlyArray<PreVisitTask>) => Effect.Effect<ReadonlyArray<PreVisitTask>>
    readonly findTask: (id: TaskId) => Effect.Effect<Option.Option<PreVisitTask>>
    /** An appointment's tasks, in creation order. */
    readonly listTasks: (appointmentId: AppointmentId) => Effect.Effect<ReadonlyArray<PreVisitTask>>
    /**
     * Atomically: when the response's task is open, marks it completed at `authoredAt` and
     * records the response, answering `true`; otherwise writes nothing and answers `false`. In a
     * database: `UPDATE … SET status = 'completed' WHERE id = $1 AND status = 'open'`, then the
     * insert, in the caller's transaction.
     */
    readonly completeTask: (response: QuestionnaireResponse) => Effect.Effect<boolean>
    /** Marks an appointment's open tasks cancelled at `at`; returns them as they now are. */
    readonly cancelOpenTasks: (
      appointmentId: AppointmentId,
      at: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<PreVisitTask>>
    readonly findResponse: (taskId: TaskId) => Effect.Effect<Option.Option<QuestionnaireResponse>>
  }
>()("@careportal/domain/QuestionnaireRepo") {
  /** In memory; also provides `QuestionnaireRepoMemory`. */
  static readonly layerMemory: Layer.Layer<QuestionnaireRepo | QuestionnaireRepoMemory> = Layer.suspend(() =>
    memoryLayer(
      QuestionnaireRepo,
      QuestionnaireRepoMemory,
      (): QuestionnaireState => ({ questionnaires: new Map(), tasks: new Map(), responses: new Map() }),
      makeMemory
    )
  )
}

/** The in-memory questionnaire repository's state. */
export class QuestionnaireRepoMemory extends Context.Service<
  QuestionnaireRepoMemory,
  MemoryHandle<QuestionnaireState>
>()("@careportal/domain/QuestionnaireRepoMemory") {}

const makeMemory = (state: TxRef.TxRef<QuestionnaireState>) =>
  QuestionnaireRepo.of({
    saveQuestionnaire: (q) =>
      TxRef.update(state, (s) => ({ ...s, questionnaires: new Map(s.questionnaires).set(q.id, q) })),
    findQuestionnaire: (id) =>
      Effect.map(TxRef.get(state), (s) => Option.fromUndefinedOr(s.questionnaires.get(id))),
    listQuestionnaires: (clinicId) =>
      Effect.map(TxRef.get(state), (s) =>
        [...s.questionnaires.values()].filter((q) => q.clinicId === clinicId)
      ),
    addTasks: (tasks) =>
      TxRef.modify(state, (s): [ReadonlyArray<PreVisitTask>, QuestionnaireState] => {
        const all = new Map(s.tasks)
        const added: Array<PreVisitTask> = []
        for (const task of tasks) {
          const exists = [...all.values()].some(
            (t) => t.appointmentId === task.appointmentId && t.questionnaireId === task.questionnaireId
          )
          if (exists) continue
          all.set(task.id, task)
          added.push(task)
        }
        return [added, added.length === 0 ? s : { ...s, tasks: all }]
      }),
    findTask: (id) => Effect.map(TxRef.get(state), (s) => Option.fromUndefinedOr(s.tasks.get(id))),
    listTasks: (appointmentId) =>
      Effect.map(TxRef.get(state), (s) =>
        [...s.tasks.values()].filter((t) => t.appointmentId === appointmentId)
      ),
    completeTask: (response) =>
      TxRef.modify(state, (s): [boolean, QuestionnaireState] => {
        const task = s.tasks.get(response.taskId)
        if (task === undefined || task.status !== "open") return [false, s]
        const completed = new PreVisitTask({ ...task, status: "completed", completedAt: response.authoredAt })
        return [
          true,
          {
            ...s,
            tasks: new Map(s.tasks).set(task.id, completed),
            responses: new Map(s.responses).set(task.id, response)
          }
        ]
      }),
    cancelOpenTasks: (appointmentId, at) =>
      TxRef.modify(state, (s): [ReadonlyArray<PreVisitTask>, QuestionnaireState] => {
        const tasks = new Map(s.tasks)
        const cancelled: Array<PreVisitTask> = []
        for (const task of s.tasks.values()) {
          if (task.appointmentId !== appointmentId || task.status !== "open") continue
          const next = new PreVisitTask({ ...task, status: "cancelled", cancelledAt: at })
          tasks.set(task.id, next)
          cancelled.push(next)
        }
        return [cancelled, cancelled.length === 0 ? s : { ...s, tasks }]
      }),
    findResponse: (taskId) =>
      Effect.map(TxRef.get(state), (s) => Option.fromUndefinedOr(s.responses.get(taskId)))
  })
