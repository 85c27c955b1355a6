/**
 * Pre-visit questionnaires: the tasks of one of the caller's appointments, and the response to
 * one. A response that breaks its questionnaire answers 422 listing each failing item.
 */

import { Ids, PreVisit, Questionnaire } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { docs, errorBody, NotFound, PatientAuth } from "./Common.ts"

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
    }).annotateMerge(
      docs(
        "List the pre-visit tasks of one of the caller's appointments",
        "Each task with its status and the questionnaire to answer (its items, types and which " +
          "are required). Another patient's or a missing appointment answers 404 `NotFound`."
      )
    ),
    HttpApiEndpoint.post("respond", "/v1/tasks/:id/response", {
      params: { id: Ids.TaskId },
      payload: Schema.Struct({ answers: Schema.Array(Questionnaire.AnswerInput) }),
      success: Questionnaire.QuestionnaireResponse.pipe(HttpApiSchema.status(201)),
      error: [NotFound, QuestionnaireInvalid, TaskAlreadyCompleted, TaskCancelled]
    }).annotateMerge(
      docs(
        "Answer a pre-visit questionnaire",
        "Answers 201 with the response, which is filed into the patient's chart in the same " +
          "transaction. A task completes once.",
        "Answers that break the questionnaire (a required item left out, a wrong type, a choice " +
          "not offered) answer 422 `QuestionnaireInvalid`, `items` naming each failing item once; " +
          "nothing is saved. A task already answered: 409 `TaskAlreadyCompleted`; one whose " +
          "appointment was cancelled: 409 `TaskCancelled`; another patient's or a missing task: 404 " +
          "`NotFound`."
      )
    )
  )
  .middleware(PatientAuth)
  .annotate(
    OpenApi.Description,
    "Pre-visit questionnaires of the signed-in patient's appointments, and their answers. Patient " +
      "session required (`sessionToken` or `sessionCookie`)."
  ) {}
