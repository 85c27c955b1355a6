/**
 * Model-based test of one patient's login challenges. fast-check generates sequences of
 * commands (start a login, enter the right / a wrong / the first code on a challenge, resend,
 * move the clock); each is run against the real in-memory domain and against a small
 * reference model written from docs/authentication.md, and the answers must agree: the
 * outcome's tag and its number (`attemptsLeft`, `retryAfterSeconds`).
 *
 * The model is plain TypeScript over milliseconds and shares no code with src/PasscodeRules.ts.
 */
import { describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Redacted, Result } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Authentication } from "../src/Authentication.ts"
import type { ChallengeId } from "../src/Ids.ts"
import { Outbox } from "../src/Outbox.ts"
import { freshDomain, requireCode, seedPatient, wrongCode } from "./support.ts"

// ---------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** The numbers of the rules, as docs/authentication.md states them (not read from src). */
interface Rules {
  readonly codeTtl: number
  readonly maxAttempts: number
  readonly cooldown: number
  readonly maxSends: number
  readonly sendWindow: number
  readonly maxPatientFailures: number
  readonly failureWindow: number
}

const documented: Rules = {
  codeTtl: 10 * MINUTE,
  maxAttempts: 5,
  cooldown: 60 * SECOND,
  maxSends: 10,
  sendWindow: DAY,
  maxPatientFailures: 100,
  failureWindow: HOUR
}

/** One login challenge as the patient sees it. */
interface ModelChallenge {
  /** When its newest code was sent. */
  lastSentAt: number
  /** Wrong entries so far; they carry over to a resent code. */
  wrong: number
  used: boolean
  superseded: boolean
  /** Every code sent for it, oldest first (read from the outbox, as the patient would). */
  readonly codes: Array<string>
}

interface Model {
  now: number
  readonly challenges: Array<ModelChallenge>
  /** When each code for the patient was sent (first sends and resends), oldest first. */
  readonly sends: Array<number>
  /** When each wrong entry for the patient was made, oldest first. */
  readonly failures: Array<number>
}

/** What an operation answered, reduced to what the model predicts. */
interface Outcome {
  readonly tag: string
  readonly n?: number | undefined
}

const ok: Outcome = { tag: "success" }
const outcome = (tag: string, n?: number): Outcome => (n === undefined ? { tag } : { tag, n })
const show = (o: Outcome) => (o.n === undefined ? o.tag : `${o.tag}(${o.n})`)

/**
 * How many events of a rolling window count at `at`. An event at `t` counts from `t` until
 * `t + window`, that end excluded: "boundaries are exclusive" (docs/authentication.md).
 */
const countAt = (events: ReadonlyArray<number>, window: number, at: number) =>
  events.filter((t) => t <= at && at - t < window).length

/**
 * The refusal of a rolling limit (`limit` events per `window`) at `now`: the seconds to wait,
 * rounded up so that waiting that long is enough; `undefined` when there is room. The
 * reopening is found from the definition: the first instant at which an event leaves the
 * window and fewer than `limit` remain.
 */
const limitRefusal = (events: ReadonlyArray<number>, window: number, limit: number, now: number) => {
  if (countAt(events, window, now) < limit) return undefined
  const reopening = events
    .map((t) => t + window)
    .filter((at) => at > now)
    .sort((a, b) => a - b)
    .find((at) => countAt(events, window, at) < limit)
  if (reopening === undefined) throw new Error("model: a full window never reopens")
  return Math.ceil((reopening - now) / SECOND)
}

const sendRefusal = (m: Model, r: Rules): Outcome | undefined => {
  const wait = limitRefusal(m.sends, r.sendWindow, r.maxSends, m.now)
  return wait === undefined ? undefined : outcome("ResendLimitReached", wait)
}

/** A new code went out: it supersedes every unused code of every other challenge. */
const recordSend = (m: Model, fresh: ModelChallenge) => {
  for (const c of m.challenges) if (c !== fresh && !c.used) c.superseded = true
  m.sends.push(m.now)
}

