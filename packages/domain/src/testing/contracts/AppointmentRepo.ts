/**
 * The contract of `AppointmentRepo`: appointments are kept as saved (a save replaces by id)
 * and listed by start time; a clinic's list comes a page at a time, by start then id, each
 * page strictly after the place the one before ended, and paging that way visits every
 * matching appointment exactly once; and the rule that matters under concurrency: a
 * provider's time is held by one active (requested or booked) appointment at most. A save
 * that would overlap another active appointment of the provider answers `SlotTaken` and
 * writes nothing, also when many saves race for one slot.
 */
import { Arbitrary, Array as Arr, DateTime, Effect, Exit, Option, Schema } from "effect"
import { Appointment, AppointmentStatus } from "../../Appointment.ts"
import {
  type AppointmentKey,
  AppointmentRepo,
  type ClinicAppointmentQuery,
  compareByStartThenId
} from "../../AppointmentRepo.ts"
import { AppointmentId, AppointmentTypeId, ClinicId, PatientId, ProviderId } from "../../Ids.ts"
import {
  intBetween as between,
  type Contract,
  ContractViolation,
  checkProperty,
  contractCase,
  expect,
  expectEqual,
  readPagesUntilEmpty,
  uniqueId as uuid
} from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-07-01T14:00:00.000Z")
const minutes = (n: number) => DateTime.addDuration(T0, `${n} minutes`)

/** A clinic with two providers and two patients of its own, so that a case sees only its own records. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    clinicId: ClinicId.make(`clinic-${id}`),
    otherClinic: ClinicId.make(`clinic-other-${id}`),
    provider: ProviderId.make(`provider-${id}`),
    colleague: ProviderId.make(`provider-colleague-${id}`),
    patient: PatientId.make(`patient-${id}`),
    other: PatientId.make(`patient-other-${id}`),
    type: AppointmentTypeId.make(`type-${id}`)
  }
})

type World = Effect.Success<typeof world>
type Fields = ConstructorParameters<typeof Appointment>[0]

/** An appointment from minute `from` to minute `to` (of the case's day). */
const makeAppointment = (w: World, from: number, to: number, overrides: Partial<Fields> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new Appointment({
        id: AppointmentId.make(`appointment-${id}`),
        clinicId: w.clinicId,
        patientId: w.patient,
        providerId: w.provider,
        typeId: w.type,
        mode: "in-person",
        start: minutes(from),
        end: minutes(to),
        status: "booked",
        createdAt: DateTime.subtractDuration(T0, "2 days"),
        updatedAt: DateTime.subtractDuration(T0, "1 day"),
        ...overrides
      })
  )

const save = (appointment: Appointment) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit((yield* AppointmentRepo).save(appointment))
    if (Exit.isFailure(exit)) {
      return yield* new ContractViolation({ message: `saving ${appointment.id} was refused` })
    }
    return appointment
  })

const saved = (w: World, from: number, to: number, overrides: Partial<Fields> = {}) =>
  Effect.flatMap(makeAppointment(w, from, to, overrides), save)

/** Saving it answers `SlotTaken`. */
const refused = (appointment: Appointment, what: string) =>
  Effect.gen(function* () {
    const result = yield* Effect.flip((yield* AppointmentRepo).save(appointment)).pipe(
      Effect.catchCause(() => Effect.succeed(undefined))
    )
    yield* expectEqual(result?._tag, "SlotTaken", what)
  })

/** The ids of `appointments`, in the order given: what the listing cases compare. */
const ids = (appointments: ReadonlyArray<Appointment>) => appointments.map((a) => a.id)

/** An appointment's place in the clinic's listing. */
const keyOf = (a: Appointment): AppointmentKey => ({ start: a.start, id: a.id })

/**
 * Reads a clinic's list page by page as the service does (each next page strictly after the
 * last appointment of the one before) until a page comes back empty. Stops after `guard`
 * pages, so that a store that never moves on fails the case instead of looping.
 */
