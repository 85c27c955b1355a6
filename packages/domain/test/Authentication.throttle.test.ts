/**
 * Property 8: wrong guesses on other challenges never lock a patient's fresh challenge; past
 * 100 wrong entries per patient per hour, further attempts are refused (`TooManyAttempts`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Option, Redacted, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { Authentication } from "../src/Authentication.ts"
import { UNAMBIGUOUS } from "../src/CodeGenerator.ts"
import type { ChallengeId } from "../src/Ids.ts"
import { PasscodeStore, PasscodeStoreMemory } from "../src/PasscodeStore.ts"
import type { Patient } from "../src/Patient.ts"
import {
  expectTag,
  freshDomain,
  issueLinkFor,
  patientFailureCount,
  requireCode,
  seedPatient,
  startLoginFor,
  wrongCode
} from "./support.ts"

const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))

/** Each startLogin and each link counts as a send: lift the daily send limit out of the way. */
const manySends = { maxSendsPerTarget: 1000 }

const DOB = "1985-12-10"

/** Five wrong login entries on one challenge: four `PasscodeInvalid` counting down, then `PasscodeLocked`. */
const lockLogin = (challengeId: ChallengeId) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const wrong = wrongCode(yield* requireCode(challengeId))
    for (let i = 1; i <= 4; i++) {
      const error = yield* Effect.flip(auth.verifyLogin(challengeId, wrong, false))
      assert.strictEqual(expectTag(error, "PasscodeInvalid").attemptsLeft, 5 - i)
    }
    const last = yield* Effect.flip(auth.verifyLogin(challengeId, wrong, false))
    assert.strictEqual(expectTag(last, "PasscodeLocked").purpose, "login-otp")
  })

/** Five wrong link opens (wrong code, then right code with a wrong date of birth, alternating), locking the link. */
const lockLink = (linkId: ChallengeId) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const right = yield* requireCode(linkId)
    const wrong = wrongCode(right, UNAMBIGUOUS)
    for (let i = 1; i <= 5; i++) {
      const [code, dob] = i % 2 === 1 ? [wrong, DOB] : [right, "1985-12-11"]
      const error = yield* Effect.flip(auth.openLink(linkId, code, dob, false))
      if (i < 5) assert.strictEqual(expectTag(error, "PasscodeInvalid").attemptsLeft, 5 - i)
      else assert.strictEqual(expectTag(error, "PasscodeLocked").purpose, "quick-link")
    }
  })

/** The newest passcode of a challenge, as stored. */
const stored = (challengeId: ChallengeId) =>
  Effect.gen(function* () {
    const found = yield* (yield* PasscodeStore).latest(challengeId)
    assert.isTrue(Option.isSome(found))
    return Option.getOrThrow(found)
  })

/** Logs in on a new challenge with the right code; fails the test unless a session for the patient opens. */
const freshLoginSucceeds = (patient: Patient) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const challengeId = yield* startLoginFor(patient)
    const grant = yield* auth.verifyLogin(challengeId, yield* requireCode(challengeId), false)
    assert.strictEqual(grant.principal.patientId, patient.id)
  })

/**
 * Makes exactly `5 * (logins + links)` wrong entries for the patient: `logins` login challenges
 * and `links` links, each locked, `gapSeconds` apart (all entries of one challenge at the same
 * instant). The first entries are at the current time; returns when the last were made.
 */
const failAcross = (patient: Patient, logins: number, links: number, gapSeconds: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < logins + links; i++) {
      if (i > 0) yield* TestClock.adjust(Duration.seconds(gapSeconds))
      if (i < logins) yield* lockLogin(yield* startLoginFor(patient))
      else yield* lockLink(yield* issueLinkFor(patient, `message-${i}`))
    }
  })

