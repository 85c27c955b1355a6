/**
 * `QuestionnaireRepo` on PostgreSQL. Its two concurrency rules are in SQL: a unique index on
 * (clinic, appointment, questionnaire) with `ON CONFLICT DO NOTHING` adds each task at most
 * once, and a task is completed by a conditional `UPDATE … WHERE status = 'open'` in the same
 * transaction as its response's insert, so of concurrent completions exactly one writes.
 */

import { type Ids, Questionnaire, QuestionnaireRepo } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const QuestionnaireRow = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  title: Schema.String,
  items: Schema.Unknown,
  created_at: Schema.DateTimeUtcFromDate
})

const TaskRow = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  appointment_id: Schema.String,
  questionnaire_id: Schema.String,
  status: Schema.String,
  created_at: Schema.DateTimeUtcFromDate,
  completed_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
  cancelled_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const ResponseRow = Schema.Struct({
  clinic_id: Schema.String,
  task_id: Schema.String,
  questionnaire_id: Schema.String,
  appointment_id: Schema.String,
  patient_id: Schema.String,
  answers: Schema.Unknown,
  authored_at: Schema.DateTimeUtcFromDate,
  chart_entry_id: Schema.String
})

const questionnaires = (rows: ReadonlyArray<unknown>) =>
  decodeRows(QuestionnaireRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Questionnaire.Questionnaire)({
      id: row.id,
      clinicId: row.clinic_id,
      title: row.title,
      items: row.items,
      createdAt: row.created_at
    })
  )

const tasks = (rows: ReadonlyArray<unknown>) =>
  decodeRows(TaskRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Questionnaire.PreVisitTask)({
      id: row.id,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      appointmentId: row.appointment_id,
      questionnaireId: row.questionnaire_id,
      status: row.status,
      createdAt: row.created_at,
      completedAt: row.completed_at,
      cancelledAt: row.cancelled_at
    })
  )

const responses = (rows: ReadonlyArray<unknown>) =>
  decodeRows(ResponseRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Questionnaire.QuestionnaireResponse)({
      taskId: row.task_id,
      questionnaireId: row.questionnaire_id,
      appointmentId: row.appointment_id,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      answers: row.answers,
      authoredAt: row.authored_at,
      chartEntryId: row.chart_entry_id
    })
  )

const encodeItems = Schema.encodeSync(Schema.Array(Questionnaire.QuestionnaireItem))
const encodeAnswers = Schema.encodeSync(Schema.Array(Questionnaire.ResponseAnswer))

const date = (at: DateTime.Utc) => DateTime.toDateUtc(at)
const nullableDate = (at: DateTime.Utc | null) => (at === null ? null : DateTime.toDateUtc(at))

