/**
 * The contract of `UploadRepo`: a request reads back as saved and saving replaces it; a
 * patient's requests list newest first (ties by id, code-point order); and the rule `Uploads`
 * relies on under concurrency: of concurrent units of work that each read one open request and
 * save it used, exactly one finds it open.
 */
import { DateTime, Effect, Option } from "effect"
import { ChartEntryId, ClinicId, PatientId, StaffId, UploadRequestId } from "../../Ids.ts"
import { UnitOfWork } from "../../UnitOfWork.ts"
import { UploadRequest } from "../../Upload.ts"
import { UploadRepo } from "../../UploadRepo.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-08-01T09:00:00.000Z")
const minutes = (n: number) => DateTime.addDuration(T0, `${n} minutes`)

/** A clinic and two patients of its own, so that a case sees only its own requests. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    id,
    clinicId: ClinicId.make(`clinic-${id}`),
    otherClinic: ClinicId.make(`clinic-other-${id}`),
    patient: PatientId.make(`patient-${id}`),
    other: PatientId.make(`patient-other-${id}`)
  }
})

type World = Effect.Success<typeof world>

const makeRequest = (w: World, overrides: Partial<ConstructorParameters<typeof UploadRequest>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new UploadRequest({
        id: UploadRequestId.make(`upload-request-${id}`),
        clinicId: w.clinicId,
        patientId: w.patient,
        requestedBy: StaffId.make("staff-nurse"),
        note: "A photo of the rash on your left arm, in daylight",
        createdAt: T0,
        expiresAt: DateTime.addDuration(T0, "3 days"),
        usedAt: null,
        chartEntryId: null,
        cancelledAt: null,
        ...overrides
      })
  )

const saved = (w: World, overrides: Partial<ConstructorParameters<typeof UploadRequest>[0]> = {}) =>
  Effect.gen(function* () {
    const request = yield* makeRequest(w, overrides)
    yield* (yield* UploadRepo).save(request)
    return request
  })

/** The behaviours of every `UploadRepo` (with the `UnitOfWork` of the same store). */
export const UploadRepoContract: Contract<UploadRepo | UnitOfWork> = [
  contractCase(
    "a request reads back as saved, and saving it again replaces it; an unknown id is not found",
    Effect.gen(function* () {
      const repo = yield* UploadRepo
      const w = yield* world
      const request = yield* saved(w, {
        note: null,
        createdAt: DateTime.makeUnsafe("2030-08-01T09:00:00.042Z")
      })
      yield* expectEqual(yield* repo.findById(request.id), Option.some(request), "the request read back")
      const used = new UploadRequest({
        ...request,
        usedAt: minutes(30),
        chartEntryId: ChartEntryId.make(`chart-entry-${yield* uuid}`)
      })
      yield* repo.save(used)
      yield* expectEqual(yield* repo.findById(request.id), Option.some(used), "the request used")
      const cancelled = new UploadRequest({ ...request, note: "Ünïcode note ☕", cancelledAt: minutes(40) })
      yield* repo.save(cancelled)
      yield* expectEqual(
        yield* repo.findById(request.id),
        Option.some(cancelled),
        "the request replaced again"
      )
      yield* expectEqual(
        yield* repo.listByPatient(w.clinicId, w.patient),
        [cancelled],
        "the listing holds it once"
      )
      yield* expectEqual(
        yield* repo.findById(UploadRequestId.make(`upload-request-missing-${yield* uuid}`)),
        Option.none(),
        "an unknown request"
      )
    })
  ),

  contractCase(
    "a patient's requests list newest first, ties broken by id in code-point order, only theirs in that clinic",
    Effect.gen(function* () {
      const repo = yield* UploadRepo
      const w = yield* world
      yield* expectEqual(yield* repo.listByPatient(w.clinicId, w.patient), [], "no requests yet")
      const mine: Array<UploadRequest> = []
      for (const [i, suffix] of ["-b", "-B", "_a", "-a", "-Z"].entries()) {
        mine.push(
          yield* saved(w, {
            id: UploadRequestId.make(`upload-request-${w.id}${suffix}`),
            createdAt: minutes(i % 2)
          })
        )
      }
      mine.push(yield* saved(w, { createdAt: minutes(-5) }))
      yield* saved(w, { patientId: w.other })
      yield* saved(w, { clinicId: w.otherClinic })
      const listed = yield* repo.listByPatient(w.clinicId, w.patient)
      yield* expectEqual(
        listed.map((r) => r.id),
        [
          `upload-request-${w.id}-a`,
          `upload-request-${w.id}-B`,
          `upload-request-${w.id}_a`,
          `upload-request-${w.id}-b`,
          `upload-request-${w.id}-Z`,
          mine[5]?.id
        ],
        "the listing's ids"
      )
      yield* expect(listed.length === mine.length, "every request listed once")
      yield* expectEqual((yield* repo.listByPatient(w.clinicId, w.other)).length, 1, "the other patient's")
      yield* expectEqual(
        (yield* repo.listByPatient(w.otherClinic, w.patient)).length,
        1,
        "the other clinic's"
      )
    })
  ),

  contractCase(
    "of concurrent units that each take an open request and save it used, exactly one finds it open",
    Effect.gen(function* () {
      const repo = yield* UploadRepo
      const uow = yield* UnitOfWork
      const w = yield* world
      // Several rounds, each on a request of its own: one round can happen to run its units one by one.
      for (let round = 0; round < 4; round++) {
        const request = yield* saved(w)
        const attempt = (i: number) =>
          uow.transaction(
            Effect.gen(function* () {
              const found = yield* repo.findById(request.id)
              if (Option.isNone(found) || found.value.usedAt !== null) return false
              yield* repo.save(
                new UploadRequest({
                  ...found.value,
                  usedAt: minutes(i + 1),
                  chartEntryId: ChartEntryId.make(`chart-entry-${i}`)
                })
              )
              return true
            })
          )
        const outcomes = yield* Effect.forEach(
          Array.from({ length: 16 }, (_, i) => i),
          attempt,
          { concurrency: "unbounded" }
        )
        yield* expectEqual(
          outcomes.filter((o) => o).length,
          1,
          `round ${round}: units that found the request open`
        )
        const winner = outcomes.indexOf(true)
        const after = yield* repo.findById(request.id)
        yield* expectEqual(
          Option.map(after, (r) => [r.usedAt, r.chartEntryId]),
          Option.some([minutes(winner + 1), ChartEntryId.make(`chart-entry-${winner}`)]),
          `round ${round}: the request as the one unit left it`
        )
      }
    })
  )
]
