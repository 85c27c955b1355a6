/**
 * `PasscodeStore` on PostgreSQL: the same contract cases as the in-memory store, and the
 * issue's races across a pool of connections, decided by the domain's own `judgeEntry` as
 * Authentication decides them: 50 right entries of one code open it once; 50 wrong entries
 * stop at five, after which the right code is refused too.
 */
import { AuthErrors, AuthPolicy, Ids, Passcode, PasscodeRules, PasscodeStore } from "@careportal/domain"
import { PasscodeStoreContract } from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { DateTime, Deferred, Effect, Fiber, Layer, Option, Result } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as PgPasscodeStore from "../src/PasscodeStore.ts"
import { warmDatabase } from "./warmDatabase.ts"

const policy = AuthPolicy.defaults
const now = DateTime.makeUnsafe("2031-01-01T12:00:00.000Z")

/** A fresh login code issued for a patient of its own. */
const issueCode = Effect.gen(function* () {
  const store = yield* PasscodeStore.PasscodeStore
  const id = crypto.randomUUID()
  const passcode = new Passcode.Passcode({
    id: Ids.PasscodeId.make(`passcode-${id}`),
    challengeId: Ids.ChallengeId.make(`challenge-${id}`),
    clinicId: Ids.ClinicId.make(`clinic-${id}`),
    purpose: "login-otp",
    target: new Passcode.PasscodeTarget({ patientId: Ids.PatientId.make(`patient-${id}`) }),
    channel: "email",
    codeHash: Passcode.CodeHash.make(`hmac-${id}`),
    issuedAt: now,
    expiresAt: DateTime.addDuration(now, policy.loginCodeTtl),
    failedAttempts: 0,
    consumedAt: null,
    supersededAt: null
  })
  const issued = yield* store.issue({
    clinicId: passcode.clinicId,
    purpose: passcode.purpose,
    target: passcode.target,
    challengeId: Option.none(),
    windowStart: DateTime.subtractDuration(now, policy.sendWindow),
    decide: () => Result.succeed(passcode)
  })
  assert.isTrue(Result.isSuccess(issued))
  return passcode
})

/** One entry of the code, right or wrong, judged as Authentication judges it. */
const enter = (challengeId: Ids.ChallengeId, correct: boolean) =>
  Effect.gen(function* () {
    const store = yield* PasscodeStore.PasscodeStore
    const outcome = yield* store.attempt({
      challengeId,
      now,
      failureWindowStart: DateTime.subtractDuration(now, policy.patientFailureWindow),
      decide: PasscodeRules.judgeEntry(policy, now, correct)
    })
    assert.isTrue(Option.isSome(outcome))
    return Option.getOrThrow(outcome)
  })

const errorTag = (outcome: PasscodeRules.EntryOutcome) =>
  outcome._tag === "Accepted" ? "Accepted" : outcome.error._tag

const tally = (tags: ReadonlyArray<string>) => {
  const counts: Record<string, number> = {}
  for (const tag of tags) counts[tag] = (counts[tag] ?? 0) + 1
  return counts
}

