/**
 * PreVisit: questionnaire definitions, tasks created from appointment events, and responses.
 * Property 6 (a response breaking any item rule is refused with exactly the failing items and
 * nothing filed; a valid one is filed exactly once, also under concurrency), property 1 for
 * tasks and chart entries, and the all-or-nothing filing of a response (property 10's part).
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, DateTime, Effect, Exit, Layer, Option, Schema, TxRef } from "effect"
import type { Appointment } from "../src/Appointment.ts"
import type { AppointmentRepo } from "../src/AppointmentRepo.ts"
import type { AuditLog } from "../src/AuditLog.ts"
import { ChartRepo, ChartRepoMemory } from "../src/Chart.ts"
import type { CodeGenerator } from "../src/CodeGenerator.ts"
import { ChartEntryId, QuestionnaireId, TaskId } from "../src/Ids.ts"
import { PreVisit } from "../src/PreVisit.ts"
import {
  type AnswerInput,
  PreVisitTask,
  type QuestionnaireDraft,
  type QuestionnaireItem,
  QuestionnaireResponse,
  type ResponseAnswer
} from "../src/Questionnaire.ts"
import { QuestionnaireRepo, QuestionnaireRepoMemory } from "../src/QuestionnaireRepo.ts"
import type { ScheduleRepo } from "../src/ScheduleRepo.ts"
import * as Testing from "../src/testing/index.ts"
import type { UnitOfWork } from "../src/UnitOfWork.ts"
import {
  auditOf,
  DAY,
  HOUR,
  MINUTE,
  otherClinicStaff,
  principalOf,
  seedAppointment,
  seedProvider,
  seedType,
  staff,
  updateAppointment
} from "./VisitSupport.ts"

// ---------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------

/** PreVisit on fresh in-memory ports; `chart` replaces the chart repository PreVisit writes to. */
const preVisitLayer = (chart?: Layer.Layer<ChartRepo, never, ChartRepoMemory>) => {
  const service: Layer.Layer<
    PreVisit,
    never,
    | AppointmentRepo
    | AuditLog
    | ChartRepo
    | ChartRepoMemory
    | CodeGenerator
    | QuestionnaireRepo
    | ScheduleRepo
    | UnitOfWork
  > = chart === undefined ? PreVisit.layer : PreVisit.layer.pipe(Layer.provide(chart))
  return service.pipe(
    Layer.provideMerge(QuestionnaireRepo.layerMemory),
    Layer.provideMerge(Testing.layerPortsMemory())
  )
}

/** A chart that writes the entry into the in-memory store and then fails, as a crashed database would. */
const failingChart = Layer.effect(
  ChartRepo,
  Effect.gen(function* () {
    const { state } = yield* ChartRepoMemory
    return ChartRepo.of({
      file: (entry) =>
        TxRef.update(state, (all) => [...all, entry]).pipe(
          Effect.andThen(Effect.die(new Error("chart storage failed mid-write")))
        ),
      findById: () => Effect.succeedNone,
      listByPatient: () => Effect.succeed([])
    })
  })
)

/**
 * A chart that yields to other fibers in the middle of filing, so concurrent responses really
 * interleave inside their units of work instead of running one after another.
 */
const interleavingChart = Layer.effect(
  ChartRepo,
  Effect.gen(function* () {
    const { state } = yield* ChartRepoMemory
    return ChartRepo.of({
      file: (entry) =>
        Effect.yieldNow.pipe(
          Effect.andThen(TxRef.update(state, (all) => [...all, entry])),
          Effect.andThen(Effect.yieldNow)
        ),
      findById: () => Effect.succeedNone,
      listByPatient: () => Effect.succeed([])
    })
  })
)

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const chartEntries = Effect.gen(function* () {
  return yield* TxRef.get((yield* ChartRepoMemory).state)
})

const repoState = Effect.gen(function* () {
  return yield* TxRef.get((yield* QuestionnaireRepoMemory).state)
})

/** Defines questionnaires, a type listing them, and a booked appointment of it; runs the `booked` handler. */
const bookWith = (options: {
  readonly drafts: ReadonlyArray<QuestionnaireDraft>
  readonly patientId: string
  readonly appointmentId?: string
  readonly startMs?: number
  readonly typeId?: string
}) =>
  Effect.gen(function* () {
    const preVisit = yield* PreVisit
    const questionnaires = yield* Effect.forEach(options.drafts, (d) =>
      preVisit.defineQuestionnaire(staff, d)
    )
    const type = yield* seedType({
      id: options.typeId ?? `type-${options.patientId}`,
      questionnaireIds: questionnaires.map((q) => q.id)
    })
    const appointment = yield* seedAppointment({
      id: options.appointmentId ?? `appt-${options.patientId}`,
      patientId: options.patientId,
      type,
      startMs: options.startMs ?? 3 * DAY
    })
    yield* preVisit.handlers.booked(appointment)
    const tasks = yield* (yield* QuestionnaireRepo).listTasks(appointment.id)
    return { appointment, questionnaires, tasks }
  })