/** Questionnaires, tasks and responses in `questionnaires`, `pre_visit_tasks` and `questionnaire_responses`. */
export const layer: Layer.Layer<QuestionnaireRepo.QuestionnaireRepo, never, SqlClient.SqlClient> =
  Layer.effect(
    QuestionnaireRepo.QuestionnaireRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const taskColumns = sql`clinic_id, id, patient_id, appointment_id, questionnaire_id, status, created_at, completed_at, cancelled_at`
      const responseColumns = sql`clinic_id, task_id, questionnaire_id, appointment_id, patient_id, answers, authored_at, chart_entry_id`

      return QuestionnaireRepo.QuestionnaireRepo.of({
        // A replaced definition keeps its place in the clinic's list (its `position`), as in memory.
        saveQuestionnaire: (q) =>
          orDie(
            sql`
            INSERT INTO questionnaires (clinic_id, id, title, items, created_at)
            VALUES (${q.clinicId}, ${q.id}, ${q.title}, ${JSON.stringify(encodeItems(q.items))}::jsonb, ${date(q.createdAt)})
            ON CONFLICT (clinic_id, id) DO UPDATE SET title = EXCLUDED.title, items = EXCLUDED.items,
              created_at = EXCLUDED.created_at
          `.pipe(Effect.asVoid)
          ),
        findQuestionnaire: (id: Ids.QuestionnaireId) =>
          orDie(
            sql`SELECT clinic_id, id, title, items, created_at FROM questionnaires WHERE id = ${id} ORDER BY position LIMIT 1`.pipe(
              Effect.map((rows) => Option.fromUndefinedOr(questionnaires(rows)[0]))
            )
          ),
        listQuestionnaires: (clinicId) =>
          orDie(
            sql`SELECT clinic_id, id, title, items, created_at FROM questionnaires WHERE clinic_id = ${clinicId} ORDER BY position`.pipe(
              Effect.map(questionnaires)
            )
          ),
        // One insert per task, in order, so that a later task of the batch for the same
        // (appointment, questionnaire) meets the earlier one at the unique index.
        addTasks: (batch) =>
          orDie(
            sql.withTransaction(
              Effect.filter(batch, (task) =>
                sql`
                INSERT INTO pre_visit_tasks (clinic_id, id, patient_id, appointment_id, questionnaire_id, status,
                  created_at, completed_at, cancelled_at)
                VALUES (${task.clinicId}, ${task.id}, ${task.patientId}, ${task.appointmentId}, ${task.questionnaireId},
                  ${task.status}, ${date(task.createdAt)}, ${nullableDate(task.completedAt)}, ${nullableDate(task.cancelledAt)})
                ON CONFLICT (clinic_id, appointment_id, questionnaire_id) DO NOTHING
                RETURNING id
              `.pipe(Effect.map((rows) => rows.length > 0))
              )
            )
          ),
        findTask: (id) =>
          orDie(
            sql`SELECT ${taskColumns} FROM pre_visit_tasks WHERE id = ${id} ORDER BY position LIMIT 1`.pipe(
              Effect.map((rows) => Option.fromUndefinedOr(tasks(rows)[0]))
            )
          ),
        listTasks: (appointmentId) =>
          orDie(
            sql`SELECT ${taskColumns} FROM pre_visit_tasks WHERE appointment_id = ${appointmentId} ORDER BY position`.pipe(
              Effect.map(tasks)
            )
          ),
        // The conditional update is the decision: of concurrent completions, the ones that wait
        // on the row lock re-check `status` after the winner commits and update nothing.
        completeTask: (response) =>
          orDie(
            sql.withTransaction(
              Effect.gen(function* () {
                const completed = yield* sql`
                UPDATE pre_visit_tasks SET status = 'completed', completed_at = ${date(response.authoredAt)}
                WHERE id = ${response.taskId} AND status = 'open'
                RETURNING id
              `
                if (completed.length === 0) return false
                yield* sql`
                INSERT INTO questionnaire_responses (clinic_id, task_id, questionnaire_id, appointment_id, patient_id,
                  answers, authored_at, chart_entry_id)
                VALUES (${response.clinicId}, ${response.taskId}, ${response.questionnaireId}, ${response.appointmentId},
                  ${response.patientId}, ${JSON.stringify(encodeAnswers(response.answers))}::jsonb,
                  ${date(response.authoredAt)}, ${response.chartEntryId})
              `
                return true
              })
            )
          ),
        cancelOpenTasks: (appointmentId, at) =>
          orDie(
            sql`
            WITH cancelled AS (
              UPDATE pre_visit_tasks SET status = 'cancelled', cancelled_at = ${date(at)}
              WHERE appointment_id = ${appointmentId} AND status = 'open'
              RETURNING position, ${taskColumns}
            )
            SELECT ${taskColumns} FROM cancelled ORDER BY position
          `.pipe(Effect.map(tasks))
          ),
        findResponse: (taskId) =>
          orDie(
            sql`SELECT ${responseColumns} FROM questionnaire_responses WHERE task_id = ${taskId} LIMIT 1`.pipe(
              Effect.map((rows) => Option.fromUndefinedOr(responses(rows)[0]))
            )
          )
      })
    })
  )