/**
 * The documented order of judging: a finished challenge (used, then superseded, then
 * locked) outranks expiry, which outranks the patient's throttle, which outranks the code.
 */
const predictEntry = (m: Model, c: ModelChallenge, entered: string, r: Rules): Outcome => {
  if (c.used) return outcome("PasscodeUsed")
  if (c.superseded) return outcome("PasscodeSuperseded")
  if (c.wrong >= r.maxAttempts) return outcome("PasscodeLocked")
  if (m.now >= c.lastSentAt + r.codeTtl) return outcome("PasscodeExpired")
  const throttled = limitRefusal(m.failures, r.failureWindow, r.maxPatientFailures, m.now)
  if (throttled !== undefined) return outcome("TooManyAttempts", throttled)
  if (entered === c.codes[c.codes.length - 1]) {
    c.used = true
    return ok
  }
  c.wrong += 1
  m.failures.push(m.now)
  const left = r.maxAttempts - c.wrong
  return left > 0 ? outcome("PasscodeInvalid", left) : outcome("PasscodeLocked")
}

/** A resend: refused for a finished challenge, within the cooldown, or over the daily cap; an expired code may be resent. */
const predictResend = (m: Model, c: ModelChallenge, r: Rules): Outcome => {
  if (c.used) return outcome("PasscodeUsed")
  if (c.superseded) return outcome("PasscodeSuperseded")
  if (c.wrong >= r.maxAttempts) return outcome("PasscodeLocked")
  const since = m.now - c.lastSentAt
  if (since < r.cooldown) return outcome("ResendTooSoon", Math.ceil((r.cooldown - since) / SECOND))
  const refused = sendRefusal(m, r)
  if (refused !== undefined) return refused
  c.lastSentAt = m.now
  recordSend(m, c)
  return ok
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** The challenge's newest code, that code with its first digit changed, or its first code (stale after a resend). */
type Entered = "right" | "wrong" | "first"

type Command =
  | { readonly _tag: "Start" }
  | { readonly _tag: "Enter"; readonly pick: number; readonly code: Entered }
  | { readonly _tag: "Resend"; readonly pick: number }
  | { readonly _tag: "Advance"; readonly ms: number }
  | { readonly _tag: "AdvanceToEdge"; readonly edge: Edge; readonly delta: -1 | 0 | 1 }

/**
 * The rules' edges, relative to what happened: the newest challenge's cooldown and expiry
 * end, and the next moment a send or a wrong entry is a whole window old.
 */
type Edge = "cooldown" | "expiry" | "sendWindow" | "failureWindow"

/** `pick` counts back from the newest challenge, so shrinking goes towards the newest. */
const pickName = (pick: number) => (pick === 0 ? "newest" : `newest-${pick}`)
const describeCommand = (c: Command) => {
  switch (c._tag) {
    case "Start":
      return "start()"
    case "Enter":
      return `enter(${c.code}, ${pickName(c.pick)})`
    case "Resend":
      return `resend(${pickName(c.pick)})`
    case "Advance":
      return `advance(${c.ms} ms)`
    case "AdvanceToEdge":
      return `advanceTo(${c.edge}${c.delta === 0 ? "" : c.delta > 0 ? " + 1 ms" : " - 1 ms"})`
  }
}

// Only the newest challenge can still be in use, so it is picked most often.
const pick = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat({ max: 12 }), weight: 2 })
const duration = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 1_500 }), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 2 * MINUTE }), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      59 * SECOND,
      60 * SECOND,
      10 * MINUTE - 1,
      10 * MINUTE,
      HOUR - 1,
      HOUR,
      DAY - 1,
      DAY
    ),
    weight: 4
  }
)
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ _tag: "Start" as const }), weight: 3 },
  {
    arbitrary: fc.record({
      _tag: fc.constant("Enter" as const),
      pick,
      code: fc.oneof(
        { arbitrary: fc.constant<Entered>("wrong"), weight: 4 },
        { arbitrary: fc.constant<Entered>("right"), weight: 1 },
        { arbitrary: fc.constant<Entered>("first"), weight: 1 }
      )
    }),
    weight: 6
  },
  { arbitrary: fc.record({ _tag: fc.constant("Resend" as const), pick }), weight: 3 },
  { arbitrary: fc.record({ _tag: fc.constant("Advance" as const), ms: duration }), weight: 3 },
  {
    arbitrary: fc.record({
      _tag: fc.constant("AdvanceToEdge" as const),
      edge: fc.constantFrom<Edge>("cooldown", "expiry", "sendWindow", "failureWindow"),
      delta: fc.constantFrom<-1 | 0 | 1>(0, -1, 1)
    }),
    weight: 2
  }
)