const onlyTask = (tasks: ReadonlyArray<{ readonly id: TaskId }>) => {
  const task = tasks[0]
  if (task === undefined) throw new Error("no task was created")
  return task.id
}

/** A short questionnaire every test can answer. */
const intake: QuestionnaireDraft = {
  title: "Intake",
  items: [
    { type: "boolean", linkId: "smoker", text: "Do you smoke?", required: true },
    {
      type: "integer",
      linkId: "pain",
      text: "Pain today, 1 to 10",
      required: true,
      minValue: 1,
      maxValue: 10
    }
  ]
}
const intakeAnswers: ReadonlyArray<AnswerInput> = [
  { linkId: "smoker", answer: false },
  { linkId: "pain", answer: 4 }
]

// ---------------------------------------------------------------------------------------------
// Generated questionnaires and responses (property 6)
// ---------------------------------------------------------------------------------------------

const Int = (maximum: number) => Schema.Int.check(Schema.isBetween({ minimum: 0, maximum }))

/** One generated item: its type, flags, a few numbers to derive its rules and answers from. */
const ItemSpec = Schema.Struct({
  kind: Schema.Literals(["text", "boolean", "choice", "multiple-choice", "integer", "date"]),
  required: Schema.Boolean,
  /** Whether the valid response answers it when it is optional. */
  fill: Schema.Boolean,
  /** Whether the broken response breaks it. */
  broken: Schema.Boolean,
  how: Int(9999),
  p: Int(9999),
  q: Int(9999)
})
type ItemSpec = typeof ItemSpec.Type

/** An answer left out (as opposed to an explicit JSON value, null included). */
const OMIT = Symbol("omit")
/** The item answered twice (with its valid value). */
const TWICE = Symbol("twice")
type Given = Schema.Json | typeof OMIT | typeof TWICE

interface Breakage {
  readonly given: Given
  readonly problem: string
}

interface BuiltItem {
  readonly item: QuestionnaireItem
  /** A valid answer. */
  readonly valid: Schema.Json
  /** Every way to break it, each with the problem it must be reported as. */
  readonly breakages: ReadonlyArray<Breakage>
}

const pad = (n: number, width: number) => String(n).padStart(width, "0")

