/**
 * Property 12 (login part): every login start, success, failure and lock writes an audit
 * event with the right patient, outcome and reason (the error's tag), and none holds the code.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Redacted, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { AuditEvent } from "../src/AuditEvent.ts"
import { AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import type { ChallengeId } from "../src/Ids.ts"
import type { Patient } from "../src/Patient.ts"
import { expectTag, freshDomain, requireCode, seedPatient, startLoginFor, wrongCode } from "./support.ts"

/** What an audit event says, without its id and time. */
interface Said {
  readonly action: string
  readonly outcome: "success" | "failure"
  readonly reason: string | null
  readonly patientId: string | null
}

const said = (e: AuditEvent): Said => ({
  action: e.action,
  outcome: e.outcome,
  reason: e.reason ?? null,
  patientId: e.patientId
})

/** Every audit event written so far, from the in-memory log's own state. */
const events = Effect.gen(function* () {
  return yield* TxRef.get((yield* AuditLogMemory).state)
})

/** One thing done to the challenge. */
const Step = Schema.Literals(["right", "wrong", "resend"])
type Step = typeof Step.Type

/**
 * The audit trail the rules call for, computed from the steps alone: an entry on a used code
 * fails with `PasscodeUsed`, on a locked one with `PasscodeLocked`; the right code on an
 * active one succeeds; a wrong one fails with `PasscodeInvalid`, the fifth with a lock. A
 * resend (a minute apart) is audited only when it sends: not after use or lock, nor past
 * ten codes a day; it carries the wrong entries over.
 */
const expectedTrail = (steps: ReadonlyArray<Step>, patientId: string): Array<Said> => {
  const trail: Array<Said> = [{ action: "login.started", outcome: "success", reason: null, patientId }]
  const failure = (action: string, reason: string): Said => ({
    action,
    outcome: "failure",
    reason,
    patientId
  })
  let wrong = 0
  let used = false
  let sends = 1
  for (const step of steps) {
    const locked = wrong >= 5
    if (step === "resend") {
      if (!used && !locked && sends < 10) {
        sends++
        trail.push({ action: "login.code-resent", outcome: "success", reason: null, patientId })
      }
    } else if (used) trail.push(failure("login.failed", "PasscodeUsed"))
    else if (locked) trail.push(failure("login.failed", "PasscodeLocked"))
    else if (step === "right") {
      used = true
      trail.push({ action: "login.succeeded", outcome: "success", reason: null, patientId })
    } else {
      wrong++
      trail.push(
        wrong === 5 ? failure("login.locked", "PasscodeLocked") : failure("login.failed", "PasscodeInvalid")
      )
    }
  }
  return trail
}

const countBy = (trail: ReadonlyArray<Said>) => {
  const counts: Record<string, number> = {}
  for (const e of trail) counts[e.action] = (counts[e.action] ?? 0) + 1
  return counts
}

/** Runs the steps on one challenge; returns every code sent for it. */
const runSteps = (challengeId: ChallengeId, steps: ReadonlyArray<Step>) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const codes = new Set<string>()
    for (const step of steps) {
      const code = yield* requireCode(challengeId)
      codes.add(Redacted.value(code))
      if (step === "resend") {
        yield* TestClock.adjust(Duration.seconds(61))
        yield* Effect.exit(auth.resendLogin(challengeId))
      } else {
        yield* Effect.exit(auth.verifyLogin(challengeId, step === "right" ? code : wrongCode(code), false))
      }
    }
    codes.add(Redacted.value(yield* requireCode(challengeId)))
    return codes
  })

const checkTrail = (
  patient: Patient,
  challengeId: ChallengeId,
  steps: ReadonlyArray<Step>,
  codes: Set<string>
) =>
  Effect.gen(function* () {
    const all = yield* events
    const expected = expectedTrail(steps, patient.id)
    assert.deepStrictEqual(countBy(all.map(said)), countBy(expected))
    assert.deepStrictEqual(all.map(said), expected)
    for (const e of all) {
      assert.strictEqual(e.clinicId, patient.clinicId)
      assert.strictEqual(e.resource, `challenge:${challengeId}`)
      assert.strictEqual(e.actor.kind, "anonymous")
      const json = JSON.stringify(Schema.encodeSync(AuditEvent)(e))
      for (const code of codes) assert.isFalse(json.includes(code), `audit event ${e.action} holds a code`)
    }
    assert.strictEqual(new Set(all.map((e) => e.id)).size, all.length)
  })

// 12-digit codes: a 6-digit code could turn up by chance in an event's UUIDs and fail the
// "no code in any event" check for no fault of the code under test.
const longCodes = { loginCodeLength: 12 }

