/**
 * The contract of `PasscodeStore`: what the in-memory store does and every adapter must do.
 * Issuing shows the decision the recent codes of the same purpose and target (the window's
 * start excluded) and supersedes the live ones; an attempt shows the decision the challenge's
 * newest code and the patient's recent wrong entries and applies its verdict; and under
 * concurrent requests a code is consumed once, every wrong entry counts (on the code and on
 * its patient, across their challenges), and every issue sees the codes issued before it.
 */
import { DateTime, Effect, Option, Result } from "effect"
import { ChallengeId, ClinicId, PasscodeId, PatientId } from "../../Ids.ts"
import { CodeHash, Passcode, type PasscodePurpose, PasscodeTarget, ResourceRef } from "../../Passcode.ts"
import { type Decision, type IssueContext, PasscodeStore, type Verdict } from "../../PasscodeStore.ts"
import {
  type Contract,
  ContractViolation,
  contractCase,
  expect,
  expectEqual,
  uniqueId as uuid
} from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-04-01T09:00:00.000Z")
const minutes = (n: number) => DateTime.addDuration(T0, `${n} minutes`)
/** Before every code a case issues: a window from here shows them all. */
const BEGINNING = DateTime.subtractDuration(T0, "1000 days")

/** A clinic and two patients of its own, so that a case sees only its own codes. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  const clinicId = ClinicId.make(`clinic-${id}`)
  const patient = PatientId.make(`patient-${id}`)
  const other = PatientId.make(`patient-other-${id}`)
  return {
    clinicId,
    patient,
    other,
    login: new PasscodeTarget({ patientId: patient }),
    message: (n: number) =>
      new PasscodeTarget({
        patientId: patient,
        resource: new ResourceRef({ kind: "message", id: `message-${n}-${id}` })
      }),
    decoy: new PasscodeTarget({ patientId: null, decoyKey: `decoy-${id}` })
  }
})

type World = Effect.Success<typeof world>
type Fields = ConstructorParameters<typeof Passcode>[0]

const makePasscode = (w: World, overrides: Partial<Fields> = {}): Effect.Effect<Passcode> =>
  Effect.map(
    uuid,
    (id) =>
      new Passcode({
        id: PasscodeId.make(`passcode-${id}`),
        challengeId: ChallengeId.make(`challenge-${id}`),
        clinicId: w.clinicId,
        purpose: "login-otp",
        target: w.login,
        channel: "email",
        codeHash: CodeHash.make(`hmac-${id}`),
        issuedAt: T0,
        expiresAt: minutes(10),
        failedAttempts: 0,
        consumedAt: null,
        supersededAt: null,
        ...overrides
      })
  )

/** Issues `passcode` as it is (the decision accepts it), in a window that shows every code. */
const put = (passcode: Passcode) =>
  Effect.gen(function* () {
    const result = yield* (yield* PasscodeStore).issue({
      clinicId: passcode.clinicId,
      purpose: passcode.purpose,
      target: passcode.target,
      challengeId: Option.some(passcode.challengeId),
      windowStart: BEGINNING,
      decide: () => Result.succeed(passcode)
    })
    yield* expectEqual(result, Result.succeed(passcode), "an accepted issue answers the code")
    return passcode
  })

const issued = (w: World, overrides: Partial<Fields> = {}) => Effect.flatMap(makePasscode(w, overrides), put)

/** A new code under `current`'s challenge. */
const resent = (w: World, current: Passcode, overrides: Partial<Fields> = {}) =>
  issued(w, {
    purpose: current.purpose,
    target: current.target,
    ...overrides,
    challengeId: current.challengeId
  })

/**
 * Every code of a purpose and target, in issue order, as `issue` shows them to its decision;
 * the decision refuses, so this writes nothing.
 */
const codesOf = (purpose: PasscodePurpose, target: PasscodeTarget, clinicId: ClinicId) =>
  Effect.gen(function* () {
    let seen: IssueContext | undefined
    const result = yield* (yield* PasscodeStore).issue({
      clinicId,
      purpose,
      target,
      challengeId: Option.none(),
      windowStart: BEGINNING,
      decide: (context) => {
        seen = context
        return Result.fail("looking" as const)
      }
    })
    yield* expectEqual(result, Result.fail("looking" as const), "a refused issue answers the refusal")
    if (seen === undefined) return yield* new ContractViolation({ message: "issue never asked its decision" })
    return seen.recent
  })