/** Derives an item, a valid answer and its breakages from a spec. */
const buildItem = (spec: ItemSpec, linkId: string): BuiltItem => {
  const base = { linkId, text: `Question ${linkId}`, required: spec.required }
  const { p, q } = spec
  const requiredBreaks = (...given: ReadonlyArray<Given>): Array<Breakage> =>
    spec.required ? given.map((g) => ({ given: g, problem: "required" })) : []
  const always: Array<Breakage> = [{ given: TWICE, problem: "answered-twice" }]
  switch (spec.kind) {
    case "text": {
      const maxLength = 1 + (p % 30)
      // An emoji is one character but two UTF-16 units: lengths count characters.
      const char = q % 2 === 0 ? "🙂" : "a"
      return {
        item: { type: "text", ...base, maxLength },
        valid: char.repeat(1 + (q % maxLength)),
        breakages: [
          ...always,
          { given: 7, problem: "wrong-type" },
          { given: char.repeat(maxLength + 1), problem: "too-long" },
          ...requiredBreaks(OMIT, null, "", "   ")
        ]
      }
    }
    case "boolean":
      return {
        item: { type: "boolean", ...base },
        valid: q % 2 === 0,
        breakages: [
          ...always,
          { given: "yes", problem: "wrong-type" },
          { given: 1, problem: "wrong-type" },
          ...requiredBreaks(OMIT, null)
        ]
      }
    case "choice":
    case "multiple-choice": {
      const options = Array.from({ length: 1 + (p % 5) }, (_, k) => `opt-${k}`)
      const first = options[0] ?? "opt-0"
      if (spec.kind === "choice") {
        return {
          item: { type: "choice", ...base, options },
          valid: options[q % options.length] ?? first,
          breakages: [
            ...always,
            { given: "not-listed", problem: "not-an-option" },
            { given: q, problem: "wrong-type" },
            { given: [first], problem: "wrong-type" },
            ...requiredBreaks(OMIT, null)
          ]
        }
      }
      const subset = options.filter((_, k) => ((q >> k) & 1) === 1)
      const valid = subset.length > 0 ? subset : [options[q % options.length] ?? first]
      return {
        item: { type: "multiple-choice", ...base, options },
        valid,
        breakages: [
          ...always,
          { given: [...valid, "not-listed"], problem: "not-an-option" },
          { given: [first, first], problem: "not-an-option" },
          { given: first, problem: "wrong-type" },
          { given: [1], problem: "wrong-type" },
          ...requiredBreaks(OMIT, null, [])
        ]
      }
    }
    case "integer": {
      const mode = p % 3
      const low = (q % 101) - 50
      const high = low + (p % 20)
      const minValue = mode === 2 ? undefined : low
      const maxValue = mode === 1 ? undefined : high
      const valid =
        mode === 0 ? low + (q % (high - low + 1)) : mode === 1 ? low + (q % 1000) : high - (q % 1000)
      const outside: Array<Breakage> = [
        ...(minValue === undefined ? [] : [{ given: minValue - 1, problem: "out-of-range" }]),
        ...(maxValue === undefined ? [] : [{ given: maxValue + 1, problem: "out-of-range" }])
      ]
      return {
        item: {
          type: "integer",
          ...base,
          ...(minValue === undefined ? {} : { minValue }),
          ...(maxValue === undefined ? {} : { maxValue })
        },
        valid,
        breakages: [
          ...always,
          ...outside,
          { given: valid + 0.5, problem: "wrong-type" },
          { given: String(valid), problem: "wrong-type" },
          ...requiredBreaks(OMIT, null)
        ]
      }
    }
    case "date": {
      const valid =
        p % 7 === 0
          ? "2024-02-29"
          : `${pad(1900 + (p % 200), 4)}-${pad(1 + (q % 12), 2)}-${pad(1 + ((q >> 4) % 28), 2)}`
      return {
        item: { type: "date", ...base },
        valid,
        breakages: [
          ...always,
          ...[
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-13-01",
            "2024-00-10",
            "15/03/2024",
            "2024-3-5"
          ].map((given) => ({ given, problem: "not-a-date" })),
          { given: 20240315, problem: "wrong-type" },
          { given: true, problem: "wrong-type" },
          ...requiredBreaks(OMIT, null)
        ]
      }
    }
  }
}

const showGiven = (given: Given) =>
  typeof given === "symbol" ? String(given.description) : JSON.stringify(given)

/** Appends what `given` means to an answer list. */
const give = (answers: Array<AnswerInput>, linkId: string, given: Given, valid: Schema.Json) => {
  if (given === OMIT) return
  if (given === TWICE) {
    answers.push({ linkId, answer: valid }, { linkId, answer: valid })
    return
  }
  answers.push({ linkId, answer: given })
}

interface Scenario {
  readonly draft: QuestionnaireDraft
  readonly valid: ReadonlyArray<AnswerInput>
  /** What the valid response must file: its answered items, in the definition's order. */
  readonly filed: ReadonlyArray<ResponseAnswer>
  /** The broken response and the problems it must be refused with (by linkId); none when nothing is broken. */
  readonly broken: ReadonlyArray<AnswerInput>
  readonly problems: ReadonlyArray<{ readonly linkId: string; readonly problem: string }>
}

const scenarioOf = (specs: ReadonlyArray<ItemSpec>, unknown: number, reversed: boolean): Scenario => {
  const built = specs.map((spec, i) => ({ spec, linkId: `q${i}`, ...buildItem(spec, `q${i}`) }))
  const valid: Array<AnswerInput> = []
  const filed: Array<ResponseAnswer> = []
  const broken: Array<AnswerInput> = []
  const problems: Array<{ linkId: string; problem: string }> = []
  for (const { spec, linkId, valid: value, breakages } of built) {
    if (spec.required || spec.fill) {
      valid.push({ linkId, answer: value })
      filed.push({ linkId, answer: value as ResponseAnswer["answer"] })
    } else if (spec.q % 3 === 0) {
      valid.push({ linkId, answer: null })
    }
    const breakage = spec.broken ? breakages[spec.how % breakages.length] : undefined
    if (breakage === undefined) {
      if (spec.required || spec.fill) broken.push({ linkId, answer: value })
    } else {
      give(broken, linkId, breakage.given, value)
      problems.push({ linkId, problem: breakage.problem })
    }
  }
  for (let j = 0; j < unknown; j++) {
    broken.push({ linkId: `extra-${j}`, answer: j })
    problems.push({ linkId: `extra-${j}`, problem: "unknown-item" })
  }
  return {
    draft: { title: "Generated", items: built.map((b) => b.item) },
    valid: reversed ? valid.reverse() : valid,
    filed,
    broken: reversed ? broken.reverse() : broken,
    problems: problems.sort((a, b) => a.linkId.localeCompare(b.linkId))
  }
}