/** A command and how many times in a row to run it: bursts reach the cap and the lockout. */
interface Block {
  readonly command: Command
  readonly times: number
}
/** A block that prints as `3× enter(wrong, newest)` in counterexamples. */
const times = (n: number, command: Command): Block & fc.WithToStringMethod => ({
  command,
  times: n,
  [fc.toStringMethod]: () => `${n === 1 ? "" : `${n}× `}${describeCommand(command)}`
})
const block: fc.Arbitrary<Block> = fc
  .record({
    command,
    times: fc.oneof(
      { arbitrary: fc.constant(1), weight: 4 },
      { arbitrary: fc.integer({ min: 2, max: 6 }), weight: 1 }
    )
  })
  .map((b) => times(b.times, b.command))

/** How far ahead an edge is (0 when it is not ahead). */
const untilEdge = (m: Model, edge: Edge, delta: number, r: Rules) => {
  const newest = m.challenges[m.challenges.length - 1]
  const ahead = (moments: ReadonlyArray<number>) => {
    const next = moments.map((t) => t + delta).find((t) => t > m.now)
    return next === undefined ? 0 : next - m.now
  }
  switch (edge) {
    case "cooldown":
      return ahead(newest === undefined ? [] : [newest.lastSentAt + r.cooldown])
    case "expiry":
      return ahead(newest === undefined ? [] : [newest.lastSentAt + r.codeTtl])
    case "sendWindow":
      return ahead(m.sends.map((t) => t + r.sendWindow))
    case "failureWindow":
      return ahead(m.failures.map((t) => t + r.failureWindow))
  }
}

// ---------------------------------------------------------------------------------------------
// Running a sequence against the real domain and the model
// ---------------------------------------------------------------------------------------------

const outcomeOf = <A>(result: Result.Result<A, { readonly _tag: string }>): Outcome => {
  if (Result.isSuccess(result)) return ok
  const e = result.failure as {
    readonly _tag: string
    readonly attemptsLeft?: number
    readonly retryAfterSeconds?: number
  }
  return outcome(e._tag, e.attemptsLeft ?? e.retryAfterSeconds)
}

const sameOutcome = (a: Outcome, b: Outcome) => a.tag === b.tag && a.n === b.n

/**
 * Runs the commands after a first login, step by step. Stops at the first step where the
 * domain and the model disagree and returns the trace up to it, or `undefined` when they
 * agreed throughout.
 */
