/**
 * The contract of `ScheduleRepo`: providers, appointment types and blocked periods are kept
 * as saved (a save replaces by id), listed per clinic in the order first saved, and a
 * provider's blocked periods are found by half-open overlap. As the services do, a case saves
 * a provider before blocking its time (an adapter may take the period's clinic from it).
 */
import { DateTime, Effect, Option } from "effect"
import { AppointmentType, BlockedPeriod, Provider, WeeklyHours } from "../../Appointment.ts"
import { AppointmentTypeId, BlockedPeriodId, ClinicId, ProviderId, QuestionnaireId } from "../../Ids.ts"
import { ScheduleRepo } from "../../ScheduleRepo.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-05-06T13:00:00.000Z")
const hours = (n: number) => DateTime.addDuration(T0, `${n * 60} minutes`)

/** A clinic of its own and another one, so that a case sees only its own records. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    clinicId: ClinicId.make(`clinic-${id}`),
    otherClinic: ClinicId.make(`clinic-other-${id}`),
    /** An id ending in `suffix`: cases save "b", "c", "a" so that neither id order matches the save order. */
    ordered: (suffix: string) => `${id}-${suffix}`
  }
})

type World = Effect.Success<typeof world>

const makeProvider = (w: World, overrides: Partial<ConstructorParameters<typeof Provider>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new Provider({
        id: ProviderId.make(`provider-${id}`),
        clinicId: w.clinicId,
        name: "Dr. Chen",
        weeklyHours: [
          new WeeklyHours({ weekday: 3, start: "13:00", end: "17:30" }),
          new WeeklyHours({ weekday: 1, start: "09:00", end: "12:00" }),
          new WeeklyHours({ weekday: 1, start: "13:00", end: "16:00" })
        ],
        ...overrides
      })
  )

const makeType = (w: World, overrides: Partial<ConstructorParameters<typeof AppointmentType>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new AppointmentType({
        id: AppointmentTypeId.make(`type-${id}`),
        clinicId: w.clinicId,
        name: "Follow-up",
        mode: "in-person",
        durationMinutes: 20,
        patientBooking: "book",
        questionnaireIds: [QuestionnaireId.make(`q-b-${id}`), QuestionnaireId.make(`q-a-${id}`)],
        ...overrides
      })
  )

const makePeriod = (providerId: ProviderId, start: DateTime.Utc, end: DateTime.Utc, id?: string) =>
  Effect.map(
    uuid,
    (random) =>
      new BlockedPeriod({ id: BlockedPeriodId.make(`blocked-${id ?? random}`), providerId, start, end })
  )

const savedProvider = (w: World, overrides: Partial<ConstructorParameters<typeof Provider>[0]> = {}) =>
  Effect.gen(function* () {
    const provider = yield* makeProvider(w, overrides)
    yield* (yield* ScheduleRepo).saveProvider(provider)
    return provider
  })

const blocked = (providerId: ProviderId, start: DateTime.Utc, end: DateTime.Utc, id?: string) =>
  Effect.gen(function* () {
    const period = yield* makePeriod(providerId, start, end, id)
    yield* (yield* ScheduleRepo).saveBlocked(period)
    return period
  })