const byLinkId = (items: ReadonlyArray<{ readonly linkId: string; readonly problem: string }>) =>
  items.map(({ linkId, problem }) => ({ linkId, problem })).sort((a, b) => a.linkId.localeCompare(b.linkId))

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("PreVisit: responses are checked and filed (property 6)", () => {
  it.effect.prop(
    "a response breaking any items is refused listing exactly those items, nothing filed; the valid one is filed once",
    {
      items: Schema.Array(ItemSpec).check(Schema.isBetweenLength(1, 8)),
      unknown: Int(2),
      reversed: Schema.Boolean
    },
    ({ items, unknown, reversed }) =>
      Effect.gen(function* () {
        const scenario = scenarioOf(items, unknown, reversed)
        const preVisit = yield* PreVisit
        const ada = principalOf("patient-ada")
        const { tasks, questionnaires, appointment } = yield* bookWith({
          drafts: [scenario.draft],
          patientId: "patient-ada"
        })
        const taskId = onlyTask(tasks)

        if (scenario.problems.length > 0) {
          const error = yield* Effect.flip(preVisit.respond(ada, taskId, scenario.broken))
          assert.strictEqual(error._tag, "QuestionnaireInvalid")
          if (error._tag !== "QuestionnaireInvalid") return
          assert.deepStrictEqual(byLinkId(error.items), scenario.problems)
          for (const item of error.items) assert.isAbove(item.message.length, 5)
          // Nothing filed, the task still open, no response recorded.
          assert.strictEqual((yield* chartEntries).length, 0)
          const state = yield* repoState
          assert.strictEqual(state.tasks.get(taskId)?.status, "open")
          assert.strictEqual(state.responses.size, 0)
          const refusals = yield* auditOf("task.responded")
          assert.deepStrictEqual(
            refusals.map((e) => [e.outcome, e.reason]),
            [["failure", "QuestionnaireInvalid"]]
          )
        }

        const response = yield* preVisit.respond(ada, taskId, scenario.valid)
        assert.deepStrictEqual(response.answers, scenario.filed)
        const entries = yield* chartEntries
        assert.strictEqual(entries.length, 1)
        const entry = entries[0]
        assert.strictEqual(entry?.id, response.chartEntryId)
        assert.strictEqual(entry?.kind, "questionnaire-response")
        assert.strictEqual(entry?.patientId, ada.patientId)
        assert.strictEqual(entry?.origin, `task:${taskId}`)
        assert.deepStrictEqual({ ...entry?.source }, { kind: "patient", id: ada.patientId })
        assert.deepStrictEqual(entry?.content, {
          questionnaireId: questionnaires[0]?.id ?? null,
          taskId,
          appointmentId: appointment.id,
          answers: scenario.filed.map((a) => ({ ...a }))
        })
        const state = yield* repoState
        assert.strictEqual(state.tasks.get(taskId)?.status, "completed")
        assert.deepStrictEqual(state.responses.get(taskId), response)

        // A task completes once: a second, equally valid response files nothing.
        const again = yield* Effect.flip(preVisit.respond(ada, taskId, scenario.valid))
        assert.strictEqual(again._tag, "TaskAlreadyCompleted")
        assert.strictEqual((yield* chartEntries).length, 1)
        // Every attempt is audited, against the patient, without any answer in it.
        const trail = yield* auditOf("task.responded")
        assert.deepStrictEqual(
          trail.map((e) => [e.outcome, e.reason ?? null, e.patientId, e.resource]),
          [
            ...(scenario.problems.length > 0
              ? [["failure", "QuestionnaireInvalid", ada.patientId, `task:${taskId}`]]
              : []),
            ["success", null, ada.patientId, `task:${taskId}`],
            ["failure", "TaskAlreadyCompleted", ada.patientId, `task:${taskId}`]
          ]
        )
        assert.deepStrictEqual(
          (yield* auditOf("chart-entry.filed")).map((e) => e.resource),
          [`chart-entry:${response.chartEntryId}`]
        )
      }).pipe(Effect.provide(preVisitLayer())),
    { timeout: 60_000, arbitrary: { runs: 60 } }
  )

  it.effect("each failing item says what to change", () =>
    Effect.gen(function* () {
      const preVisit = yield* PreVisit
      const ada = principalOf("patient-ada")
      const { tasks } = yield* bookWith({
        patientId: "patient-ada",
        drafts: [
          {
            title: "Before your visit",
            items: [
              { type: "text", linkId: "reason", text: "Reason for visit", required: true, maxLength: 10 },
              {
                type: "integer",
                linkId: "pain",
                text: "Pain, 1 to 10",
                required: true,
                minValue: 1,
                maxValue: 10
              },
              {
                type: "choice",
                linkId: "side",
                text: "Which side?",
                required: true,
                options: ["left", "right"]
              },
              { type: "date", linkId: "since", text: "Since when?", required: false },
              { type: "boolean", linkId: "fever", text: "Fever?", required: true },
              {
                type: "multiple-choice",
                linkId: "meds",
                text: "Medications",
                required: true,
                options: ["a", "b"]
              }
            ]
          }
        ]
      })
      const error = yield* Effect.flip(
        preVisit.respond(ada, onlyTask(tasks), [
          { linkId: "reason", answer: "far too long for this" },
          { linkId: "pain", answer: 11 },
          { linkId: "side", answer: "middle" },
          { linkId: "since", answer: "2023-02-29" },
          { linkId: "meds", answer: [] },
          { linkId: "allergies", answer: "none" }
        ])
      )
      assert.strictEqual(error._tag, "QuestionnaireInvalid")
      if (error._tag !== "QuestionnaireInvalid") return
      assert.deepStrictEqual(
        error.items.map((i) => [i.linkId, i.problem, i.message]),
        [
          ["allergies", "unknown-item", "there is no such question in this questionnaire; leave it out"],
          ["reason", "too-long", "must be at most 10 characters"],
          ["pain", "out-of-range", "must be between 1 and 10"],
          ["side", "not-an-option", 'not one of the options: choose one of "left", "right"'],
          ["since", "not-a-date", "not a date: write a real calendar date as YYYY-MM-DD, e.g. 2024-03-15"],
          ["fever", "required", "required: this question needs an answer"],
          ["meds", "required", "required: this question needs an answer"]
        ]
      )
      assert.include(error.message, "7 answers need attention")
      assert.include(error.message, "pain: must be between 1 and 10")
    }).pipe(Effect.provide(preVisitLayer()))
  )

  it.effect.prop(
    "of N concurrent valid responses to one task exactly one is filed; the others are told it is already completed",
    { n: Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 12 })) },
    ({ n }) =>
      Effect.gen(function* () {
        const preVisit = yield* PreVisit
        const ada = principalOf("patient-ada")
        const { tasks } = yield* bookWith({ drafts: [intake], patientId: "patient-ada" })
        const taskId = onlyTask(tasks)
        const results = yield* Effect.all(
          Array.from({ length: n }, () => Effect.result(preVisit.respond(ada, taskId, intakeAnswers))),
          { concurrency: "unbounded" }
        )
        const ok = results.filter((r) => r._tag === "Success")
        const refused = results.flatMap((r) => (r._tag === "Failure" ? [r.failure._tag] : []))
        assert.strictEqual(ok.length, 1)
        assert.deepStrictEqual(
          refused,
          Array.from({ length: n - 1 }, () => "TaskAlreadyCompleted")
        )
        assert.strictEqual((yield* chartEntries).length, 1)
        const state = yield* repoState
        assert.strictEqual(state.responses.size, 1)
        assert.strictEqual((yield* auditOf("chart-entry.filed")).length, 1)
      }).pipe(Effect.provide(preVisitLayer(interleavingChart))),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect(
    "a failure while filing leaves the task open, no response and no chart entry (one unit of work)",
    () =>
      Effect.gen(function* () {
        const preVisit = yield* PreVisit
        const ada = principalOf("patient-ada")
        const { tasks } = yield* bookWith({ drafts: [intake], patientId: "patient-ada" })
        const taskId = onlyTask(tasks)
        const exit = yield* Effect.exit(preVisit.respond(ada, taskId, intakeAnswers))
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.isTrue(Cause.hasDies(exit.cause))
        const state = yield* repoState
        assert.strictEqual(state.tasks.get(taskId)?.status, "open")
        assert.strictEqual(state.responses.size, 0)
        // The failing chart wrote the entry before failing: the unit rolled it back.
        assert.strictEqual((yield* chartEntries).length, 0)
        assert.strictEqual((yield* auditOf("chart-entry.filed")).length, 0)
        assert.deepStrictEqual(
          (yield* auditOf("task.responded")).map((e) => e.outcome),
          []
        )
      }).pipe(Effect.provide(preVisitLayer(failingChart)))
  )
})