describe("Authentication: per-challenge lockout stays on its challenge", () => {
  it.effect.prop(
    "locking k login challenges and m links never locks the patient's fresh login challenge",
    { k: between(1, 5), m: between(0, 3) },
    ({ k, m }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const locked: Array<ChallengeId> = []
        for (let i = 0; i < k; i++) {
          const challengeId = yield* startLoginFor(patient)
          yield* lockLogin(challengeId)
          // Locked means locked: its right code is refused too.
          const error = yield* Effect.flip(
            auth.verifyLogin(challengeId, yield* requireCode(challengeId), false)
          )
          assert.strictEqual(error._tag, "PasscodeLocked")
          locked.push(challengeId)
        }
        // The fresh challenge exists while the links are locked: links never supersede a login.
        const fresh = yield* startLoginFor(patient)
        for (let i = 0; i < m; i++) yield* lockLink(yield* issueLinkFor(patient, `message-${i}`))

        assert.strictEqual(yield* patientFailureCount(patient.id), 5 * (k + m))
        assert.strictEqual((yield* stored(fresh)).failedAttempts, 0)
        // The fresh challenge superseded the locked ones; they stay unusable.
        for (const challengeId of locked) {
          const error = yield* Effect.flip(
            auth.verifyLogin(challengeId, yield* requireCode(challengeId), false)
          )
          assert.strictEqual(error._tag, "PasscodeSuperseded")
        }
        const grant = yield* auth.verifyLogin(fresh, yield* requireCode(fresh), false)
        assert.strictEqual(grant.principal.patientId, patient.id)
        assert.strictEqual(grant.session.origin, "login")
      }).pipe(Effect.provide(freshDomain(manySends))),
    { timeout: 60_000, arbitrary: { runs: 15 } }
  )
})

describe("Authentication: at most 100 wrong entries per patient per hour", () => {
  it.effect.prop(
    "100 wrong entries across 20 challenges (any mix of logins and links) refuse the next attempt until the hour passes",
    { links: between(0, 20), gapSeconds: between(0, 180) },
    ({ links, gapSeconds }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        yield* failAcross(patient, 20 - links, links, gapSeconds)
        assert.strictEqual(yield* patientFailureCount(patient.id), 100)

        // One second after the 100th wrong entry; the first ones were made at time 0.
        yield* TestClock.adjust(Duration.seconds(1))
        const elapsed = 19 * gapSeconds + 1
        const retryAfterSeconds = 3600 - elapsed

        // The right code on a fresh login challenge is refused...
        const fresh = yield* startLoginFor(patient)
        const right = yield* requireCode(fresh)
        const refused = expectTag(
          yield* Effect.flip(auth.verifyLogin(fresh, right, false)),
          "TooManyAttempts"
        )
        assert.strictEqual(refused.retryAfterSeconds, retryAfterSeconds)
        assert.isTrue(refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 3600)
        // ...and so is a wrong one, which neither counts nor touches the fresh challenge.
        const wrongRefused = yield* Effect.flip(auth.verifyLogin(fresh, wrongCode(right), false))
        assert.strictEqual(expectTag(wrongRefused, "TooManyAttempts").retryAfterSeconds, retryAfterSeconds)
        // ...and so is a link opened with its right code and date of birth.
        const link = yield* issueLinkFor(patient, "message-fresh")
        const linkRefused = yield* Effect.flip(auth.openLink(link, yield* requireCode(link), DOB, false))
        assert.strictEqual(expectTag(linkRefused, "TooManyAttempts").retryAfterSeconds, retryAfterSeconds)
        assert.strictEqual(yield* patientFailureCount(patient.id), 100)
        assert.strictEqual((yield* stored(fresh)).failedAttempts, 0)
        assert.strictEqual((yield* stored(fresh)).consumedAt, null)

        // One second before the window lets go of the first entries: still refused.
        yield* TestClock.adjust(Duration.seconds(retryAfterSeconds - 1))
        const stillRefused = yield* Effect.flip(auth.openLink(link, yield* requireCode(link), DOB, false))
        assert.strictEqual(expectTag(stillRefused, "TooManyAttempts").retryAfterSeconds, 1)

        // Once the first entries are more than an hour old, the right code works again.
        yield* TestClock.adjust(Duration.seconds(2))
        const opened = yield* auth.openLink(link, yield* requireCode(link), DOB, false)
        assert.strictEqual(opened.grant.principal.patientId, patient.id)
        yield* freshLoginSucceeds(patient)
      }).pipe(Effect.provide(freshDomain(manySends))),
    { timeout: 60_000, arbitrary: { runs: 12 } }
  )

  it.effect(
    "at 99 wrong entries the right code still works; the 100th wrong entry counts and the 101st attempt is refused",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        yield* failAcross(patient, 19, 0, 60)
        const last = yield* startLoginFor(patient)
        const right = yield* requireCode(last)
        for (let i = 1; i <= 4; i++) {
          const error = yield* Effect.flip(auth.verifyLogin(last, wrongCode(right), false))
          assert.strictEqual(expectTag(error, "PasscodeInvalid").attemptsLeft, 5 - i)
        }
        assert.strictEqual(yield* patientFailureCount(patient.id), 99)

        // At 99: the right code is accepted (and an accepted code counts as no failure).
        const grant = yield* auth.verifyLogin(last, right, false)
        assert.strictEqual(grant.principal.patientId, patient.id)
        assert.strictEqual(yield* patientFailureCount(patient.id), 99)

        // The 100th wrong entry is judged and counted as usual.
        const next = yield* startLoginFor(patient)
        const nextRight = yield* requireCode(next)
        const hundredth = yield* Effect.flip(auth.verifyLogin(next, wrongCode(nextRight), false))
        assert.strictEqual(expectTag(hundredth, "PasscodeInvalid").attemptsLeft, 4)
        assert.strictEqual(yield* patientFailureCount(patient.id), 100)

        // The 101st attempt, with the right code, is refused; the first entries (time 0) reopen at 3600 s.
        const refused = yield* Effect.flip(auth.verifyLogin(next, nextRight, false))
        assert.strictEqual(expectTag(refused, "TooManyAttempts").retryAfterSeconds, 3600 - 18 * 60)
        const fresh = yield* startLoginFor(patient)
        const freshRefused = yield* Effect.flip(auth.verifyLogin(fresh, yield* requireCode(fresh), false))
        assert.strictEqual(expectTag(freshRefused, "TooManyAttempts").retryAfterSeconds, 3600 - 18 * 60)
      }).pipe(Effect.provide(freshDomain(manySends)))
  )
})