const latest = (challengeId: ChallengeId) =>
  Effect.gen(function* () {
    const found = yield* (yield* PasscodeStore).latest(challengeId)
    yield* expect(Option.isSome(found), `challenge ${challengeId} is gone`)
    return Option.getOrThrow(found)
  })

const changed = (
  p: Passcode,
  changes: Partial<Pick<Fields, "consumedAt" | "supersededAt" | "failedAttempts">>
) => new Passcode({ ...p, ...changes })

/** Applies `verdict` to the challenge's newest code at `now`, and answers what the decision saw. */
const attemptWith = (
  challengeId: ChallengeId,
  now: DateTime.Utc,
  verdict: Verdict,
  failureWindowStart = BEGINNING
) =>
  Effect.gen(function* () {
    let seen: { passcode: Passcode; failures: ReadonlyArray<DateTime.Utc> } | undefined
    const result = yield* (yield* PasscodeStore).attempt({
      challengeId,
      now,
      failureWindowStart,
      decide: (passcode, failures): Decision<Verdict> => {
        seen = { passcode, failures }
        return { verdict, result: verdict }
      }
    })
    yield* expectEqual(result, Option.some(verdict), "the attempt answers the decision's result")
    if (seen === undefined)
      return yield* new ContractViolation({ message: "attempt never asked its decision" })
    return seen
  })

