/**
 * The contract of `QuestionnaireRepo`: definitions read back as saved and list in the order
 * first saved; an appointment gets at most one task per questionnaire (whatever its status),
 * also when tasks are added concurrently; a task is completed, and its response recorded, at
 * most once, also under concurrent completions; cancelling touches only open tasks.
 */
import { DateTime, Effect, Option } from "effect"
import { AppointmentId, ChartEntryId, ClinicId, PatientId, QuestionnaireId, TaskId } from "../../Ids.ts"
import { PreVisitTask, Questionnaire, QuestionnaireResponse } from "../../Questionnaire.ts"
import { QuestionnaireRepo } from "../../QuestionnaireRepo.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-05-01T09:00:00.000Z")
const minutes = (n: number) => DateTime.addDuration(T0, `${n} minutes`)

/** A clinic, a patient and two appointments of its own, so that a case sees only its own records. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    clinicId: ClinicId.make(`clinic-${id}`),
    otherClinic: ClinicId.make(`clinic-other-${id}`),
    patient: PatientId.make(`patient-${id}`),
    appointment: AppointmentId.make(`appointment-${id}`),
    otherAppointment: AppointmentId.make(`appointment-other-${id}`)
  }
})

type World = Effect.Success<typeof world>

const makeQuestionnaire = (
  w: World,
  overrides: Partial<ConstructorParameters<typeof Questionnaire>[0]> = {}
) =>
  Effect.map(
    uuid,
    (id) =>
      new Questionnaire({
        id: QuestionnaireId.make(`questionnaire-${id}`),
        clinicId: w.clinicId,
        title: "Before your visit",
        items: [
          { type: "text", linkId: "concern", text: "What brings you in?", required: true, maxLength: 500 },
          { type: "boolean", linkId: "allergies", text: "Any allergies?", required: false },
          {
            type: "choice",
            linkId: "mood",
            text: "Mood",
            required: false,
            options: ["good", "fair", "poor"]
          },
          {
            type: "multiple-choice",
            linkId: "symptoms",
            text: "Symptoms",
            required: false,
            options: ["cough", "fever", "rash"]
          },
          { type: "integer", linkId: "pain", text: "Pain 0–10", required: true, minValue: 0, maxValue: 10 },
          { type: "integer", linkId: "cups", text: "Cups of coffee a day", required: false },
          { type: "date", linkId: "since", text: "Since when?", required: false }
        ],
        createdAt: T0,
        ...overrides
      })
  )

const makeTask = (w: World, overrides: Partial<ConstructorParameters<typeof PreVisitTask>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new PreVisitTask({
        id: TaskId.make(`task-${id}`),
        clinicId: w.clinicId,
        patientId: w.patient,
        appointmentId: w.appointment,
        questionnaireId: QuestionnaireId.make(`questionnaire-${id}`),
        status: "open",
        createdAt: T0,
        completedAt: null,
        cancelledAt: null,
        ...overrides
      })
  )

const responseTo = (task: PreVisitTask, authoredAt: DateTime.Utc = minutes(5)) =>
  Effect.map(
    uuid,
    (id) =>
      new QuestionnaireResponse({
        taskId: task.id,
        questionnaireId: task.questionnaireId,
        appointmentId: task.appointmentId,
        clinicId: task.clinicId,
        patientId: task.patientId,
        answers: [
          { linkId: "concern", answer: "A cough that will not go away — 3 weeks" },
          { linkId: "allergies", answer: false },
          { linkId: "symptoms", answer: ["fever", "cough"] },
          { linkId: "pain", answer: 4 },
          { linkId: "since", answer: "2030-04-10" }
        ],
        authoredAt,
        chartEntryId: ChartEntryId.make(`chart-entry-${id}`)
      })
  )

const current = (id: TaskId) =>
  Effect.gen(function* () {
    const found = yield* (yield* QuestionnaireRepo).findTask(id)
    yield* expect(Option.isSome(found), `task ${id} is gone`)
    return Option.getOrThrow(found)
  })

/** The behaviours of every `QuestionnaireRepo`. */
export const QuestionnaireRepoContract: Contract<QuestionnaireRepo> = [
  contractCase(
    "a definition reads back as saved; a clinic's definitions list in the order first saved, a replaced one in its place",
    Effect.gen(function* () {
      const repo = yield* QuestionnaireRepo
      const w = yield* world
      yield* expectEqual(yield* repo.listQuestionnaires(w.clinicId), [], "a clinic without definitions")
      // Created "later" but saved first: the listing follows saving, not `createdAt`.
      const first = yield* makeQuestionnaire(w, { createdAt: minutes(10) })
      const second = yield* makeQuestionnaire(w, { title: "Follow-up", items: [] })
      const elsewhere = yield* makeQuestionnaire(w, { clinicId: w.otherClinic })
      yield* repo.saveQuestionnaire(first)
      yield* repo.saveQuestionnaire(elsewhere)
      yield* repo.saveQuestionnaire(second)
      yield* expectEqual(
        yield* repo.findQuestionnaire(first.id),
        Option.some(first),
        "the definition read back"
      )
      yield* expectEqual(
        yield* repo.listQuestionnaires(w.clinicId),
        [first, second],
        "the clinic's definitions"
      )
      const replaced = new Questionnaire({
        ...first,
        title: "Before your visit (v2)",
        items: first.items.slice(1)
      })
      yield* repo.saveQuestionnaire(replaced)
      yield* expectEqual(
        yield* repo.findQuestionnaire(first.id),
        Option.some(replaced),
        "the replaced definition"
      )
      yield* expectEqual(
        yield* repo.listQuestionnaires(w.clinicId),
        [replaced, second],
        "the clinic's definitions after the replacement"
      )
      yield* expectEqual(yield* repo.listQuestionnaires(w.otherClinic), [elsewhere], "the other clinic's")
      yield* expectEqual(
        yield* repo.findQuestionnaire(QuestionnaireId.make(`questionnaire-missing-${yield* uuid}`)),
        Option.none(),
        "an unknown definition"
      )
    })
  ),

  contractCase(
    "addTasks inserts a task per (appointment, questionnaire) once, whatever its status, and returns those it inserted",
    Effect.gen(function* () {
      const repo = yield* QuestionnaireRepo
      const w = yield* world
      const q1 = QuestionnaireId.make(`questionnaire-1-${yield* uuid}`)
      const q2 = QuestionnaireId.make(`questionnaire-2-${yield* uuid}`)
      const q3 = QuestionnaireId.make(`questionnaire-3-${yield* uuid}`)
      const t1 = yield* makeTask(w, { questionnaireId: q1 })
      const t2 = yield* makeTask(w, { questionnaireId: q2 })
      const twinInBatch = yield* makeTask(w, { questionnaireId: q1 })
      const forOther = yield* makeTask(w, { appointmentId: w.otherAppointment, questionnaireId: q1 })
      yield* expectEqual(
        yield* repo.addTasks([t1, t2, twinInBatch, forOther]),
        [t1, t2, forOther],
        "the first batch: the twin within it is left out"
      )
      yield* expectEqual(yield* repo.findTask(t1.id), Option.some(t1), "a task read back")
      yield* expectEqual(yield* repo.findTask(twinInBatch.id), Option.none(), "the twin was not stored")

      // A completed task and a cancelled one still hold their questionnaire's place.
      yield* expect(yield* repo.completeTask(yield* responseTo(t1)), "t1 completes")
      const cancelled = yield* repo.cancelOpenTasks(w.otherAppointment, minutes(1))
      yield* expectEqual(
        cancelled.map((t) => t.id),
        [forOther.id],
        "the other appointment's task cancelled"
      )
      const again1 = yield* makeTask(w, { questionnaireId: q1 })
      const again2 = yield* makeTask(w, { questionnaireId: q2 })
      const t3 = yield* makeTask(w, { questionnaireId: q3, createdAt: minutes(2) })
      const againOther = yield* makeTask(w, { appointmentId: w.otherAppointment, questionnaireId: q1 })
      yield* expectEqual(
        yield* repo.addTasks([again1, t3, again2, againOther]),
        [t3],
        "the second batch: only the new questionnaire"
      )
      yield* expectEqual(yield* repo.addTasks([]), [], "an empty batch")
      yield* expectEqual(
        yield* repo.listTasks(w.appointment),
        [yield* current(t1.id), t2, t3],
        "the appointment's tasks, in creation order"
      )
      yield* expectEqual(
        (yield* repo.listTasks(w.otherAppointment)).map((t) => [t.id, t.status]),
        [[forOther.id, "cancelled"]],
        "the other appointment's tasks"
      )
    })
  ),

  contractCase(
    "an open task completes once: it records the response and the time; later responses change nothing",
    Effect.gen(function* () {
      const repo = yield* QuestionnaireRepo
      const w = yield* world
      const task = yield* makeTask(w)
      yield* repo.addTasks([task])
      yield* expectEqual(yield* repo.findResponse(task.id), Option.none(), "no response before completion")
      const response = yield* responseTo(task, DateTime.makeUnsafe("2030-05-01T09:07:30.250Z"))
      yield* expectEqual(yield* repo.completeTask(response), true, "the first completion")
      yield* expectEqual(
        yield* current(task.id),
        new PreVisitTask({ ...task, status: "completed", completedAt: response.authoredAt }),
        "the completed task"
      )
      yield* expectEqual(yield* repo.findResponse(task.id), Option.some(response), "the recorded response")
      const late = yield* responseTo(task, minutes(9))
      yield* expectEqual(yield* repo.completeTask(late), false, "a second completion")
      yield* expectEqual(yield* repo.findResponse(task.id), Option.some(response), "the response kept")
      yield* expectEqual(
        (yield* current(task.id)).completedAt,
        response.authoredAt,
        "the completion time kept"
      )
      const unknown = yield* makeTask(w)
      yield* expectEqual(yield* repo.completeTask(yield* responseTo(unknown)), false, "an unknown task")
      yield* expectEqual(
        yield* repo.findResponse(unknown.id),
        Option.none(),
        "no response to an unknown task"
      )
      yield* expectEqual(yield* repo.findTask(unknown.id), Option.none(), "the unknown task is not created")
    })
  ),

  contractCase(
    "cancelOpenTasks cancels the appointment's open tasks only, returns them in creation order, and they no longer complete",
    Effect.gen(function* () {
      const repo = yield* QuestionnaireRepo
      const w = yield* world
      // Several open tasks on either side of a completed one, so that no other order passes by chance.
      const before = yield* Effect.forEach(Array.from({ length: 3 }), () => makeTask(w))
      const done = yield* makeTask(w)
      const after = yield* Effect.forEach(Array.from({ length: 3 }), () => makeTask(w))
      const elsewhere = yield* makeTask(w, { appointmentId: w.otherAppointment })
      yield* repo.addTasks([...before, done, ...after, elsewhere])
      const response = yield* responseTo(done)
      yield* expect(yield* repo.completeTask(response), "the middle task completes")
      const at = DateTime.makeUnsafe("2030-05-01T10:00:00.500Z")
      const cancel = (t: PreVisitTask) => new PreVisitTask({ ...t, status: "cancelled", cancelledAt: at })
      yield* expectEqual(
        yield* repo.cancelOpenTasks(w.appointment, at),
        [...before, ...after].map(cancel),
        "the cancelled tasks"
      )
      yield* expectEqual(
        yield* repo.listTasks(w.appointment),
        [
          ...before.map(cancel),
          new PreVisitTask({ ...done, status: "completed", completedAt: response.authoredAt }),
          ...after.map(cancel)
        ],
        "the appointment's tasks after cancelling"
      )
      yield* expectEqual(
        yield* repo.findTask(elsewhere.id),
        Option.some(elsewhere),
        "another appointment's task"
      )
      yield* expectEqual(yield* repo.cancelOpenTasks(w.appointment, minutes(90)), [], "cancelling again")
      yield* expectEqual(
        yield* repo.completeTask(yield* responseTo(after[0] as PreVisitTask)),
        false,
        "completing a cancelled task"
      )
      yield* expectEqual(
        yield* repo.findResponse((after[0] as PreVisitTask).id),
        Option.none(),
        "no response to a cancelled task"
      )
      yield* expectEqual(
        yield* repo.cancelOpenTasks(AppointmentId.make(`appointment-missing-${yield* uuid}`), at),
        [],
        "an appointment without tasks"
      )
    })
  ),

  contractCase(
    "of concurrent completions of one task exactly one succeeds, and its response is the one recorded",
    Effect.gen(function* () {
      const repo = yield* QuestionnaireRepo
      const w = yield* world
      const task = yield* makeTask(w)
      yield* repo.addTasks([task])
      const responses = yield* Effect.forEach(
        Array.from({ length: 16 }, (_, i) => i),
        (i) => responseTo(task, minutes(i + 1))
      )
      const outcomes = yield* Effect.forEach(responses, (r) => repo.completeTask(r), {
        concurrency: "unbounded"
      })
      const winners = responses.filter((_, i) => outcomes[i])
      yield* expectEqual(winners.length, 1, "completions that succeeded")
      const winner = winners[0] as QuestionnaireResponse
      yield* expectEqual(yield* repo.findResponse(task.id), Option.some(winner), "the recorded response")
      yield* expectEqual((yield* current(task.id)).completedAt, winner.authoredAt, "the completion time")
    })
  ),

  contractCase(
    "of concurrent batches adding a task for one appointment and questionnaire exactly one inserts",
    Effect.gen(function* () {
      const repo = yield* QuestionnaireRepo
      const w = yield* world
      const questionnaireId = QuestionnaireId.make(`questionnaire-${yield* uuid}`)
      const candidates = yield* Effect.forEach(Array.from({ length: 12 }), () =>
        makeTask(w, { questionnaireId })
      )
      const added = yield* Effect.forEach(candidates, (t) => repo.addTasks([t]), { concurrency: "unbounded" })
      const inserted = added.flat()
      yield* expectEqual(inserted.length, 1, "tasks inserted")
      yield* expectEqual(yield* repo.listTasks(w.appointment), inserted, "the appointment's tasks")
    })
  )
]
