/**
 * `QuestionnaireRepo` on PostgreSQL: the same contract cases as the in-memory repository,
 * across a pool of connections (so the concurrent cases race for real), and a task's single
 * completion inside the caller's unit of work, as `PreVisit` runs it.
 */
import { Chart, Ids, Questionnaire, QuestionnaireRepo, UnitOfWork } from "@careportal/domain"
import { QuestionnaireRepoContract } from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { Data, DateTime, Effect, Layer, Option } from "effect"
import * as PgChartRepo from "../src/ChartRepo.ts"
import * as PgQuestionnaireRepo from "../src/QuestionnaireRepo.ts"
import * as PgUnitOfWork from "../src/UnitOfWork.ts"
import { testDatabase } from "./harness.ts"

const repos = Layer.mergeAll(PgQuestionnaireRepo.layer, PgChartRepo.layer, PgUnitOfWork.layer)

const T0 = DateTime.makeUnsafe("2030-05-01T09:00:00.000Z")

class AlreadyCompleted extends Data.TaggedError("AlreadyCompleted")<{}> {}

const openTask = (suffix: string) => {
  const id = `${suffix}-${crypto.randomUUID()}`
  return new Questionnaire.PreVisitTask({
    id: Ids.TaskId.make(`task-${id}`),
    clinicId: Ids.ClinicId.make(`clinic-${id}`),
    patientId: Ids.PatientId.make(`patient-${id}`),
    appointmentId: Ids.AppointmentId.make(`appointment-${id}`),
    questionnaireId: Ids.QuestionnaireId.make(`questionnaire-${id}`),
    status: "open",
    createdAt: T0,
    completedAt: null,
    cancelledAt: null
  })
}

const responseTo = (task: Questionnaire.PreVisitTask, i: number) =>
  new Questionnaire.QuestionnaireResponse({
    taskId: task.id,
    questionnaireId: task.questionnaireId,
    appointmentId: task.appointmentId,
    clinicId: task.clinicId,
    patientId: task.patientId,
    answers: [{ linkId: "attempt", answer: i }],
    authoredAt: DateTime.addDuration(T0, `${i + 1} seconds`),
    chartEntryId: Ids.ChartEntryId.make(`chart-entry-${i}-${task.id}`)
  })

/** What `PreVisit.respond` does in its unit: complete the task, then file the response in the chart. */
const respond = (response: Questionnaire.QuestionnaireResponse) =>
  Effect.gen(function* () {
    const repo = yield* QuestionnaireRepo.QuestionnaireRepo
    const chart = yield* Chart.ChartRepo
    const uow = yield* UnitOfWork.UnitOfWork
    return yield* uow.transaction(
      Effect.gen(function* () {
        if (!(yield* repo.completeTask(response))) return yield* new AlreadyCompleted()
        yield* chart.file(
          new Chart.ChartEntry({
            id: response.chartEntryId,
            clinicId: response.clinicId,
            patientId: response.patientId,
            kind: "questionnaire-response",
            source: { kind: "patient", id: response.patientId },
            origin: `task:${response.taskId}`,
            content: { answers: response.answers.map((a) => ({ ...a })) },
            filedAt: response.authoredAt
          })
        )
        return response
      })
    )
  })

layer(repos.pipe(Layer.provideMerge(testDatabase({ maxConnections: 8 }))), { timeout: 60_000 })(
  "QuestionnaireRepo (Postgres)",
  (it) => {
    for (const c of QuestionnaireRepoContract) it.effect(c.name, () => c.run)

    it.effect(
      "of 40 concurrent units each completing one task and filing its chart entry, exactly one commits",
      () =>
        Effect.gen(function* () {
          const repo = yield* QuestionnaireRepo.QuestionnaireRepo
          const chart = yield* Chart.ChartRepo
          const task = openTask("race")
          assert.strictEqual((yield* repo.addTasks([task])).length, 1)
          const responses = Array.from({ length: 40 }, (_, i) => responseTo(task, i))
          const outcomes = yield* Effect.forEach(responses, (r) => Effect.result(respond(r)), {
            concurrency: "unbounded"
          })
          const winners = outcomes.flatMap((o) => (o._tag === "Success" ? [o.success] : []))
          const losers = outcomes.flatMap((o) => (o._tag === "Failure" ? [o.failure._tag] : []))
          assert.strictEqual(winners.length, 1)
          assert.deepStrictEqual(
            losers,
            Array.from({ length: 39 }, () => "AlreadyCompleted")
          )
          const winner = winners[0] as Questionnaire.QuestionnaireResponse
          assert.deepStrictEqual(yield* repo.findResponse(task.id), Option.some(winner))
          const completed = Option.getOrThrow(yield* repo.findTask(task.id))
          assert.strictEqual(completed.status, "completed")
          assert.isTrue(DateTime.Equivalence(completed.completedAt as DateTime.Utc, winner.authoredAt))
          // One chart entry: the losers' entries were never filed (or rolled back with their unit).
          const entries = yield* chart.listByPatient(task.patientId)
          assert.deepStrictEqual(
            entries.map((e) => e.id),
            [winner.chartEntryId]
          )
        })
    )

    it.effect(
      "a completion whose unit fails later is rolled back: the task stays open and completes afterwards",
      () =>
        Effect.gen(function* () {
          const repo = yield* QuestionnaireRepo.QuestionnaireRepo
          const uow = yield* UnitOfWork.UnitOfWork
          const task = openTask("rollback")
          yield* repo.addTasks([task])
          const failed = yield* Effect.flip(
            uow.transaction(
              Effect.gen(function* () {
                assert.isTrue(yield* repo.completeTask(responseTo(task, 0)))
                return yield* Effect.fail("chart unavailable" as const)
              })
            )
          )
          assert.strictEqual(failed, "chart unavailable")
          assert.strictEqual(Option.getOrThrow(yield* repo.findTask(task.id)).status, "open")
          assert.isTrue(Option.isNone(yield* repo.findResponse(task.id)))
          const response = responseTo(task, 1)
          assert.deepStrictEqual(yield* respond(response), response)
          assert.deepStrictEqual(yield* repo.findResponse(task.id), Option.some(response))
        })
    )
  }
)