/** The behaviours of every `ScheduleRepo`. */
export const ScheduleRepoContract: Contract<ScheduleRepo> = [
  contractCase(
    "a provider is found as saved, a re-save replaces it in place, and a clinic lists its own in the order first saved",
    Effect.gen(function* () {
      const repo = yield* ScheduleRepo
      const w = yield* world
      const chen = yield* savedProvider(w, {
        id: ProviderId.make(`provider-${w.ordered("b")}`),
        meetingUrl: "https://meet.example.org/chen"
      })
      const patel = yield* savedProvider(w, {
        id: ProviderId.make(`provider-${w.ordered("c")}`),
        name: "Dr. Patel",
        weeklyHours: []
      })
      const amir = yield* savedProvider(w, {
        id: ProviderId.make(`provider-${w.ordered("a")}`),
        name: "Dr. Amir"
      })
      const elsewhere = yield* savedProvider(w, { clinicId: w.otherClinic })
      yield* expectEqual(yield* repo.findProvider(chen.id), Option.some(chen), "with a meeting URL")
      yield* expectEqual(yield* repo.findProvider(patel.id), Option.some(patel), "without hours or URL")
      yield* expectEqual(yield* repo.listProviders(w.clinicId), [chen, patel, amir], "the clinic's providers")
      yield* expectEqual(yield* repo.listProviders(w.otherClinic), [elsewhere], "the other clinic's")
      const renamed = new Provider({
        id: chen.id,
        clinicId: w.clinicId,
        name: "Dr. Chen-Li",
        weeklyHours: [new WeeklyHours({ weekday: 7, start: "08:00", end: "09:00" })]
      })
      yield* repo.saveProvider(renamed)
      yield* expectEqual(yield* repo.findProvider(chen.id), Option.some(renamed), "replaced (URL removed)")
      yield* expectEqual(yield* repo.listProviders(w.clinicId), [renamed, patel, amir], "in its first place")
      yield* expect(
        Option.isNone(yield* repo.findProvider(ProviderId.make(`provider-${yield* uuid}`))),
        "unknown"
      )
      yield* expectEqual(
        yield* repo.listProviders(ClinicId.make(`clinic-${yield* uuid}`)),
        [],
        "a clinic without"
      )
    })
  ),
  contractCase(
    "an appointment type is found as saved, a re-save replaces it in place, and a clinic lists its own in the order first saved",
    Effect.gen(function* () {
      const repo = yield* ScheduleRepo
      const w = yield* world
      const followUp = yield* makeType(w, { id: AppointmentTypeId.make(`type-${w.ordered("b")}`) })
      const video = yield* makeType(w, {
        id: AppointmentTypeId.make(`type-${w.ordered("c")}`),
        name: "Video visit",
        mode: "virtual",
        durationMinutes: 480,
        patientBooking: "request",
        questionnaireIds: []
      })
      const elsewhere = yield* makeType(w, { clinicId: w.otherClinic, durationMinutes: 5 })
      const intake = yield* makeType(w, {
        id: AppointmentTypeId.make(`type-${w.ordered("a")}`),
        name: "Intake"
      })
      for (const t of [followUp, video, elsewhere, intake]) yield* repo.saveType(t)
      yield* expectEqual(yield* repo.findType(followUp.id), Option.some(followUp), "questionnaires in order")
      yield* expectEqual(yield* repo.findType(video.id), Option.some(video), "a virtual type")
      yield* expectEqual(yield* repo.listTypes(w.clinicId), [followUp, video, intake], "the clinic's types")
      yield* expectEqual(yield* repo.listTypes(w.otherClinic), [elsewhere], "the other clinic's")
      const changed = new AppointmentType({ ...followUp, durationMinutes: 45, questionnaireIds: [] })
      yield* repo.saveType(changed)
      yield* expectEqual(yield* repo.findType(followUp.id), Option.some(changed), "replaced")
      yield* expectEqual(yield* repo.listTypes(w.clinicId), [changed, video, intake], "in its first place")
      yield* expect(
        Option.isNone(yield* repo.findType(AppointmentTypeId.make(`type-${yield* uuid}`))),
        "unknown"
      )
    })
  ),
  contractCase(
    "a blocked period is found as saved, replaced by a re-save, and gone once removed",
    Effect.gen(function* () {
      const repo = yield* ScheduleRepo
      const w = yield* world
      const provider = yield* savedProvider(w)
      const period = yield* blocked(provider.id, DateTime.makeUnsafe("2030-05-06T13:00:00.250Z"), hours(2))
      yield* expectEqual(yield* repo.findBlocked(period.id), Option.some(period), "as saved")
      const moved = new BlockedPeriod({ ...period, start: hours(3), end: hours(4) })
      yield* repo.saveBlocked(moved)
      yield* expectEqual(yield* repo.findBlocked(period.id), Option.some(moved), "replaced")
      yield* expectEqual(yield* repo.listBlocked(provider.id, T0, hours(10)), [moved], "one period")
      yield* repo.removeBlocked(period.id)
      yield* expect(Option.isNone(yield* repo.findBlocked(period.id)), "removed")
      yield* expectEqual(yield* repo.listBlocked(provider.id, T0, hours(10)), [], "none listed")
      yield* repo.removeBlocked(period.id)
      yield* repo.removeBlocked(BlockedPeriodId.make(`blocked-${yield* uuid}`))
      yield* expect(
        Option.isNone(yield* repo.findBlocked(period.id)),
        "removing twice or unknown is harmless"
      )
    })
  ),
  contractCase(
    "listBlocked gives the provider's periods that overlap [from, to) (touching ones do not), in the order saved",
    Effect.gen(function* () {
      const repo = yield* ScheduleRepo
      const w = yield* world
      const provider = yield* savedProvider(w)
      const colleague = yield* savedProvider(w)
      const late = yield* blocked(provider.id, hours(10), hours(12), w.ordered("b"))
      const early = yield* blocked(provider.id, hours(2), hours(4), w.ordered("c"))
      const long = yield* blocked(provider.id, hours(0), hours(24), w.ordered("a"))
      yield* blocked(colleague.id, hours(0), hours(24))
      yield* expectEqual(
        yield* repo.listBlocked(provider.id, hours(4), hours(10)),
        [long],
        "touching both ends"
      )
      yield* expectEqual(
        yield* repo.listBlocked(provider.id, hours(3), hours(11)),
        [late, early, long],
        "overlapping"
      )
      yield* expectEqual(
        yield* repo.listBlocked(provider.id, DateTime.subtractDuration(hours(12), "1 millis"), hours(30)),
        [late, long],
        "the last millisecond of a period"
      )
      yield* expectEqual(yield* repo.listBlocked(provider.id, hours(24), hours(30)), [], "after all of them")
      yield* expectEqual(yield* repo.listBlocked(provider.id, hours(11), hours(11.5)), [late, long], "inside")
      yield* repo.removeBlocked(early.id)
      yield* repo.saveBlocked(early)
      yield* expectEqual(
        yield* repo.listBlocked(provider.id, hours(0), hours(24)),
        [late, long, early],
        "a period saved again after removal comes last"
      )
    })
  )
]