const scenario = (blocks: ReadonlyArray<Block>, rules: Rules) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const outbox = yield* Outbox
    const patient = yield* seedPatient()
    const ids: Array<ChallengeId> = []
    const model: Model = { now: 0, challenges: [], sends: [], failures: [] }
    const trace: Array<string> = []
    const mismatch = (step: string, detail: string) => {
      trace.push(`${step}  <-- ${detail}`)
      return trace.join("\n")
    }
    const newestCode = (id: ChallengeId) => Effect.map(requireCode(id), Redacted.value)

    /** A send the model allowed: the challenge's new code is in the outbox, one message per send. */
    const checkSent = Effect.fnUntraced(function* (
      id: ChallengeId,
      c: ModelChallenge,
      expiresAt: DateTime.Utc
    ) {
      const code = yield* newestCode(id)
      c.codes.push(code)
      if (!/^\d{6}$/.test(code)) return `the code sent is not 6 digits: ${code.length} characters`
      if (DateTime.toEpochMillis(expiresAt) !== model.now + rules.codeTtl) {
        return `expiresAt is ${DateTime.toEpochMillis(expiresAt)}, expected ${model.now + rules.codeTtl}`
      }
      const sent = (yield* outbox.all).length
      if (sent !== model.sends.length) return `${sent} messages in the outbox, expected ${model.sends.length}`
      return undefined
    })

    const steps: ReadonlyArray<Command> = [
      { _tag: "Start" },
      ...blocks.flatMap((b) => Array.from({ length: b.times }, () => b.command))
    ]
    for (const [index, cmd] of steps.entries()) {
      const step = `#${index} t=${model.now} ms ${describeCommand(cmd)}${index === 0 ? " (setup)" : ""}`
      if (cmd._tag === "Advance" || cmd._tag === "AdvanceToEdge") {
        const ms = cmd._tag === "Advance" ? cmd.ms : untilEdge(model, cmd.edge, cmd.delta, rules)
        if (ms > 0) {
          yield* TestClock.adjust(Duration.millis(ms))
          model.now += ms
        }
        trace.push(cmd._tag === "Advance" ? step : `${step} = ${ms} ms`)
        continue
      }
      if (cmd._tag === "Start") {
        const expected = sendRefusal(model, rules) ?? ok
        const result = yield* Effect.result(
          auth.startLogin({
            clinicId: patient.clinicId,
            identifier: patient.healthCard,
            contact: "ada@example.org"
          })
        )
        const actual = outcomeOf(result)
        if (!sameOutcome(expected, actual)) {
          return mismatch(step, `expected ${show(expected)}, got ${show(actual)}`)
        }
        if (Result.isSuccess(result)) {
          const c: ModelChallenge = {
            lastSentAt: model.now,
            wrong: 0,
            used: false,
            superseded: false,
            codes: []
          }
          model.challenges.push(c)
          ids.push(result.success.challengeId)
          recordSend(model, c)
          const problem = yield* checkSent(result.success.challengeId, c, result.success.expiresAt)
          if (problem !== undefined) return mismatch(step, problem)
        }
        trace.push(`${step} -> ${show(actual)}`)
        continue
      }
      const i = ids.length - 1 - (cmd.pick % ids.length)
      const id = ids[i] as ChallengeId
      const c = model.challenges[i] as ModelChallenge
      if (cmd._tag === "Enter") {
        const right = yield* newestCode(id)
        const entered =
          cmd.code === "right"
            ? right
            : cmd.code === "wrong"
              ? Redacted.value(wrongCode(Redacted.make(right)))
              : (c.codes[0] as string)
        const expected = predictEntry(model, c, entered, rules)
        const result = yield* Effect.result(auth.verifyLogin(id, Redacted.make(entered), false))
        const actual = outcomeOf(result)
        if (!sameOutcome(expected, actual)) {
          return mismatch(step, `expected ${show(expected)}, got ${show(actual)}`)
        }
        if (Result.isSuccess(result) && result.success.principal.patientId !== patient.id) {
          return mismatch(step, "a session for another patient")
        }
        trace.push(`${step} -> ${show(actual)}`)
        continue
      }
      const expected = predictResend(model, c, rules)
      const result = yield* Effect.result(auth.resendLogin(id))
      const actual = outcomeOf(result)
      if (!sameOutcome(expected, actual)) {
        return mismatch(step, `expected ${show(expected)}, got ${show(actual)}`)
      }
      if (Result.isSuccess(result)) {
        if (result.success.challengeId !== id)
          return mismatch(step, "the resend answered another challenge id")
        const problem = yield* checkSent(id, c, result.success.expiresAt)
        if (problem !== undefined) return mismatch(step, problem)
      }
      trace.push(`${step} -> ${show(actual)}`)
    }
    return undefined
  })