describe("Authentication: the audit trail of a login", () => {
  it.effect.prop(
    "any sequence of right and wrong entries and resends on one challenge is audited event for event",
    { steps: Schema.Array(Step).check(Schema.isBetweenLength(1, 14)), byPhone: Schema.Boolean },
    ({ steps, byPhone }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const challenge = yield* auth.startLogin({
          clinicId: patient.clinicId,
          identifier: patient.healthCard,
          contact: byPhone ? "416-555-0100" : "ADA@example.org"
        })
        const codes = yield* runSteps(challenge.challengeId, steps)
        yield* checkTrail(patient, challenge.challengeId, steps, codes)
      }).pipe(Effect.provide(freshDomain(longCodes))),
    { timeout: 60_000, arbitrary: { runs: 60, size: 30 } }
  )

  it.effect(
    "five wrong entries: four login.failed (PasscodeInvalid), then login.locked; then login.failed (PasscodeLocked)",
    () =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const challengeId = yield* startLoginFor(patient)
        const steps: Array<Step> = ["wrong", "wrong", "wrong", "wrong", "wrong", "right"]
        const codes = yield* runSteps(challengeId, steps)
        yield* checkTrail(patient, challengeId, steps, codes)
        const counts = countBy((yield* events).map(said))
        assert.deepStrictEqual(counts, { "login.started": 1, "login.failed": 5, "login.locked": 1 })
      }).pipe(Effect.provide(freshDomain(longCodes)))
  )

  it.effect("a right entry: login.succeeded; the same code again: login.failed (PasscodeUsed)", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const challengeId = yield* startLoginFor(patient)
      const steps: Array<Step> = ["wrong", "right", "right"]
      const codes = yield* runSteps(challengeId, steps)
      const trail = (yield* events).map(said)
      assert.deepStrictEqual(trail, [
        { action: "login.started", outcome: "success", reason: null, patientId: patient.id },
        { action: "login.failed", outcome: "failure", reason: "PasscodeInvalid", patientId: patient.id },
        { action: "login.succeeded", outcome: "success", reason: null, patientId: patient.id },
        { action: "login.failed", outcome: "failure", reason: "PasscodeUsed", patientId: patient.id }
      ])
      yield* checkTrail(patient, challengeId, steps, codes)
    }).pipe(Effect.provide(freshDomain(longCodes)))
  )

  it.effect("resends stop being sent (and audited) at ten codes a day", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const challengeId = yield* startLoginFor(patient)
      const steps: Array<Step> = [...Array.from({ length: 11 }, (): Step => "resend"), "right"]
      const codes = yield* runSteps(challengeId, steps)
      yield* checkTrail(patient, challengeId, steps, codes)
      const counts = countBy((yield* events).map(said))
      assert.deepStrictEqual(counts, { "login.started": 1, "login.code-resent": 9, "login.succeeded": 1 })
    }).pipe(Effect.provide(freshDomain(longCodes)))
  )

  it.effect("an expired code's entry is audited as login.failed (PasscodeExpired)", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const challengeId = yield* startLoginFor(patient)
      const code = yield* requireCode(challengeId)
      yield* TestClock.adjust(Duration.minutes(10))
      expectTag(yield* Effect.flip(auth.verifyLogin(challengeId, code, false)), "PasscodeExpired")
      const last = (yield* events).at(-1)
      assert.deepStrictEqual(last && said(last), {
        action: "login.failed",
        outcome: "failure",
        reason: "PasscodeExpired",
        patientId: patient.id
      })
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("a throttled entry is audited as login.failed (TooManyAttempts)", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const first = yield* startLoginFor(patient)
      const code = yield* requireCode(first)
      // A patient limit of 3 reaches the throttle with a few entries.
      for (let i = 0; i < 3; i++) yield* Effect.flip(auth.verifyLogin(first, wrongCode(code), false))
      const exit = yield* Effect.exit(auth.verifyLogin(first, code, false))
      assert.isTrue(Exit.isFailure(exit))
      const last = (yield* events).at(-1)
      assert.deepStrictEqual(last && said(last), {
        action: "login.failed",
        outcome: "failure",
        reason: "TooManyAttempts",
        patientId: patient.id
      })
    }).pipe(Effect.provide(freshDomain({ maxPatientFailures: 3 })))
  )

  it.effect(
    "a decoy challenge is audited without a patient: started with IdentityNotMatched, entries failed and locked",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const challenge = yield* auth.startLogin({
          clinicId: patient.clinicId,
          identifier: patient.healthCard,
          contact: "someone-else@example.org"
        })
        for (let i = 0; i < 6; i++) {
          yield* Effect.flip(auth.verifyLogin(challenge.challengeId, Redacted.make("123456"), false))
        }
        const failure = (action: string, reason: string): Said => ({
          action,
          outcome: "failure",
          reason,
          patientId: null
        })
        assert.deepStrictEqual((yield* events).map(said), [
          failure("login.started", "IdentityNotMatched"),
          failure("login.failed", "PasscodeInvalid"),
          failure("login.failed", "PasscodeInvalid"),
          failure("login.failed", "PasscodeInvalid"),
          failure("login.failed", "PasscodeInvalid"),
          failure("login.locked", "PasscodeLocked"),
          failure("login.failed", "PasscodeLocked")
        ])
      }).pipe(Effect.provide(freshDomain()))
  )
})