describe("PreVisit: every way of breaking each item type", () => {
  // The property above picks one breakage per broken item at random; this walks all of them,
  // for each item type, required and optional, one at a time, next to valid answers to the rest.
  const specs: ReadonlyArray<ItemSpec> = (
    ["text", "boolean", "choice", "multiple-choice", "integer", "date"] as const
  )
    .flatMap((kind) => [true, false].map((required) => ({ kind, required })))
    .flatMap(({ kind, required }, i) =>
      [0, 1, 2].map((k) => ({
        kind,
        required,
        fill: true,
        broken: false,
        how: 0,
        p: 7 * i + k,
        q: 13 * i + 5 * k
      }))
    )
  const built = specs.map((spec, i) => ({ linkId: `q${i}`, ...buildItem(spec, `q${i}`) }))

  it.effect("each breakage is refused as its own problem, on its item alone", () =>
    Effect.gen(function* () {
      const preVisit = yield* PreVisit
      const ada = principalOf("patient-ada")
      const { tasks } = yield* bookWith({
        drafts: [{ title: "All kinds", items: built.map((b) => b.item) }],
        patientId: "patient-ada"
      })
      const taskId = onlyTask(tasks)
      let checked = 0
      for (const target of built) {
        for (const breakage of target.breakages) {
          const answers: Array<AnswerInput> = []
          for (const other of built) {
            if (other === target) give(answers, other.linkId, breakage.given, other.valid)
            else answers.push({ linkId: other.linkId, answer: other.valid })
          }
          const error = yield* Effect.flip(preVisit.respond(ada, taskId, answers))
          assert.strictEqual(error._tag, "QuestionnaireInvalid")
          if (error._tag !== "QuestionnaireInvalid") return
          assert.deepStrictEqual(
            byLinkId(error.items),
            [{ linkId: target.linkId, problem: breakage.problem }],
            `${target.item.type} ${target.linkId} given ${showGiven(breakage.given)}`
          )
          checked++
        }
      }
      assert.isAbove(checked, 150)
      assert.strictEqual((yield* chartEntries).length, 0)
      yield* preVisit.respond(
        ada,
        taskId,
        built.map((b) => ({ linkId: b.linkId, answer: b.valid }))
      )
      assert.strictEqual((yield* chartEntries).length, 1)
    }).pipe(Effect.provide(preVisitLayer()))
  )
})