/** The domain's policy for a tighter set of numbers (the default run uses src's own defaults). */
const policyOf = (rules: Rules) => ({
  loginCodeTtl: Duration.millis(rules.codeTtl),
  maxFailedAttempts: rules.maxAttempts,
  resendCooldown: Duration.millis(rules.cooldown),
  maxSendsPerTarget: rules.maxSends,
  sendWindow: Duration.millis(rules.sendWindow),
  maxPatientFailures: rules.maxPatientFailures,
  patientFailureWindow: Duration.millis(rules.failureWindow)
})

type Run = [blocks: Array<Block>, seed: number]

/**
 * For every sequence (and code-generator seed) the domain, on `policy`, answers as the model
 * on `rules` predicts. `examples` run first, every time: counterexamples found earlier.
 */
const agreesWithModel = (
  rules: Rules,
  policy: Partial<ReturnType<typeof policyOf>>,
  numRuns: number,
  examples: ReadonlyArray<Run> = []
) =>
  fc.assert(
    fc.asyncProperty(fc.array(block, { maxLength: 30, size: "max" }), fc.nat(), async (blocks, seed) => {
      const divergence = await Effect.runPromise(
        scenario(blocks, rules).pipe(
          Effect.provide(freshDomain(policy, seed)),
          Effect.provide(TestClock.layer())
        )
      )
      if (divergence !== undefined) throw new Error(`the domain and the model disagree:\n${divergence}`)
    }),
    { numRuns, examples: [...examples] }
  )

const start: Command = { _tag: "Start" }
const enter = (code: Entered): Command => ({ _tag: "Enter", pick: 0, code })
const advanceTo = (edge: Edge, delta: -1 | 0 | 1 = 0): Command => ({ _tag: "AdvanceToEdge", edge, delta })
const advance = (ms: number): Command => ({ _tag: "Advance", ms })

describe("Authentication login, against a reference model", () => {
  it("one patient's challenges answer as the documented rules predict (default policy)", async () => {
    // The domain runs on its own defaults: they must be the documented numbers.
    await agreesWithModel(documented, {}, 200, [
      // Ten codes at t = 0 stop counting at exactly t + 24 h. Found by this test against
      // cc684a3, whose store still counted them then (ResendLimitReached, retry after 1 s).
      [[times(9, start), times(1, advanceTo("sendWindow")), times(2, start)], 0]
    ])
  }, 60_000)

  // With the defaults, 100 wrong entries in an hour cannot be reached by one patient's login
  // challenges (10 sends a day × 5 entries), so a second run uses small numbers and short
  // windows (the failure window shorter than a code's lifetime), which reach the patient
  // throttle, the lockout and the send cap, and their windows' edges, often.
  const tight: Rules = {
    codeTtl: 10 * MINUTE,
    maxAttempts: 3,
    cooldown: 60 * SECOND,
    maxSends: 6,
    sendWindow: HOUR,
    maxPatientFailures: 4,
    failureWindow: 5 * MINUTE
  }
  it("the same under a tight policy, where the patient throttle and the send cap are reached often", async () => {
    await agreesWithModel(tight, policyOf(tight), 150, [
      // Four wrong entries at t = 0: throttled until t + 5 min − 1 ms, not at t + 5 min.
      // Found by this test against cc684a3, whose store kept the failure window's start.
      [
        [
          times(3, enter("wrong")),
          times(1, start),
          times(1, enter("wrong")),
          times(1, advanceTo("failureWindow", -1)),
          times(1, enter("wrong")),
          times(1, advance(1)),
          times(1, enter("wrong"))
        ],
        0
      ],
      [[times(5, start), times(1, advanceTo("sendWindow")), times(2, start)], 0]
    ])
  }, 60_000)
})
