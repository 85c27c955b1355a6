/**
 * Pre-visit questionnaires: the tasks of one of the caller's appointments, and the response to
 * one. A response that breaks its questionnaire answers 422 listing each failing item.
 */

import { Ids, PreVisit, Questionnaire } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { errorBody, NotFound, PatientAuth } from "./Common.ts"

/** The answers break the questionnaire's rules; `items` names each failing item once. */
export const QuestionnaireInvalid = errorBody("QuestionnaireInvalid", 422, {
  items: Schema.Array(Questionnaire.ItemProblem)
})
/** The task was already answered; a task completes once. */
export const TaskAlreadyCompleted = errorBody("TaskAlreadyCompleted", 409, { taskId: Ids.TaskId })
/** The task's appointment was cancelled, so it needs no answer. */
export const TaskCancelled = errorBody("TaskCancelled", 409, { taskId: Ids.TaskId })

/** The error bodies of pre-visit tasks. */
export type TasksError =
  | typeof QuestionnaireInvalid.Type
  | typeof TaskAlreadyCompleted.Type
  | typeof TaskCancelled.Type

/** The caller's pre-visit tasks. */
export class TasksGroup extends HttpApiGroup.make("tasks")
  .add(
    HttpApiEndpoint.get("list", "/v1/appointments/:id/tasks", {
      params: { id: Ids.AppointmentId },
      success: Schema.Array(PreVisit.PreVisitTaskView),
      error: NotFound
    }),
    HttpApiEndpoint.post("respond", "/v1/tasks/:id/response", {
      params: { id: Ids.TaskId },
      payload: Schema.Struct({ answers: Schema.Array(Questionnaire.AnswerInput) }),
      success: Questionnaire.QuestionnaireResponse.pipe(HttpApiSchema.status(201)),
      error: [NotFound, QuestionnaireInvalid, TaskAlreadyCompleted, TaskCancelled]
    })
  )
  .middleware(PatientAuth) {}