describe("QuestionnaireRepo: the rules it keeps atomically", () => {
  it.effect(
    "addTasks never adds a second task for the same appointment and questionnaire; completeTask completes once",
    () =>
      Effect.gen(function* () {
        const repo = yield* QuestionnaireRepo
        const { tasks } = yield* bookWith({ drafts: [intake], patientId: "patient-ada" })
        const task = tasks[0]
        if (task === undefined) return assert.fail("no task")
        const twin = new PreVisitTask({ ...task, id: TaskId.make("task-twin") })
        assert.deepStrictEqual(yield* repo.addTasks([twin]), [])
        assert.deepStrictEqual(
          (yield* repo.listTasks(task.appointmentId)).map((t) => t.id),
          [task.id]
        )
        const response = new QuestionnaireResponse({
          taskId: task.id,
          questionnaireId: task.questionnaireId,
          appointmentId: task.appointmentId,
          clinicId: task.clinicId,
          patientId: task.patientId,
          answers: [],
          authoredAt: DateTime.makeUnsafe(1),
          chartEntryId: ChartEntryId.make("entry-1")
        })
        assert.isTrue(yield* repo.completeTask(response))
        assert.isFalse(
          yield* repo.completeTask(
            new QuestionnaireResponse({ ...response, chartEntryId: ChartEntryId.make("entry-2") })
          )
        )
        assert.strictEqual(Option.getOrThrow(yield* repo.findResponse(task.id)).chartEntryId, "entry-1")
      }).pipe(Effect.provide(preVisitLayer()))
  )
})