/** The behaviours of every `PasscodeStore`. */
export const PasscodeStoreContract: Contract<PasscodeStore> = [
  contractCase(
    "an issued code is its challenge's latest and its purpose and target's latestFor, unchanged; unknown ones are not found",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const link = yield* issued(w, {
        purpose: "quick-link",
        target: w.message(1),
        channel: "sms",
        issuedAt: DateTime.makeUnsafe("2030-04-01T09:00:00.123Z"),
        expiresAt: DateTime.makeUnsafe("2030-04-04T09:00:00.123Z"),
        failedAttempts: 2
      })
      yield* expectEqual(yield* store.latest(link.challengeId), Option.some(link), "latest")
      yield* expectEqual(yield* store.latestFor("quick-link", w.message(1)), Option.some(link), "latestFor")
      const decoy = yield* issued(w, { target: w.decoy, channel: "both" })
      yield* expectEqual(yield* store.latest(decoy.challengeId), Option.some(decoy), "a decoy's code")
      yield* expectEqual(
        yield* store.latestFor("login-otp", w.decoy),
        Option.some(decoy),
        "a decoy's latestFor"
      )
      // What retiring a contact's login codes issues: a code used from the start.
      const used = yield* issued(w, { consumedAt: minutes(1), issuedAt: minutes(1) })
      yield* expectEqual(yield* store.latest(used.challengeId), Option.some(used), "a code issued used")
      const again = yield* resent(w, link, { issuedAt: minutes(2), failedAttempts: 3 })
      yield* expectEqual(yield* store.latest(link.challengeId), Option.some(again), "latest after a resend")
      yield* expectEqual(yield* store.latestFor("quick-link", w.message(1)), Option.some(again), "latestFor")
      const unknown = yield* uuid
      yield* expect(Option.isNone(yield* store.latest(ChallengeId.make(`challenge-${unknown}`))), "unknown")
      yield* expect(Option.isNone(yield* store.latestFor("upload-link", w.message(1))), "another purpose")
      yield* expect(Option.isNone(yield* store.latestFor("quick-link", w.message(2))), "another resource")
      yield* expect(
        Option.isNone(yield* store.latestFor("login-otp", new PasscodeTarget({ patientId: w.other }))),
        "another patient"
      )
    })
  ),
  contractCase(
    "issuing supersedes the live codes of the same purpose and target at the new code's issue time, and nothing else",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const a = yield* issued(w)
      yield* store.retire(a.challengeId, minutes(1))
      const b = yield* issued(w, { issuedAt: minutes(2) })
      const link = yield* issued(w, { purpose: "quick-link", target: w.message(1), issuedAt: minutes(2) })
      const otherLink = yield* issued(w, {
        purpose: "quick-link",
        target: w.message(2),
        issuedAt: minutes(2)
      })
      const upload = yield* issued(w, { purpose: "upload-link", target: w.message(1), issuedAt: minutes(2) })
      const others = yield* issued(w, { target: new PasscodeTarget({ patientId: w.other }) })
      const decoy = yield* issued(w, { target: w.decoy })
      const otherDecoy = yield* issued(w, {
        target: new PasscodeTarget({ patientId: null, decoyKey: `x-${w.clinicId}` })
      })
      const c = yield* issued(w, { issuedAt: minutes(3) })
      const d = yield* issued(w, { issuedAt: minutes(5) })
      yield* expectEqual(
        yield* codesOf("login-otp", w.login, w.clinicId),
        [
          changed(a, { consumedAt: minutes(1) }),
          changed(b, { supersededAt: minutes(3) }),
          changed(c, { supersededAt: minutes(5) }),
          d
        ],
        "a used code stays used; a superseded one keeps its instant"
      )
      const link2 = yield* issued(w, { purpose: "quick-link", target: w.message(1), issuedAt: minutes(6) })
      yield* expectEqual(
        yield* codesOf("quick-link", w.message(1), w.clinicId),
        [changed(link, { supersededAt: minutes(6) }), link2],
        "the link's codes"
      )
      const decoy2 = yield* issued(w, { target: w.decoy, issuedAt: minutes(7) })
      yield* expectEqual(
        yield* codesOf("login-otp", w.decoy, w.clinicId),
        [changed(decoy, { supersededAt: minutes(7) }), decoy2],
        "a decoy's codes"
      )
      for (const untouched of [otherLink, upload, others, otherDecoy]) {
        yield* expectEqual(yield* latest(untouched.challengeId), untouched, "another purpose or target")
      }
    })
  ),
  contractCase(
    "issue shows its decision the codes issued after the window start (excluded), oldest first, and the challenge's newest code; a refusal writes nothing",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const p1 = yield* issued(w)
      const p2 = yield* issued(w, { issuedAt: minutes(10) })
      yield* issued(w, { target: w.message(1), issuedAt: minutes(15) })
      const p3 = yield* issued(w, { issuedAt: minutes(20) })
      const r3 = yield* resent(w, p3, { issuedAt: minutes(21) })
      const look = (windowStart: DateTime.Utc, challengeId: Option.Option<ChallengeId>) =>
        Effect.gen(function* () {
          let seen: IssueContext | undefined
          const replacement = yield* makePasscode(w, { issuedAt: minutes(30) })
          const result = yield* store.issue({
            clinicId: w.clinicId,
            purpose: "login-otp",
            target: w.login,
            challengeId,
            windowStart,
            decide: (context) => {
              seen = context
              return Result.fail({ refused: replacement.id })
            }
          })
          yield* expectEqual(result, Result.fail({ refused: replacement.id }), "the refusal")
          if (seen === undefined)
            return yield* new ContractViolation({ message: "issue never asked its decision" })
          return seen
        })
      const s2 = changed(p2, { supersededAt: minutes(20) })
      const s3 = changed(p3, { supersededAt: minutes(21) })
      const fromP2 = yield* look(minutes(10), Option.some(p2.challengeId))
      yield* expectEqual(fromP2.recent, [s3, r3], "issued after minute 10 (a code of minute 10 excluded)")
      yield* expectEqual(fromP2.current, Option.some(s2), "the challenge's newest code")
      const justBefore = yield* look(
        DateTime.subtractDuration(minutes(10), "1 millis"),
        Option.some(p3.challengeId)
      )
      yield* expectEqual(justBefore.recent, [s2, s3, r3], "from just before minute 10")
      yield* expectEqual(justBefore.current, Option.some(r3), "the resent code is the challenge's newest")
      const all = yield* look(BEGINNING, Option.none())
      yield* expectEqual(
        all.recent,
        [changed(p1, { supersededAt: minutes(10) }), s2, s3, r3],
        "every code of the purpose and target"
      )
      yield* expectEqual(all.current, Option.none(), "no challenge, no current code")
      const unknown = yield* look(BEGINNING, Option.some(ChallengeId.make(`challenge-${yield* uuid}`)))
      yield* expectEqual(unknown.current, Option.none(), "an unknown challenge")
      yield* expectEqual(yield* latest(p3.challengeId), r3, "the refusals superseded nothing")
      yield* expectEqual(
        yield* store.latestFor("login-otp", w.login),
        Option.some(r3),
        "and inserted nothing"
      )
    })
  ),
  contractCase(
    "attempt applies the verdict to the challenge's newest code: refuse changes nothing, fail counts, consume uses it",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const p = yield* issued(w, { failedAttempts: 1 })
      const refused = yield* attemptWith(p.challengeId, minutes(1), "refuse")
      yield* expectEqual(refused, { passcode: p, failures: [] }, "the decision saw the code")
      yield* expectEqual(yield* latest(p.challengeId), p, "a refusal changes nothing")
      yield* expectEqual(yield* store.patientFailures(w.patient, BEGINNING), [], "and counts nothing")
      yield* attemptWith(p.challengeId, minutes(2), "fail")
      const failed = changed(p, { failedAttempts: 2 })
      yield* expectEqual(yield* latest(p.challengeId), failed, "a wrong entry counts on the code")
      yield* expectEqual(
        yield* store.patientFailures(w.patient, BEGINNING),
        [minutes(2)],
        "and on the patient"
      )
      const seen = yield* attemptWith(p.challengeId, minutes(3), "consume")
      yield* expectEqual(seen, { passcode: failed, failures: [minutes(2)] }, "the next decision saw both")
      yield* expectEqual(
        yield* latest(p.challengeId),
        changed(failed, { consumedAt: minutes(3) }),
        "consumed"
      )
      yield* expectEqual(yield* store.patientFailures(w.patient, BEGINNING), [minutes(2)], "no new failure")

      // A resend's code is the one attempted; the older one is not touched.
      const q = yield* issued(w, { issuedAt: minutes(4) })
      const r = yield* resent(w, q, { issuedAt: minutes(5), failedAttempts: 0 })
      const onResent = yield* attemptWith(q.challengeId, minutes(6), "fail")
      yield* expectEqual(onResent.passcode, r, "the decision saw the newest code")
      yield* expectEqual(
        yield* latest(q.challengeId),
        changed(r, { failedAttempts: 1 }),
        "the newest counted"
      )
      yield* expectEqual(
        yield* codesOf("login-otp", w.login, w.clinicId),
        [
          changed(failed, { consumedAt: minutes(3) }),
          changed(q, { supersededAt: minutes(5) }),
          changed(r, { failedAttempts: 1 })
        ],
        "the older code of the challenge is untouched"
      )

      let asked = false
      const unknown = yield* store.attempt({
        challengeId: ChallengeId.make(`challenge-${yield* uuid}`),
        now: minutes(7),
        failureWindowStart: BEGINNING,
        decide: () => {
          asked = true
          return { verdict: "consume", result: "never" }
        }
      })
      yield* expectEqual(unknown, Option.none(), "an unknown challenge")
      yield* expect(!asked, "an unknown challenge is never decided on")
    })
  ),
  contractCase(
    "a patient's wrong entries count across their challenges, after the window start (excluded), oldest first; a decoy's only on its code",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const c1 = yield* issued(w)
      const c2 = yield* issued(w, { purpose: "quick-link", target: w.message(1) })
      const c3 = yield* issued(w, { target: new PasscodeTarget({ patientId: w.other }) })
      yield* attemptWith(c1.challengeId, minutes(1), "fail")
      yield* attemptWith(c2.challengeId, minutes(2), "fail")
      yield* attemptWith(c3.challengeId, minutes(3), "fail")
      yield* attemptWith(c1.challengeId, minutes(4), "fail")
      const seen = yield* attemptWith(c2.challengeId, minutes(5), "refuse", minutes(1))
      yield* expectEqual(
        seen.failures,
        [minutes(2), minutes(4)],
        "the decision saw the patient's, after minute 1"
      )
      yield* expectEqual(
        yield* store.patientFailures(w.patient, minutes(1)),
        [minutes(2), minutes(4)],
        "since 1"
      )
      yield* expectEqual(
        yield* store.patientFailures(w.patient, BEGINNING),
        [minutes(1), minutes(2), minutes(4)],
        "all of the patient's"
      )
      yield* expectEqual(yield* store.patientFailures(w.patient, minutes(4)), [], "none after the last")
      yield* expectEqual(
        yield* store.patientFailures(w.other, BEGINNING),
        [minutes(3)],
        "the other patient's"
      )
      const decoy = yield* issued(w, { target: w.decoy })
      const onDecoy = yield* attemptWith(decoy.challengeId, minutes(6), "fail")
      yield* expectEqual(onDecoy.failures, [], "a decoy has no patient failures")
      yield* expectEqual(
        yield* latest(decoy.challengeId),
        changed(decoy, { failedAttempts: 1 }),
        "counted on it"
      )
      yield* expectEqual(
        yield* store.patientFailures(w.patient, BEGINNING),
        [minutes(1), minutes(2), minutes(4)],
        "the patient's unchanged"
      )
    })
  ),
  contractCase(
    "retire uses the challenge's newest code once and keeps the first instant; a used or superseded one is answered as it stands",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const p = yield* issued(w, { purpose: "quick-link", target: w.message(1) })
      const r = yield* resent(w, p, { issuedAt: minutes(1) })
      const retired = changed(r, { consumedAt: minutes(2) })
      yield* expectEqual(yield* store.retire(p.challengeId, minutes(2)), Option.some(retired), "retired")
      yield* expectEqual(yield* store.retire(p.challengeId, minutes(3)), Option.some(retired), "again")
      yield* expectEqual(
        yield* codesOf("quick-link", w.message(1), w.clinicId),
        [changed(p, { supersededAt: minutes(1) }), retired],
        "only the newest code"
      )
      const q = yield* issued(w, { purpose: "quick-link", target: w.message(2) })
      yield* issued(w, { purpose: "quick-link", target: w.message(2), issuedAt: minutes(4) })
      const superseded = changed(q, { supersededAt: minutes(4) })
      yield* expectEqual(
        yield* store.retire(q.challengeId, minutes(5)),
        Option.some(superseded),
        "superseded"
      )
      yield* expectEqual(yield* latest(q.challengeId), superseded, "still superseded, not used")
      yield* expectEqual(
        yield* store.retire(ChallengeId.make(`challenge-${yield* uuid}`), minutes(5)),
        Option.none(),
        "an unknown challenge"
      )
    })
  ),
  contractCase(
    "retireAllFor uses the patient's live codes of the purposes given, in issue order, and nothing else",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const login = yield* issued(w)
      const usedLink = yield* issued(w, { purpose: "quick-link", target: w.message(1) })
      yield* store.retire(usedLink.challengeId, minutes(1))
      const oldUpload = yield* issued(w, { purpose: "upload-link", target: w.message(2) })
      const link = yield* issued(w, { purpose: "quick-link", target: w.message(3), issuedAt: minutes(2) })
      const upload = yield* issued(w, { purpose: "upload-link", target: w.message(2), issuedAt: minutes(3) })
      const contact = yield* issued(w, { purpose: "contact-verify", target: w.message(4) })
      const others = yield* issued(w, {
        purpose: "quick-link",
        target: new PasscodeTarget({
          patientId: w.other,
          resource: new ResourceRef({ kind: "message", id: "m" })
        })
      })
      yield* expectEqual(
        yield* store.retireAllFor(w.patient, ["quick-link", "upload-link"], minutes(9)),
        [changed(link, { consumedAt: minutes(9) }), changed(upload, { consumedAt: minutes(9) })],
        "the live link codes"
      )
      yield* expectEqual(
        yield* store.retireAllFor(w.patient, ["quick-link", "upload-link"], minutes(10)),
        [],
        "none left"
      )
      yield* expectEqual(yield* store.retireAllFor(w.patient, [], minutes(10)), [], "no purposes")
      yield* expectEqual(
        yield* latest(usedLink.challengeId),
        changed(usedLink, { consumedAt: minutes(1) }),
        "used"
      )
      yield* expectEqual(
        yield* latest(oldUpload.challengeId),
        changed(oldUpload, { supersededAt: minutes(3) }),
        "superseded"
      )
      for (const untouched of [login, contact, others]) {
        yield* expectEqual(yield* latest(untouched.challengeId), untouched, "another purpose or patient")
      }
      yield* expectEqual(
        yield* store.retireAllFor(w.patient, ["login-otp"], minutes(11)),
        [changed(login, { consumedAt: minutes(11) })],
        "the login code"
      )
    })
  ),
  contractCase(
    "concurrent attempts on one code: exactly one consumes it, and its instant is kept",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const p = yield* issued(w)
      const verdicts = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          store.attempt({
            challengeId: p.challengeId,
            now: minutes(i + 1),
            failureWindowStart: BEGINNING,
            decide: (passcode): Decision<{ verdict: Verdict; at: DateTime.Utc }> => {
              const verdict = passcode.consumedAt === null ? "consume" : "refuse"
              return { verdict, result: { verdict, at: minutes(i + 1) } }
            }
          })
        ),
        { concurrency: "unbounded" }
      )
      const consumed = verdicts.flatMap((v) =>
        Option.isSome(v) && v.value.verdict === "consume" ? [v.value] : []
      )
      yield* expectEqual(consumed.length, 1, "attempts that consumed")
      yield* expectEqual((yield* latest(p.challengeId)).consumedAt, consumed[0]?.at ?? null, "consumedAt")
    })
  ),
  contractCase(
    "concurrent wrong entries on one code: each is counted, and none gets past the lock",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const p = yield* issued(w)
      const verdicts = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          store.attempt({
            challengeId: p.challengeId,
            now: minutes(i + 1),
            failureWindowStart: BEGINNING,
            decide: (passcode): Decision<Verdict> => {
              const verdict = passcode.failedAttempts >= 5 ? "refuse" : "fail"
              return { verdict, result: verdict }
            }
          })
        ),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(
        verdicts.filter((v) => Option.getOrNull(v) === "fail").length,
        5,
        "wrong entries counted before the lock"
      )
      yield* expectEqual((yield* latest(p.challengeId)).failedAttempts, 5, "failedAttempts")
      yield* expectEqual(
        (yield* store.patientFailures(w.patient, BEGINNING)).length,
        5,
        "the patient's failures"
      )
    })
  ),
  contractCase(
    "concurrent wrong entries on different codes of one patient share one count",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const codes = yield* Effect.all(
        Array.from({ length: 10 }, (_, i) => issued(w, { purpose: "quick-link", target: w.message(i) }))
      )
      const verdicts = yield* Effect.all(
        codes.map((code, i) =>
          store.attempt({
            challengeId: code.challengeId,
            now: minutes(i + 1),
            failureWindowStart: BEGINNING,
            decide: (_, failures): Decision<Verdict> => {
              const verdict = failures.length >= 3 ? "refuse" : "fail"
              return { verdict, result: verdict }
            }
          })
        ),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(
        verdicts.filter((v) => Option.getOrNull(v) === "fail").length,
        3,
        "wrong entries counted"
      )
      yield* expectEqual(
        (yield* store.patientFailures(w.patient, BEGINNING)).length,
        3,
        "the patient's failures"
      )
    })
  ),
  contractCase(
    "concurrent issues for one purpose and target: each decision sees the codes issued before it, and one code stays live",
    Effect.gen(function* () {
      const store = yield* PasscodeStore
      const w = yield* world
      const candidates = yield* Effect.all(
        Array.from({ length: 12 }, (_, i) => makePasscode(w, { issuedAt: minutes(i + 1) }))
      )
      const results = yield* Effect.all(
        candidates.map((candidate) =>
          store.issue({
            clinicId: w.clinicId,
            purpose: "login-otp",
            target: w.login,
            challengeId: Option.none(),
            windowStart: BEGINNING,
            decide: ({ recent }) =>
              recent.length >= 4 ? Result.fail("limit" as const) : Result.succeed(candidate)
          })
        ),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(results.filter(Result.isSuccess).length, 4, "codes issued")
      const codes = yield* codesOf("login-otp", w.login, w.clinicId)
      yield* expectEqual(codes.length, 4, "codes stored")
      yield* expectEqual(
        codes.filter((c) => c.supersededAt === null).length,
        1,
        "live codes (every other one superseded)"
      )
      yield* expectEqual(codes[codes.length - 1]?.supersededAt, null, "the live one is the last issued")
    })
  )
]
