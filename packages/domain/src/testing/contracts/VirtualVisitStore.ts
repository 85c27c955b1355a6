/**
 * The contract of `VirtualVisitStore`: a code's hash is never issued twice (a refused issue
 * writes nothing); issuing supersedes the appointment's active code, so an appointment has at
 * most one active code, also when codes are issued concurrently; revoking ends the active one.
 */
import { DateTime, Effect, Option } from "effect"
import { AppointmentId, ClinicId, PatientId } from "../../Ids.ts"
import { CodeHash } from "../../Passcode.ts"
import { VirtualVisitStore, VisitCode, VisitCodeId } from "../../VirtualVisit.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-06-01T09:00:00.000Z")
const minutes = (n: number) => DateTime.addDuration(T0, `${n} minutes`)

/** A clinic, a patient and two appointments of its own, so that a case sees only its own codes. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    clinicId: ClinicId.make(`clinic-${id}`),
    patient: PatientId.make(`patient-${id}`),
    appointment: AppointmentId.make(`appointment-${id}`),
    otherAppointment: AppointmentId.make(`appointment-other-${id}`)
  }
})

type World = Effect.Success<typeof world>

const makeCode = (w: World, overrides: Partial<ConstructorParameters<typeof VisitCode>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new VisitCode({
        id: VisitCodeId.make(`visit-code-${id}`),
        appointmentId: w.appointment,
        clinicId: w.clinicId,
        patientId: w.patient,
        codeHash: CodeHash.make(`hmac-${id}`),
        status: "active",
        issuedAt: T0,
        endedAt: null,
        ...overrides
      })
  )

const issued = (w: World, overrides: Partial<ConstructorParameters<typeof VisitCode>[0]> = {}) =>
  Effect.gen(function* () {
    const code = yield* makeCode(w, overrides)
    yield* expect(yield* (yield* VirtualVisitStore).issue(code), `code ${code.id} was refused`)
    return code
  })

const ended = (code: VisitCode, status: "superseded" | "revoked", at: DateTime.Utc) =>
  new VisitCode({ ...code, status, endedAt: at })

/** The behaviours of every `VirtualVisitStore`. */
export const VirtualVisitStoreContract: Contract<VirtualVisitStore> = [
  contractCase(
    "issuing supersedes the appointment's active code at the new code's issue time, and no other appointment's",
    Effect.gen(function* () {
      const store = yield* VirtualVisitStore
      const w = yield* world
      const first = yield* issued(w, { issuedAt: DateTime.makeUnsafe("2030-06-01T09:00:00.125Z") })
      const other = yield* issued(w, { appointmentId: w.otherAppointment })
      yield* expectEqual(
        yield* store.findByHash(first.codeHash),
        Option.some(first),
        "the first code by its hash"
      )
      const second = yield* issued(w, { issuedAt: minutes(30) })
      const firstEnded = ended(first, "superseded", minutes(30))
      yield* expectEqual(yield* store.listByAppointment(w.appointment), [firstEnded, second], "the codes")
      yield* expectEqual(
        yield* store.findByHash(first.codeHash),
        Option.some(firstEnded),
        "a superseded code is still found by its hash"
      )
      yield* expectEqual(
        yield* store.listByAppointment(w.otherAppointment),
        [other],
        "the other appointment's"
      )
      yield* expectEqual(
        yield* store.findByHash(CodeHash.make(`hmac-missing-${yield* uuid}`)),
        Option.none(),
        "an unknown hash"
      )
    })
  ),

  contractCase(
    "a hash already issued, in any status and for any appointment, is refused and nothing is written",
    Effect.gen(function* () {
      const store = yield* VirtualVisitStore
      const w = yield* world
      const old = yield* issued(w)
      const active = yield* issued(w, { issuedAt: minutes(1) })
      const elsewhere = yield* issued(w, { appointmentId: w.otherAppointment })
      const before = yield* store.listByAppointment(w.appointment)
      for (const hash of [old.codeHash, active.codeHash, elsewhere.codeHash]) {
        const clash = yield* makeCode(w, { codeHash: hash, issuedAt: minutes(2) })
        yield* expectEqual(yield* store.issue(clash), false, `issuing a code whose hash is ${hash}`)
      }
      yield* expectEqual(
        yield* store.listByAppointment(w.appointment),
        before,
        "the appointment's codes, unchanged"
      )
      yield* expectEqual(
        yield* store.listByAppointment(w.otherAppointment),
        [elsewhere],
        "the other appointment's codes, unchanged"
      )
    })
  ),

  contractCase(
    "codes list in the order issued, also when issued at one instant; only the last is active",
    Effect.gen(function* () {
      const store = yield* VirtualVisitStore
      const w = yield* world
      const codes: Array<VisitCode> = []
      for (let i = 0; i < 4; i++) codes.push(yield* issued(w))
      yield* expectEqual(
        yield* store.listByAppointment(w.appointment),
        codes.map((c, i) => (i < codes.length - 1 ? ended(c, "superseded", T0) : c)),
        "the codes"
      )
      yield* expectEqual(
        yield* store.listByAppointment(AppointmentId.make(`appointment-missing-${yield* uuid}`)),
        [],
        "an appointment without codes"
      )
    })
  ),

  contractCase(
    "revoking ends the appointment's active code and returns it; ended codes and other appointments are untouched",
    Effect.gen(function* () {
      const store = yield* VirtualVisitStore
      const w = yield* world
      const first = yield* issued(w)
      const second = yield* issued(w, { issuedAt: minutes(5) })
      const other = yield* issued(w, { appointmentId: w.otherAppointment })
      const at = DateTime.makeUnsafe("2030-06-01T11:00:00.999Z")
      const revokedNow = ended(second, "revoked", at)
      yield* expectEqual(yield* store.revoke(w.appointment, at), [revokedNow], "the revoked codes")
      yield* expectEqual(
        yield* store.listByAppointment(w.appointment),
        [ended(first, "superseded", minutes(5)), revokedNow],
        "the appointment's codes"
      )
      yield* expectEqual(yield* store.revoke(w.appointment, minutes(200)), [], "revoking again")
      yield* expectEqual(
        yield* store.listByAppointment(w.otherAppointment),
        [other],
        "the other appointment's"
      )
      // A new code after a revocation is active again, and the revoked one stays revoked.
      const third = yield* issued(w, { issuedAt: minutes(300) })
      yield* expectEqual(
        yield* store.listByAppointment(w.appointment),
        [ended(first, "superseded", minutes(5)), revokedNow, third],
        "the codes after a new issue"
      )
    })
  ),

  contractCase(
    "of concurrent issues for one appointment every one is taken and exactly one code is left active",
    Effect.gen(function* () {
      const store = yield* VirtualVisitStore
      const w = yield* world
      const candidates = yield* Effect.forEach(Array.from({ length: 16 }), () => makeCode(w))
      const outcomes = yield* Effect.forEach(candidates, (c) => store.issue(c), { concurrency: "unbounded" })
      yield* expect(
        outcomes.every((o) => o),
        "every issue with a fresh hash is taken"
      )
      const codes = yield* store.listByAppointment(w.appointment)
      yield* expectEqual(codes.length, candidates.length, "codes stored")
      yield* expectEqual(codes.filter((c) => c.status === "active").length, 1, "active codes")
      yield* expectEqual(
        codes.filter((c) => c.status === "superseded").length,
        candidates.length - 1,
        "superseded codes"
      )
      // The active one is the last issued: every earlier one was superseded by a later one.
      yield* expectEqual(codes[codes.length - 1]?.status, "active", "the last code's status")
    })
  )
]