describe("PreVisit: tasks follow the appointment", () => {
  it.effect(
    "booking creates one task per questionnaire of the type, once; moving keeps them; cancelling cancels the open ones",
    () =>
      Effect.gen(function* () {
        const preVisit = yield* PreVisit
        const repo = yield* QuestionnaireRepo
        const ada = principalOf("patient-ada")
        yield* seedProvider()
        const first = yield* preVisit.defineQuestionnaire(staff, intake)
        const second = yield* preVisit.defineQuestionnaire(staff, { ...intake, title: "Second" })
        // A questionnaire listed twice counts once; an unknown one is skipped, not fatal.
        const type = yield* seedType({
          questionnaireIds: [first.id, second.id, first.id, QuestionnaireId.make("no-such-questionnaire")]
        })
        const appointment = yield* seedAppointment({
          id: "appt-1",
          patientId: "patient-ada",
          type,
          startMs: 3 * DAY
        })
        yield* preVisit.handlers.booked(appointment)
        const tasks = yield* repo.listTasks(appointment.id)
        assert.deepStrictEqual(
          tasks.map((t) => [t.questionnaireId, t.status, t.patientId]),
          [
            [first.id, "open", ada.patientId],
            [second.id, "open", ada.patientId]
          ]
        )
        assert.strictEqual((yield* auditOf("task.created")).length, 2)

        // Booked again (a confirmed request, a replayed event) and moved: the same tasks.
        yield* preVisit.handlers.booked(appointment)
        yield* preVisit.respond(ada, onlyTask(tasks), intakeAnswers)
        const moved = yield* updateAppointment(appointment, {
          start: DateTime.makeUnsafe(4 * DAY),
          end: DateTime.makeUnsafe(4 * DAY + 30 * MINUTE)
        })
        yield* preVisit.handlers.rescheduled(appointment, moved)
        const afterMove = yield* repo.listTasks(appointment.id)
        assert.deepStrictEqual(
          afterMove.map((t) => [t.id, t.status]),
          [
            [tasks[0]?.id, "completed"],
            [tasks[1]?.id, "open"]
          ]
        )

        const views = yield* preVisit.tasksFor(ada, appointment.id)
        assert.deepStrictEqual(
          views.map((v) => [v.task.id, v.questionnaire.id, v.questionnaire.items.length]),
          [
            [tasks[0]?.id, first.id, 2],
            [tasks[1]?.id, second.id, 2]
          ]
        )
        assert.strictEqual((yield* auditOf("task.listed")).length, 1)

        // Cancelled: the open task is cancelled, the answered one stays answered and filed.
        const cancelled = yield* updateAppointment(appointment, { status: "cancelled" })
        yield* preVisit.handlers.cancelled(cancelled)
        const afterCancel = yield* repo.listTasks(appointment.id)
        assert.deepStrictEqual(
          afterCancel.map((t) => t.status),
          ["completed", "cancelled"]
        )
        const refused = yield* Effect.flip(
          preVisit.respond(ada, afterCancel[1]?.id ?? TaskId.make("x"), intakeAnswers)
        )
        assert.strictEqual(refused._tag, "TaskCancelled")
        assert.strictEqual((yield* chartEntries).length, 1)
        assert.strictEqual((yield* auditOf("task.cancelled")).length, 1)
      }).pipe(Effect.provide(preVisitLayer()))
  )

  it.effect("a type without questionnaires, or an appointment only requested and moved, gets no task", () =>
    Effect.gen(function* () {
      const preVisit = yield* PreVisit
      const q = yield* preVisit.defineQuestionnaire(staff, intake)
      const plain = yield* seedType({ id: "type-plain" })
      const withQ = yield* seedType({ id: "type-q", questionnaireIds: [q.id] })
      const a = yield* seedAppointment({
        id: "appt-a",
        patientId: "patient-ada",
        type: plain,
        startMs: 3 * DAY
      })
      yield* preVisit.handlers.booked(a)
      const requested = yield* seedAppointment({
        id: "appt-b",
        patientId: "patient-ada",
        type: withQ,
        startMs: 4 * DAY
      })
      const asRequest = yield* updateAppointment(requested, { status: "requested" })
      yield* preVisit.handlers.rescheduled(asRequest, asRequest)
      const state = yield* repoState
      assert.strictEqual(state.tasks.size, 0)
    }).pipe(Effect.provide(preVisitLayer()))
  )
})

describe("PreVisit: definitions", () => {
  it.effect("a definition is checked as a whole and every problem is reported by item", () =>
    Effect.gen(function* () {
      const preVisit = yield* PreVisit
      const error = yield* Effect.flip(
        preVisit.defineQuestionnaire(staff, {
          title: " ",
          items: [
            { type: "boolean", linkId: "dup", text: "One", required: true },
            { type: "boolean", linkId: "dup", text: "Two", required: false },
            { type: "choice", linkId: "c", text: "Pick", required: true, options: [] },
            { type: "multiple-choice", linkId: "m", text: "Pick some", required: false, options: ["x", "x"] },
            { type: "integer", linkId: "n", text: "Number", required: true, minValue: 5, maxValue: 1 },
            { type: "text", linkId: "t", text: "Text", required: true, maxLength: 0 },
            { type: "date", linkId: "bad id!", text: "Date", required: false },
            { type: "date", linkId: "d", text: "", required: false }
          ]
        })
      )
      assert.strictEqual(error._tag, "QuestionnaireDefinitionInvalid")
      assert.deepStrictEqual(
        error.problems.map((p) => p.linkId),
        [null, "dup", "c", "m", "n", "t", "bad id!", "d"]
      )
      assert.include(error.problems[4]?.message ?? "", "minValue (5) must not be greater than maxValue (1)")
      assert.strictEqual((yield* repoState).questionnaires.size, 0)
      assert.strictEqual((yield* auditOf("questionnaire.defined")).length, 0)

      const ok = yield* preVisit.defineQuestionnaire(staff, intake)
      assert.strictEqual(ok.clinicId, staff.clinicId)
      assert.deepStrictEqual(yield* preVisit.listQuestionnaires(staff), [ok])
      assert.strictEqual((yield* auditOf("questionnaire.defined")).length, 1)
    }).pipe(Effect.provide(preVisitLayer()))
  )

  it.effect("a task's questionnaire must be of the appointment's clinic", () =>
    Effect.gen(function* () {
      const preVisit = yield* PreVisit
      const elsewhere = yield* preVisit.defineQuestionnaire(otherClinicStaff, intake)
      const type = yield* seedType({ questionnaireIds: [elsewhere.id] })
      const a = yield* seedAppointment({ id: "appt-a", patientId: "patient-ada", type, startMs: 3 * DAY })
      yield* preVisit.handlers.booked(a)
      assert.strictEqual((yield* repoState).tasks.size, 0)
    }).pipe(Effect.provide(preVisitLayer()))
  )
})