const readAllPages = (query: Omit<ClinicAppointmentQuery, "after" | "limit">, limit: number, guard: number) =>
  Effect.gen(function* () {
    const repo = yield* AppointmentRepo
    return yield* readPagesUntilEmpty((after) => repo.listByClinic({ ...query, after, limit }), keyOf, guard)
  })

/**
 * A random diary of the case's clinic and of another (noise the first must never see): each
 * appointment in one of six half-hour slots (so several share a start, and ties go by id), for
 * one of two providers and two patients, in any status; read with a random filter in pages of
 * a random size. `from` and `to` are slots too.
 */
const PagingScenario = Arbitrary.schema(
  Schema.Struct({
    appointments: Schema.Array(
      Schema.Struct({
        foreign: Schema.Boolean,
        slot: between(0, 5),
        provider: between(0, 1),
        patient: between(0, 1),
        status: AppointmentStatus
      })
    ).check(Schema.isMaxLength(16)),
    pageSize: between(1, 7),
    status: Schema.optional(AppointmentStatus),
    provider: Schema.optional(between(0, 1)),
    patient: Schema.optional(between(0, 1)),
    from: Schema.optional(between(0, 6)),
    to: Schema.optional(between(0, 6))
  })
)

/** The behaviours of every `AppointmentRepo`. */
export const AppointmentRepoContract: Contract<AppointmentRepo> = [
  contractCase(
    "an appointment is found as saved, and a re-save replaces it; unknown ones are not found",
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo
      const w = yield* world
      const a = yield* saved(w, 0, 30, {
        mode: "virtual",
        status: "requested",
        start: DateTime.makeUnsafe("2030-07-01T14:00:00.125Z"),
        createdAt: DateTime.makeUnsafe("2030-06-01T08:15:30.999Z")
      })
      yield* expectEqual(yield* repo.findById(a.id), Option.some(a), "as saved")
      const moved = new Appointment({
        ...a,
        start: minutes(60),
        end: minutes(90),
        status: "booked",
        updatedAt: minutes(-30)
      })
      yield* save(moved)
      yield* expectEqual(yield* repo.findById(a.id), Option.some(moved), "replaced")
      yield* expectEqual(yield* repo.listByPatient(w.patient), [moved], "one appointment, not two")
      yield* expect(
        Option.isNone(yield* repo.findById(AppointmentId.make(`appointment-${yield* uuid}`))),
        "unknown"
      )
    })
  ),
  contractCase(
    "an active appointment overlapping another active one of the provider answers SlotTaken and writes nothing",
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo
      const w = yield* world
      const held = yield* saved(w, 60, 90)
      const requested = yield* saved(w, 120, 150, { status: "requested" })
      for (const [from, to, what] of [
        [60, 90, "the same time"],
        [75, 80, "inside it"],
        [30, 61, "over its start"],
        [89, 100, "over its end"],
        [0, 200, "around it"],
        [140, 160, "a requested appointment's time"]
      ] as const) {
        const clash = yield* makeAppointment(w, from, to, { patientId: w.other })
        yield* refused(clash, what)
        yield* expect(
          Option.isNone(yield* repo.findById(clash.id)),
          `a refused save (${what}) writes nothing`
        )
        yield* refused(new Appointment({ ...clash, status: "requested" }), `${what}, as a request`)
      }
      yield* saved(w, 30, 60)
      yield* saved(w, 90, 120)
      yield* saved(w, 60, 90, { providerId: w.colleague })
      yield* saved(w, 60, 90, { status: "cancelled" })
      yield* saved(w, 60, 90, { status: "completed" })
      yield* expectEqual(
        (yield* repo.listActiveByProvider(w.provider, T0, minutes(240))).map((a) => a.id).includes(held.id),
        true,
        "the held appointment"
      )
      // Moving an appointment over its own time is no clash; over another's is.
      const overItself = new Appointment({ ...held, start: minutes(70), end: minutes(90) })
      yield* save(overItself)
      yield* refused(
        new Appointment({ ...held, start: minutes(100), end: minutes(130) }),
        "moved over another"
      )
      yield* expectEqual(
        yield* repo.findById(held.id),
        Option.some(overItself),
        "the refused move changed nothing"
      )
      // A cancelled appointment frees its time; reviving it over a taken time is refused.
      const cancelled = new Appointment({ ...requested, status: "cancelled" })
      yield* save(cancelled)
      const taker = yield* saved(w, 120, 150, { patientId: w.other })
      yield* refused(new Appointment({ ...cancelled, status: "booked" }), "revived over a taken time")
      yield* expectEqual(yield* repo.findById(requested.id), Option.some(cancelled), "still cancelled")
      yield* expectEqual(yield* repo.findById(taker.id), Option.some(taker), "the new holder")
    })
  ),
  contractCase(
    "listByPatient gives the patient's appointments of any status by start time, ties in the order first saved",
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo
      const w = yield* world
      const late = yield* saved(w, 300, 330)
      const early = yield* saved(w, 0, 30, { status: "completed" })
      // Three at one start, saved in neither the order of their ids nor its reverse.
      const tie = (suffix: string) => AppointmentId.make(`appointment-tie-${w.patient}-${suffix}`)
      const tieB = yield* saved(w, 100, 130, { id: tie("b"), providerId: w.colleague })
      const tieC = yield* saved(w, 100, 120, { id: tie("c"), status: "cancelled" })
      const tieA = yield* saved(w, 100, 110, { id: tie("a"), status: "cancelled" })
      yield* saved(w, 200, 230, { patientId: w.other })
      yield* expectEqual(
        yield* repo.listByPatient(w.patient),
        [early, tieB, tieC, tieA, late],
        "by start time, ties in the order saved"
      )
      const movedB = new Appointment({ ...tieB, mode: "virtual" })
      yield* save(movedB)
      yield* expectEqual(
        yield* repo.listByPatient(w.patient),
        [early, movedB, tieC, tieA, late],
        "a re-save keeps its place"
      )
      yield* expectEqual(
        yield* repo.listByPatient(PatientId.make(`patient-${yield* uuid}`)),
        [],
        "no appointments"
      )
    })
  ),
  contractCase(
    "listActiveByProvider gives the provider's active appointments overlapping [from, to) by start time",
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo
      const w = yield* world
      const third = yield* saved(w, 120, 150)
      const first = yield* saved(w, 0, 30, { status: "requested" })
      const second = yield* saved(w, 60, 90)
      yield* saved(w, 60, 90, { status: "cancelled" })
      yield* saved(w, 0, 30, { status: "completed" })
      yield* saved(w, 0, 200, { providerId: w.colleague })
      const list = (from: number, to: number) =>
        repo.listActiveByProvider(w.provider, minutes(from), minutes(to))
      yield* expectEqual(yield* list(0, 200), [first, second, third], "all active ones")
      yield* expectEqual(yield* list(30, 60), [], "between them (touching both)")
      yield* expectEqual(yield* list(29, 61), [first, second], "overlapping by a minute")
      yield* expectEqual(yield* list(70, 80), [second], "inside one")
      yield* expectEqual(yield* list(150, 400), [], "after the last")
    })
  ),
  contractCase(
    "listByClinic filters by status, provider, patient and start (from inclusive, to exclusive), by start time",
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo
      const w = yield* world
      const a = yield* saved(w, 60, 90)
      const b = yield* saved(w, 0, 30, { status: "cancelled", patientId: w.other })
      const c = yield* saved(w, 120, 150, { providerId: w.colleague, status: "requested" })
      const d = yield* saved(w, 180, 210, { status: "completed" })
      yield* saved(w, 0, 30, { clinicId: w.otherClinic, providerId: ProviderId.make(`p-${w.otherClinic}`) })
      const q = (query: Omit<ClinicAppointmentQuery, "clinicId" | "limit">) =>
        repo.listByClinic({ clinicId: w.clinicId, limit: 100, ...query })
      yield* expectEqual(yield* q({}), [b, a, c, d], "all of the clinic's")
      yield* expectEqual(yield* q({ status: "cancelled" }), [b], "by status")
      yield* expectEqual(yield* q({ providerId: w.colleague }), [c], "by provider")
      yield* expectEqual(yield* q({ patientId: w.patient }), [a, c, d], "by patient")
      yield* expectEqual(yield* q({ from: minutes(60) }), [a, c, d], "from, inclusive")
      yield* expectEqual(yield* q({ to: minutes(120) }), [b, a], "to, exclusive")
      yield* expectEqual(yield* q({ from: minutes(61), to: minutes(181) }), [c, d], "a range")
      yield* expectEqual(
        yield* q({
          patientId: w.patient,
          providerId: w.provider,
          status: "booked",
          from: T0,
          to: minutes(400)
        }),
        [a],
        "every filter at once"
      )
      yield* expectEqual(
        yield* q({
          status: undefined,
          providerId: undefined,
          patientId: undefined,
          from: undefined,
          to: undefined
        }),
        [b, a, c, d],
        "filters left undefined match all"
      )
      yield* expectEqual(
        yield* repo.listByClinic({ clinicId: ClinicId.make(`c-${yield* uuid}`), limit: 100 }),
        [],
        "a clinic without"
      )
    })
  ),
  contractCase(
    "listByClinic: ties at one start go by id in code-point order; after is exclusive; at most limit, none below 1",
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo
      const w = yield* world
      // At one start, saved in neither the order of their ids nor its reverse. In UTF-16 units
      // "\u{1F600}" (a surrogate pair, 0xD83D…) sorts before "\uFF61"; by code point (and in a
      // database's "C" collation) after it.
      const tie = (suffix: string) => AppointmentId.make(`appointment-tie-${w.clinicId}-${suffix}`)
      const b = yield* saved(w, 60, 90, { id: tie("b") })
      const emoji = yield* saved(w, 60, 90, { id: tie("\u{1F600}"), status: "cancelled" })
      const a = yield* saved(w, 60, 90, { id: tie("a"), providerId: w.colleague })
      const halfwidth = yield* saved(w, 60, 90, { id: tie("\uFF61"), status: "completed" })
      const early = yield* saved(w, 0, 30)
      const late = yield* saved(w, 120, 150, { status: "cancelled" })
      const all = [early, a, b, halfwidth, emoji, late]
      yield* expect(
        [...all].sort(compareByStartThenId).every((x, i) => x === all[i]),
        "compareByStartThenId orders them so"
      )
      const list = (limit: number, after?: Appointment) =>
        Effect.map(
          repo.listByClinic({
            clinicId: w.clinicId,
            limit,
            ...(after === undefined ? {} : { after: keyOf(after) })
          }),
          ids
        )
      yield* expectEqual(yield* list(100), ids(all), "by start, ties by id")
      yield* expectEqual(yield* list(3), ids([early, a, b]), "the first three")
      yield* expectEqual(yield* list(2, a), ids([b, halfwidth]), "two after a tie, within the tie")
      yield* expectEqual(yield* list(100, halfwidth), ids([emoji, late]), "after the halfwidth id")
      yield* expectEqual(yield* list(100, late), [], "after the last")
      yield* expectEqual(yield* list(0), [], "a limit of zero")
      yield* expectEqual(yield* list(-1), [], "a negative limit")
      // A place no appointment holds: between two starts, or in a tie between two ids.
      const at = (minute: number, id: string, limit = 100) =>
        Effect.map(
          repo.listByClinic({
            clinicId: w.clinicId,
            limit,
            after: { start: minutes(minute), id: AppointmentId.make(id) }
          }),
          ids
        )
      yield* expectEqual(yield* at(30, "~"), ids([a, b, halfwidth, emoji, late]), "between two starts")
      yield* expectEqual(yield* at(60, tie("a0")), ids([b, halfwidth, emoji, late]), "inside a tie")
      yield* expectEqual(
        yield* repo.listByClinic({
          clinicId: w.clinicId,
          status: "cancelled",
          after: keyOf(b),
          limit: 1
        }),
        [emoji],
        "after and a filter together"
      )
    })
  ),
  contractCase(
    "paging listByClinic by the last appointment of each page visits every matching appointment exactly once, in order, in full pages",
    checkProperty(
      PagingScenario,
      (scenario) =>
        Effect.gen(function* () {
          const repo = yield* AppointmentRepo
          const w = yield* world
          const providers = [w.provider, w.colleague]
          const patients = [w.patient, w.other]
          const foreignProvider = ProviderId.make(`provider-${w.otherClinic}`)
          const stored: Array<Appointment> = []
          for (const spec of scenario.appointments) {
            const a = yield* makeAppointment(w, spec.slot * 30, spec.slot * 30 + 30, {
              clinicId: spec.foreign ? w.otherClinic : w.clinicId,
              providerId: spec.foreign ? foreignProvider : (providers[spec.provider] ?? w.provider),
              patientId: patients[spec.patient] ?? w.patient,
              status: spec.status
            })
            // A clash with an active appointment of the provider is refused and kept out.
            const exit = yield* Effect.exit(repo.save(a))
            if (Exit.isSuccess(exit)) stored.push(a)
          }
          const query = {
            clinicId: w.clinicId,
            status: scenario.status,
            providerId: scenario.provider === undefined ? undefined : providers[scenario.provider],
            patientId: scenario.patient === undefined ? undefined : patients[scenario.patient],
            from: scenario.from === undefined ? undefined : minutes(scenario.from * 30),
            to: scenario.to === undefined ? undefined : minutes(scenario.to * 30)
          }
          const expected = stored
            .filter(
              (a) =>
                a.clinicId === w.clinicId &&
                (query.status === undefined || a.status === query.status) &&
                (query.providerId === undefined || a.providerId === query.providerId) &&
                (query.patientId === undefined || a.patientId === query.patientId) &&
                (query.from === undefined || !DateTime.isLessThan(a.start, query.from)) &&
                (query.to === undefined || DateTime.isLessThan(a.start, query.to))
            )
            .sort(compareByStartThenId)
          const { pageSize } = scenario
          const pages = yield* readAllPages(query, pageSize, expected.length + 1)
          // Full pages but the last: the pages are the expected appointments cut every `pageSize`.
          yield* expectEqual(
            pages.map(ids),
            Arr.chunksOf(expected, pageSize).map(ids),
            `pages of ${pageSize}`
          )
          yield* expectEqual(pages.flat(), expected, "the appointments read back exactly as saved")
        }),
      { runs: 40, size: 30 }
    )
  ),
  contractCase(
    "concurrent saves for one slot: exactly one holds it, every other answers SlotTaken",
    Effect.gen(function* () {
      const repo = yield* AppointmentRepo
      const w = yield* world
      const candidates = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          makeAppointment(w, 60 + (i % 3) * 5, 90 + (i % 3) * 5, {
            patientId: PatientId.make(`${w.patient}-${i}`),
            status: i % 2 === 0 ? "booked" : "requested"
          })
        )
      )
      const outcomes = yield* Effect.all(
        candidates.map((c) =>
          repo.save(c).pipe(
            Effect.as("saved"),
            Effect.catchTag("SlotTaken", (e) => Effect.succeed(e._tag))
          )
        ),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(outcomes.filter((o) => o === "saved").length, 1, "saves that held the slot")
      yield* expectEqual(outcomes.filter((o) => o === "SlotTaken").length, 19, "saves refused")
      const winner = candidates[outcomes.indexOf("saved")]
      yield* expectEqual(
        yield* repo.listActiveByProvider(w.provider, T0, minutes(240)),
        winner === undefined ? [] : [winner],
        "the one appointment"
      )
    })
  )
]
