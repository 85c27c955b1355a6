/**
 * Where passcodes are kept, and the two operations whose rules must hold under concurrency:
 * issuing (supersede older codes, respect send limits) and attempting (single use, lockout,
 * per-patient throttle). The decisions are pure functions from the domain; the store's job
 * is to run each one atomically against the current state: in memory as one `Ref.modify`,
 * in a database in one transaction with the rows locked.
 */
import { Context, DateTime, Effect, Layer, Option, type Result, TxRef } from "effect"
import type { ChallengeId, ClinicId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { type Passcode, type PasscodePurpose, type PasscodeTarget, targetKey } from "./Passcode.ts"

/** What an attempt does to the passcode it checked. */
export type Verdict =
  /** The right code: mark it consumed. */
  | "consume"
  /** A wrong entry: one more failed attempt on the passcode, and one on its patient. */
  | "fail"
  /** Refused before comparing (expired, used, locked, throttled): nothing changes. */
  | "refuse"

/** An attempt's decision and what it answers. */
export interface Decision<A> {
  readonly verdict: Verdict
  readonly result: A
}

/** What `issue` shows the decision: the recent codes for the same purpose and target. */
export interface IssueContext {
  /**
   * Codes for the same purpose and target issued after the window start, oldest first. The
   * window excludes its start, so a code issued at `t` stops counting at exactly `t + window`.
   */
  readonly recent: ReadonlyArray<Passcode>
  /** The newest code of the challenge being resent, if this is a resend. */
  readonly current: Option.Option<Passcode>
}

/** What `issue` needs: the purpose and target, the window of recent codes, and the decision. */
export interface IssueRequest<R> {
  readonly clinicId: ClinicId
  readonly purpose: PasscodePurpose
  readonly target: PasscodeTarget
  /** Set for a resend: the challenge whose newest code `decide` is shown. */
  readonly challengeId: Option.Option<ChallengeId>
  readonly windowStart: DateTime.Utc
  readonly decide: (context: IssueContext) => Result.Result<Passcode, R>
}

/** Passcodes, stored only with their HMAC. */
export class PasscodeStore extends Context.Service<
  PasscodeStore,
  {
    /**
     * Atomically: shows `decide` the recent codes for `purpose`/`target`; if it returns a
     * passcode, inserts it and marks every other unconsumed, unsuperseded code for the same
     * purpose and target superseded at its `issuedAt`; if it returns a refusal, writes nothing.
     */
    readonly issue: <R>(request: IssueRequest<R>) => Effect.Effect<Result.Result<Passcode, R>>
    /** The newest passcode issued under a challenge. */
    readonly latest: (challengeId: ChallengeId) => Effect.Effect<Option.Option<Passcode>>
    /**
     * Atomically: shows `decide` the challenge's newest passcode and the times of its
     * patient's wrong entries after `failureWindowStart` (oldest first; the start itself excluded), then applies the
     * verdict at `now`.
     * `None` when the challenge does not exist.
     */
    readonly attempt: <A>(request: {
      readonly challengeId: ChallengeId
      readonly now: DateTime.Utc
      readonly failureWindowStart: DateTime.Utc
      readonly decide: (passcode: Passcode, recentPatientFailures: ReadonlyArray<DateTime.Utc>) => Decision<A>
    }) => Effect.Effect<Option.Option<A>>
    /** The times of a patient's wrong entries after `since`, oldest first. */
    readonly patientFailures: (
      patientId: PatientId,
      since: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<DateTime.Utc>>
    /** The newest passcode issued for a purpose and target (e.g. the link of one upload request). */
    readonly latestFor: (
      purpose: PasscodePurpose,
      target: PasscodeTarget
    ) => Effect.Effect<Option.Option<Passcode>>
    /**
     * Atomically: marks a challenge's newest passcode used (`consumedAt = at`) unless it is
     * already used or superseded, so it opens nothing and cannot be resent; answers it as it
     * now stands. `None` when the challenge does not exist.
     */
    readonly retire: (challengeId: ChallengeId, at: DateTime.Utc) => Effect.Effect<Option.Option<Passcode>>
    /**
     * Atomically: marks used at `at` every passcode of the patient for one of `purposes` that
     * is neither used nor superseded; answers those it retired.
     */
    readonly retireAllFor: (
      patientId: PatientId,
      purposes: ReadonlyArray<PasscodePurpose>,
      at: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<Passcode>>
  }
>()("@careportal/domain/PasscodeStore") {
  /**
   * In memory; every operation is one atomic `Ref.modify`. Also provides
   * `PasscodeStoreMemory`, through which tests inspect what the store holds.
   */
  static readonly layerMemory: Layer.Layer<PasscodeStore | PasscodeStoreMemory> = Layer.suspend(() =>
    memoryLayer(
      PasscodeStore,
      PasscodeStoreMemory,
      () => ({ passcodes: [], failures: new Map() }),
      makeMemory
    )
  )
}

/** The in-memory passcode store's state, for tests that inspect or tamper with it. */
export class PasscodeStoreMemory extends Context.Service<PasscodeStoreMemory, MemoryHandle<MemoryState>>()(
  "@careportal/domain/PasscodeStoreMemory"
) {}

/** The in-memory store's whole state. */
export interface MemoryState {
  /** Every passcode ever issued, in issue order. */
  readonly passcodes: ReadonlyArray<Passcode>
  /** Wrong-entry times per patient. */
  readonly failures: ReadonlyMap<PatientId, ReadonlyArray<DateTime.Utc>>
}

const makeMemory = (state: TxRef.TxRef<MemoryState>) => {
  const latestOf = (passcodes: ReadonlyArray<Passcode>, challengeId: ChallengeId) => {
    for (let i = passcodes.length - 1; i >= 0; i--) {
      const p = passcodes[i]
      if (p?.challengeId === challengeId) return Option.some(p)
    }
    return Option.none<Passcode>()
  }
  return PasscodeStore.of({
    issue: <R>({ purpose, target, challengeId, windowStart, decide }: IssueRequest<R>) =>
      TxRef.modify(state, (s): [Result.Result<Passcode, R>, MemoryState] => {
        const key = targetKey(purpose, target)
        const recent = s.passcodes.filter(
          (p) => targetKey(p.purpose, p.target) === key && DateTime.isGreaterThan(p.issuedAt, windowStart)
        )
        const current = Option.flatMap(challengeId, (id) => latestOf(s.passcodes, id))
        const decision = decide({ recent, current })
        if (decision._tag === "Failure") return [decision, s]
        const issued = decision.success
        const passcodes = s.passcodes.map((p) =>
          targetKey(p.purpose, p.target) === key && p.consumedAt === null && p.supersededAt === null
            ? withChanges(p, { supersededAt: issued.issuedAt })
            : p
        )
        return [decision, { ...s, passcodes: [...passcodes, issued] }]
      }),
    latest: (challengeId) => Effect.map(TxRef.get(state), (s) => latestOf(s.passcodes, challengeId)),
    attempt: ({ challengeId, now, failureWindowStart, decide }) =>
      TxRef.modify(state, (s) => {
        const found = latestOf(s.passcodes, challengeId)
        if (Option.isNone(found)) return [Option.none(), s]
        const passcode = found.value
        const patientId = passcode.target.patientId
        const failures = patientId === null ? [] : (s.failures.get(patientId) ?? [])
        const recentFailures = failures.filter((t) => DateTime.isGreaterThan(t, failureWindowStart))
        const { verdict, result } = decide(passcode, recentFailures)
        if (verdict === "refuse") return [Option.some(result), s]
        const updated =
          verdict === "consume"
            ? withChanges(passcode, { consumedAt: now })
            : withChanges(passcode, { failedAttempts: passcode.failedAttempts + 1 })
        const next: MemoryState = {
          passcodes: s.passcodes.map((p) => (p === passcode ? updated : p)),
          failures:
            verdict === "fail" && patientId !== null
              ? new Map(s.failures).set(patientId, [...failures, now])
              : s.failures
        }
        return [Option.some(result), next]
      }),
    patientFailures: (patientId, since) =>
      Effect.map(TxRef.get(state), (s) =>
        (s.failures.get(patientId) ?? []).filter((t) => DateTime.isGreaterThan(t, since))
      ),
    latestFor: (purpose, target) =>
      Effect.map(TxRef.get(state), (s) => {
        const key = targetKey(purpose, target)
        return Option.fromUndefinedOr(s.passcodes.findLast((p) => targetKey(p.purpose, p.target) === key))
      }),
    retire: (challengeId, at) =>
      TxRef.modify(state, (s): [Option.Option<Passcode>, MemoryState] => {
        const found = latestOf(s.passcodes, challengeId)
        if (Option.isNone(found)) return [found, s]
        const passcode = found.value
        if (passcode.consumedAt !== null || passcode.supersededAt !== null) return [found, s]
        const retired = withChanges(passcode, { consumedAt: at })
        return [
          Option.some(retired),
          { ...s, passcodes: s.passcodes.map((p) => (p === passcode ? retired : p)) }
        ]
      }),
    retireAllFor: (patientId, purposes, at) =>
      TxRef.modify(state, (s): [ReadonlyArray<Passcode>, MemoryState] => {
        const retired: Array<Passcode> = []
        const passcodes = s.passcodes.map((p) => {
          if (
            p.target.patientId !== patientId ||
            !purposes.includes(p.purpose) ||
            p.consumedAt !== null ||
            p.supersededAt !== null
          )
            return p
          const next = withChanges(p, { consumedAt: at })
          retired.push(next)
          return next
        })
        return [retired, retired.length === 0 ? s : { ...s, passcodes }]
      })
  })
}

/** A copy of a passcode with some fields changed (classes are immutable). */
export const withChanges = (
  p: Passcode,
  changes: Partial<Pick<Passcode, "consumedAt" | "supersededAt" | "failedAttempts">>
) => new (p.constructor as typeof Passcode)({ ...p, ...changes })