describe("PreVisit: a patient reaches only their own tasks and answers (property 1)", () => {
  it.effect.prop(
    "patient A can neither see nor answer patient B's tasks nor read B's answers: always NotFound, as for a missing task",
    {
      a: Int(1000),
      b: Int(1000),
      otherClinic: Schema.Boolean
    },
    ({ a, b, otherClinic }) =>
      Effect.gen(function* () {
        const preVisit = yield* PreVisit
        const bId = `patient-b${b}`
        // A is another patient of the clinic, or B's own id in another clinic.
        const intruder = otherClinic
          ? principalOf(bId, "clinic-ottawa-east" as Appointment["clinicId"])
          : principalOf(a === b ? `patient-a${a}x` : `patient-a${a}`)
        const owner = principalOf(bId)
        const { appointment, tasks } = yield* bookWith({
          drafts: [intake, { ...intake, title: "Second" }],
          patientId: bId,
          startMs: 3 * DAY + b * HOUR
        })
        const [answered, open] = [tasks[0]?.id ?? TaskId.make("-"), tasks[1]?.id ?? TaskId.make("-")]
        yield* preVisit.respond(owner, answered, intakeAnswers)
        const missing = TaskId.make("task-that-does-not-exist")
        const missingError = yield* Effect.flip(preVisit.respond(intruder, missing, intakeAnswers))

        const attempts = [
          yield* Effect.flip(preVisit.tasksFor(intruder, appointment.id)),
          yield* Effect.flip(preVisit.respond(intruder, open, intakeAnswers)),
          yield* Effect.flip(preVisit.respond(intruder, answered, intakeAnswers)),
          yield* Effect.flip(preVisit.responseFor(intruder, answered)),
          yield* Effect.flip(preVisit.responseFor(intruder, open))
        ]
        assert.deepStrictEqual(
          attempts.map((e) => [e._tag, "kind" in e ? e.kind : null]),
          [
            ["NotFound", "appointment"],
            ["NotFound", "task"],
            ["NotFound", "task"],
            ["NotFound", "task"],
            ["NotFound", "task"]
          ]
        )
        // A foreign task answers exactly like a missing one.
        assert.deepStrictEqual(attempts[1], missingError)
        assert.strictEqual(attempts[1]?.message, missingError.message)

        // Nothing of B's changed; the intruder's chart holds nothing.
        const state = yield* repoState
        assert.strictEqual(state.tasks.get(open)?.status, "open")
        assert.strictEqual(state.responses.size, 1)
        const entries = yield* chartEntries
        assert.deepStrictEqual(
          entries.map((e) => e.patientId),
          [owner.patientId]
        )
        // The owner still reaches everything.
        assert.strictEqual((yield* preVisit.tasksFor(owner, appointment.id)).length, 2)
        assert.isTrue(Option.isSome(yield* preVisit.responseFor(owner, answered)))
        // Each refusal is audited against the caller, with the reason.
        const refusals = [
          ...(yield* auditOf("task.listed")),
          ...(yield* auditOf("task.responded")),
          ...(yield* auditOf("questionnaire-response.read"))
        ].filter((e) => e.outcome === "failure")
        assert.strictEqual(refusals.length, 6)
        for (const e of refusals) {
          assert.strictEqual(e.patientId, intruder.patientId)
          assert.strictEqual(e.reason, "NotFound")
        }
      }).pipe(Effect.provide(preVisitLayer())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )
})
