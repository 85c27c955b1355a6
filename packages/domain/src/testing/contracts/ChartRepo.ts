/**
 * The contract of `ChartRepo`: an entry reads back exactly as it was filed (its JSON `content`
 * included, key order and all), and a patient's chart lists newest filed first.
 */
import { DateTime, Effect, Option } from "effect"
import { Actor } from "../../AuditEvent.ts"
import { ChartEntry, ChartRepo } from "../../Chart.ts"
import { ChartEntryId, ClinicId, PatientId } from "../../Ids.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-04-01T09:00:00.000Z")

/** A clinic and two patients of its own, so that a case sees only its own entries. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    clinicId: ClinicId.make(`clinic-${id}`),
    patient: PatientId.make(`patient-${id}`),
    other: PatientId.make(`patient-other-${id}`)
  }
})

type World = Effect.Success<typeof world>

const makeEntry = (w: World, overrides: Partial<ConstructorParameters<typeof ChartEntry>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new ChartEntry({
        id: ChartEntryId.make(`chart-entry-${id}`),
        clinicId: w.clinicId,
        patientId: w.patient,
        kind: "questionnaire-response",
        source: new Actor({ kind: "patient", id: w.patient }),
        origin: `task:${id}`,
        content: { answers: [] },
        filedAt: T0,
        ...overrides
      })
  )

const filed = (w: World, overrides: Partial<ConstructorParameters<typeof ChartEntry>[0]> = {}) =>
  Effect.gen(function* () {
    const entry = yield* makeEntry(w, overrides)
    yield* (yield* ChartRepo).file(entry)
    return entry
  })

/** JSON that a store normalising its content (reordering keys, rewriting numbers) would change. */
const awkwardContent = {
  zeta: 1,
  alpha: { "ü-key": "naïve café ☕ 𝄞", nested: [3, "two", null, true, { b: 2, a: 1 }], empty: {} },
  numbers: [0.1, -2.5e-7, 1e21, 9007199254740991, -0, 123456789.125],
  "": "empty key",
  escapes: 'quote " backslash \\ newline \n tab \t nul \u0000',
  list: [],
  yes: false,
  none: null,
  B: "upper",
  a: "lower"
}

/** The behaviours of every `ChartRepo`. */
export const ChartRepoContract: Contract<ChartRepo> = [
  contractCase(
    "a filed entry reads back exactly as filed, its JSON content key for key; an unknown id is not found",
    Effect.gen(function* () {
      const chart = yield* ChartRepo
      const w = yield* world
      const entry = yield* filed(w, {
        kind: "photo",
        source: new Actor({ kind: "staff", id: "staff-nurse" }),
        origin: "upload-request:abc",
        content: awkwardContent,
        filedAt: DateTime.makeUnsafe("2030-04-01T09:00:00.123Z")
      })
      const found = yield* chart.findById(entry.id)
      yield* expect(Option.isSome(found), "the filed entry is not found")
      yield* expectEqual(Option.getOrThrow(found), entry, "the entry read back")
      // Key order too: the chart keeps what was filed, not a normalised copy of it.
      yield* expectEqual(
        Object.keys(Option.getOrThrow(found).content as object),
        Object.keys(awkwardContent),
        "the content's keys, in order"
      )
      const system = yield* filed(w, {
        kind: "demographics-change",
        source: new Actor({ kind: "system" }),
        origin: `patient:${w.patient}`,
        content: "a bare string is JSON too"
      })
      yield* expectEqual(
        yield* chart.findById(system.id),
        Option.some(system),
        "an entry filed by the system"
      )
      yield* expectEqual(
        yield* chart.findById(ChartEntryId.make(`chart-entry-missing-${yield* uuid}`)),
        Option.none(),
        "an unknown entry"
      )
    })
  ),

  contractCase(
    "a patient's chart lists only their entries, the last filed first, also when filed at one instant",
    Effect.gen(function* () {
      const chart = yield* ChartRepo
      const w = yield* world
      yield* expectEqual(yield* chart.listByPatient(w.patient), [], "an empty chart")
      const first = yield* filed(w, { content: { n: 1 } })
      const theirs = yield* filed(w, { patientId: w.other, content: { n: 0 } })
      const second = yield* filed(w, { kind: "photo", content: { n: 2 } })
      const third = yield* filed(w, { kind: "demographics-change", content: { n: 3 } })
      yield* expectEqual(yield* chart.listByPatient(w.patient), [third, second, first], "the patient's chart")
      yield* expectEqual(yield* chart.listByPatient(w.other), [theirs], "the other patient's chart")
    })
  )
]