describe("Authentication: login and link failures share one per-patient count", () => {
  it.effect("50 wrong login entries and 50 wrong link opens throttle both logins and links", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      yield* failAcross(patient, 10, 10, 30)
      assert.strictEqual(yield* patientFailureCount(patient.id), 100)
      // Now at 19 × 30 s = 570 s; the first entries (time 0) leave the window at 3600 s.
      const link = yield* issueLinkFor(patient, "message-fresh")
      const linkRefused = yield* Effect.flip(auth.openLink(link, yield* requireCode(link), DOB, true))
      assert.strictEqual(expectTag(linkRefused, "TooManyAttempts").retryAfterSeconds, 3030)
      const fresh = yield* startLoginFor(patient)
      const loginRefused = yield* Effect.flip(auth.verifyLogin(fresh, yield* requireCode(fresh), true))
      assert.strictEqual(expectTag(loginRefused, "TooManyAttempts").retryAfterSeconds, 3030)
    }).pipe(Effect.provide(freshDomain(manySends)))
  )

  it.effect("99 wrong login entries plus one wrong link open reach the limit", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      yield* failAcross(patient, 19, 0, 0)
      const login = yield* startLoginFor(patient)
      const loginCode = yield* requireCode(login)
      for (let i = 0; i < 4; i++) yield* Effect.flip(auth.verifyLogin(login, wrongCode(loginCode), false))
      assert.strictEqual(yield* patientFailureCount(patient.id), 99)
      const link = yield* issueLinkFor(patient, "message-1")
      const linkCode = yield* requireCode(link)
      // The right code with a wrong date of birth is a wrong entry like any other.
      const wrongDob = yield* Effect.flip(auth.openLink(link, linkCode, "1985-10-12", false))
      assert.strictEqual(expectTag(wrongDob, "PasscodeInvalid").attemptsLeft, 4)
      assert.strictEqual(yield* patientFailureCount(patient.id), 100)
      const refused = yield* Effect.flip(auth.verifyLogin(login, loginCode, false))
      assert.strictEqual(expectTag(refused, "TooManyAttempts").retryAfterSeconds, 3600)
    }).pipe(Effect.provide(freshDomain(manySends)))
  )
})