layer(PgPasscodeStore.layer.pipe(Layer.provideMerge(warmDatabase(8))), {
  timeout: 60_000
})("PasscodeStore (Postgres)", (it) => {
  for (const c of PasscodeStoreContract) it.effect(c.name, () => c.run)

  it.effect("50 concurrent entries of the right code open it exactly once", () =>
    Effect.gen(function* () {
      const store = yield* PasscodeStore.PasscodeStore
      const code = yield* issueCode
      const outcomes = yield* Effect.all(
        Array.from({ length: 50 }, () => enter(code.challengeId, true)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(tally(outcomes.map(errorTag)), { Accepted: 1, PasscodeUsed: 49 })
      const after = Option.getOrThrow(yield* store.latest(code.challengeId))
      assert.deepStrictEqual(after.consumedAt, now)
      assert.strictEqual(after.failedAttempts, 0)
    })
  )

  it.effect("50 concurrent wrong entries stop at five, and the right code is then refused", () =>
    Effect.gen(function* () {
      const store = yield* PasscodeStore.PasscodeStore
      const sql = yield* SqlClient.SqlClient
      const code = yield* issueCode
      const outcomes = yield* Effect.all(
        Array.from({ length: 50 }, () => enter(code.challengeId, false)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(tally(outcomes.map(errorTag)), { PasscodeInvalid: 4, PasscodeLocked: 46 })
      const attemptsLeft = outcomes
        .flatMap((o) =>
          o._tag === "Refused" && o.error instanceof AuthErrors.PasscodeInvalid ? [o.error.attemptsLeft] : []
        )
        .sort()
      assert.deepStrictEqual(attemptsLeft, [1, 2, 3, 4])
      // Exactly one entry locked the code; the others were refused by the lock.
      assert.strictEqual(outcomes.filter((o) => o._tag === "Refused" && o.locked).length, 1)
      const rows = yield* sql<{ failed_attempts: number }>`
          SELECT failed_attempts FROM passcodes WHERE challenge_id = ${code.challengeId}
        `
      assert.deepStrictEqual(rows, [{ failed_attempts: 5 }])
      const patientId = code.target.patientId as Ids.PatientId
      assert.strictEqual(
        (yield* store.patientFailures(patientId, DateTime.subtractDuration(now, "1 hour"))).length,
        5
      )

      const right = yield* enter(code.challengeId, true)
      assert.strictEqual(errorTag(right), "PasscodeLocked")
      const after = Option.getOrThrow(yield* store.latest(code.challengeId))
      assert.strictEqual(after.consumedAt, null)
      assert.strictEqual(after.failedAttempts, 5)
    })
  )

  it.effect(
    "an attempt that waits on a resend in progress acts on the resent code, not the one it replaced",
    () =>
      TestClock.withLive(
        Effect.gen(function* () {
          const store = yield* PasscodeStore.PasscodeStore
          const sql = yield* SqlClient.SqlClient
          const code = yield* issueCode
          const resent = new Passcode.Passcode({
            ...code,
            id: Ids.PasscodeId.make(`passcode-${crypto.randomUUID()}`),
            codeHash: Passcode.CodeHash.make(`hmac-${crypto.randomUUID()}`),
            issuedAt: DateTime.addDuration(now, "1 minute")
          })
          const issuedInside = yield* Deferred.make<void>()
          // The resend holds its transaction (and its row locks) open for a while after issuing.
          const resend = yield* Effect.forkChild(
            sql.withTransaction(
              Effect.gen(function* () {
                yield* store.issue({
                  clinicId: code.clinicId,
                  purpose: code.purpose,
                  target: code.target,
                  challengeId: Option.some(code.challengeId),
                  windowStart: DateTime.subtractDuration(now, policy.sendWindow),
                  decide: () => Result.succeed(resent)
                })
                yield* Deferred.succeed(issuedInside, undefined)
                yield* Effect.sleep("300 millis")
              })
            )
          )
          yield* Deferred.await(issuedInside)
          const seen = yield* store.attempt({
            challengeId: code.challengeId,
            now,
            failureWindowStart: now,
            decide: (passcode) => ({ verdict: "refuse", result: passcode.id })
          })
          yield* Fiber.join(resend)
          assert.deepStrictEqual(seen, Option.some(resent.id))
        })
      )
  )

  it.effect("a resend that waits on an attempt in progress sees the code as the attempt left it", () =>
    TestClock.withLive(
      Effect.gen(function* () {
        const store = yield* PasscodeStore.PasscodeStore
        const sql = yield* SqlClient.SqlClient
        const code = yield* issueCode
        const attempted = yield* Deferred.make<void>()
        // The attempt holds its transaction (and the code's row lock) open after consuming it.
        const attempt = yield* Effect.forkChild(
          sql.withTransaction(
            Effect.gen(function* () {
              yield* enter(code.challengeId, true)
              yield* Deferred.succeed(attempted, undefined)
              yield* Effect.sleep("300 millis")
            })
          )
        )
        yield* Deferred.await(attempted)
        let seen: PasscodeStore.IssueContext | undefined
        yield* store.issue({
          clinicId: code.clinicId,
          purpose: code.purpose,
          target: code.target,
          challengeId: Option.some(code.challengeId),
          windowStart: DateTime.subtractDuration(now, policy.sendWindow),
          decide: (context) => {
            seen = context
            return Result.fail("refused")
          }
        })
        yield* Fiber.join(attempt)
        assert.deepStrictEqual(
          seen?.recent.map((p) => p.consumedAt),
          [now]
        )
        assert.deepStrictEqual(
          Option.map(seen?.current ?? Option.none(), (p) => p.consumedAt),
          Option.some(now)
        )
      })
    )
  )
})