/** Identities that do not reach the seeded patient, so startLogin answers with a decoy challenge. */
const DecoyIdentity = Schema.Literals(["unknown-card", "wrong-contact", "other-clinic", "unknown-phone"])

const startDecoy = (patient: Patient, kind: typeof DecoyIdentity.Type) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const input =
      kind === "unknown-card"
        ? {
            clinicId: patient.clinicId,
            identifier: { idType: "ON-HCN", number: "9999999999" },
            contact: "ada@example.org"
          }
        : kind === "wrong-contact"
          ? { clinicId: patient.clinicId, identifier: patient.healthCard, contact: "mallory@example.org" }
          : kind === "other-clinic"
            ? {
                clinicId: "clinic-elsewhere" as Patient["clinicId"],
                identifier: patient.healthCard,
                contact: "ada@example.org"
              }
            : { clinicId: patient.clinicId, identifier: patient.healthCard, contact: "416 555 0199" }
    const challenge = yield* auth.startLogin(input)
    return challenge.challengeId
  })

describe("Authentication: wrong entries on a decoy challenge count toward no patient", () => {
  it.effect.prop(
    "any number of wrong entries on decoys leave every patient's count at zero",
    {
      decoys: Schema.Array(Schema.Tuple([DecoyIdentity, between(1, 8)])).check(Schema.isBetweenLength(1, 30))
    },
    ({ decoys }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        for (const [kind, entries] of decoys) {
          const challengeId = yield* startDecoy(patient, kind)
          for (let i = 1; i <= entries; i++) {
            const error = yield* Effect.flip(auth.verifyLogin(challengeId, Redacted.make("123456"), false))
            // A decoy answers exactly like a real challenge: counts down, then locks.
            if (i < 5) assert.strictEqual(expectTag(error, "PasscodeInvalid").attemptsLeft, 5 - i)
            else assert.strictEqual(error._tag, "PasscodeLocked")
          }
        }
        assert.strictEqual(yield* patientFailureCount(patient.id), 0)
        const state = yield* TxRef.get((yield* PasscodeStoreMemory).state)
        assert.strictEqual(state.failures.size, 0)
        yield* freshLoginSucceeds(patient)
      }).pipe(Effect.provide(freshDomain(manySends))),
    { timeout: 60_000, arbitrary: { runs: 15 } }
  )

  it.effect(
    "105 wrong entries on decoys for the patient's own card do not push 99 real failures over the limit",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        yield* failAcross(patient, 19, 0, 0)
        const login = yield* startLoginFor(patient)
        const loginCode = yield* requireCode(login)
        for (let i = 0; i < 4; i++) yield* Effect.flip(auth.verifyLogin(login, wrongCode(loginCode), false))
        assert.strictEqual(yield* patientFailureCount(patient.id), 99)
        for (let i = 0; i < 21; i++) {
          const decoy = yield* startDecoy(patient, "wrong-contact")
          for (let j = 0; j < 5; j++) yield* Effect.flip(auth.verifyLogin(decoy, loginCode, false))
        }
        assert.strictEqual(yield* patientFailureCount(patient.id), 99)
        // The decoys (same identity key as each other, not the patient's target) did not supersede the login.
        const grant = yield* auth.verifyLogin(login, loginCode, false)
        assert.strictEqual(grant.principal.patientId, patient.id)
      }).pipe(Effect.provide(freshDomain(manySends)))
  )
})

describe("Authentication: retryAfterSeconds", () => {
  // The window excludes its start: a failure made at t0 stops counting at exactly t0 + 1 h,
  // the moment `retryAfterSeconds` points at.
  it.effect("waiting exactly retryAfterSeconds reopens attempts", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      yield* failAcross(patient, 20, 0, 0)
      const fresh = yield* startLoginFor(patient)
      const refused = yield* Effect.flip(auth.verifyLogin(fresh, yield* requireCode(fresh), false))
      const wait = expectTag(refused, "TooManyAttempts").retryAfterSeconds
      assert.strictEqual(wait, 3600)
      yield* TestClock.adjust(Duration.seconds(wait))
      yield* freshLoginSucceeds(patient)
    }).pipe(Effect.provide(freshDomain(manySends)))
  )
})
