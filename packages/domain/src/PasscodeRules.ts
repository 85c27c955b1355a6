/**
 * The passcode rules as pure functions of a passcode, the time and the policy. The stores
 * run them atomically; the services turn their answers into sessions and errors.
 */
import { DateTime, Duration } from "effect"
import {
  PasscodeExpired,
  type PasscodeFailure,
  PasscodeInvalid,
  PasscodeLocked,
  PasscodeSuperseded,
  PasscodeUsed,
  ResendLimitReached,
  ResendTooSoon,
  TooManyAttempts
} from "./AuthErrors.ts"
import type { AuthPolicy } from "./AuthPolicy.ts"
import type { Passcode, PasscodePurpose, PasscodeState } from "./Passcode.ts"
import type { Decision } from "./PasscodeStore.ts"

/** A code's lifetime for its purpose. */
export const ttlOf = (policy: AuthPolicy, purpose: PasscodePurpose): Duration.Duration => {
  switch (purpose) {
    case "login-otp":
      return policy.loginCodeTtl
    case "quick-link":
      return policy.quickLinkTtl
    case "upload-link":
      return policy.uploadLinkTtl
    case "contact-verify":
      return policy.contactVerifyTtl
  }
}

/** The state of a passcode at `now`. Used, superseded and locked outrank expired. */
export const stateOf = (policy: AuthPolicy, passcode: Passcode, now: DateTime.Utc): PasscodeState => {
  if (passcode.consumedAt !== null) return "used"
  if (passcode.supersededAt !== null) return "superseded"
  if (passcode.failedAttempts >= policy.maxFailedAttempts) return "locked"
  if (DateTime.isGreaterThanOrEqualTo(now, passcode.expiresAt)) return "expired"
  return "active"
}

/** The error for a passcode that can no longer be used, by its state. */
const refusal = (state: Exclude<PasscodeState, "active">, purpose: PasscodePurpose) => {
  switch (state) {
    case "used":
      return new PasscodeUsed({ purpose })
    case "superseded":
      return new PasscodeSuperseded({ purpose })
    case "locked":
      return new PasscodeLocked({ purpose })
    case "expired":
      return new PasscodeExpired({ purpose })
  }
}

/** What an entry came to: accepted, or refused with the error to show and whether it locked the code. */
export type EntryOutcome =
  | { readonly _tag: "Accepted"; readonly passcode: Passcode }
  | {
      readonly _tag: "Refused"
      readonly passcode: Passcode
      readonly error: PasscodeFailure
      readonly locked: boolean
    }

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/**
 * Judges one entry of a code. `correct` says whether everything entered matched (the code,
 * and for a link the date of birth too); it is only looked at once the passcode is usable
 * and the patient is not throttled, so a refused passcode never reveals whether a guess
 * was right. A decoy (no patient) never accepts.
 */
export const judgeEntry =
  (policy: AuthPolicy, now: DateTime.Utc, correct: boolean) =>
  (passcode: Passcode, recentPatientFailures: ReadonlyArray<DateTime.Utc>): Decision<EntryOutcome> => {
    const state = stateOf(policy, passcode, now)
    if (state !== "active") {
      return {
        verdict: "refuse",
        result: { _tag: "Refused", passcode, error: refusal(state, passcode.purpose), locked: false }
      }
    }
    if (recentPatientFailures.length >= policy.maxPatientFailures) {
      // Attempts reopen when the oldest failure that keeps the count at the limit leaves the window.
      const oldest = recentPatientFailures[recentPatientFailures.length - policy.maxPatientFailures]
      const retryAt = oldest === undefined ? now : DateTime.addDuration(oldest, policy.patientFailureWindow)
      const error = new TooManyAttempts({
        retryAfterSeconds: seconds(DateTime.toEpochMillis(retryAt) - DateTime.toEpochMillis(now))
      })
      return { verdict: "refuse", result: { _tag: "Refused", passcode, error, locked: false } }
    }
    if (correct && passcode.target.patientId !== null) {
      return { verdict: "consume", result: { _tag: "Accepted", passcode } }
    }
    const attemptsLeft = policy.maxFailedAttempts - (passcode.failedAttempts + 1)
    const error =
      attemptsLeft <= 0
        ? new PasscodeLocked({ purpose: passcode.purpose })
        : new PasscodeInvalid({ attemptsLeft })
    return { verdict: "fail", result: { _tag: "Refused", passcode, error, locked: attemptsLeft <= 0 } }
  }

/**
 * Judges a request for a new code under an existing challenge: refused when the challenge
 * is finished (used, superseded, locked), within the cooldown of its last code, or when the
 * target has had its daily number of codes. An expired code may be resent: that is what a
 * person who stepped away needs.
 */
export const judgeResend = (
  policy: AuthPolicy,
  now: DateTime.Utc,
  current: Passcode,
  recent: ReadonlyArray<Passcode>
): ResendTooSoon | ResendLimitReached | PasscodeUsed | PasscodeSuperseded | PasscodeLocked | undefined => {
  const state = stateOf(policy, current, now)
  if (state === "used") return new PasscodeUsed({ purpose: current.purpose })
  if (state === "superseded") return new PasscodeSuperseded({ purpose: current.purpose })
  if (state === "locked") return new PasscodeLocked({ purpose: current.purpose })
  const sinceLast = DateTime.toEpochMillis(now) - DateTime.toEpochMillis(current.issuedAt)
  const cooldown = Duration.toMillis(policy.resendCooldown)
  if (sinceLast < cooldown) return new ResendTooSoon({ retryAfterSeconds: seconds(cooldown - sinceLast) })
  return judgeSendLimit(policy, now, recent)
}

/** Refuses a send when the target has had `maxSendsPerTarget` codes within the send window. */
export const judgeSendLimit = (
  policy: AuthPolicy,
  now: DateTime.Utc,
  recent: ReadonlyArray<Passcode>
): ResendLimitReached | undefined => {
  if (recent.length < policy.maxSendsPerTarget) return undefined
  const oldest = recent[recent.length - policy.maxSendsPerTarget] ?? recent[0]
  const reopensAt = oldest === undefined ? now : DateTime.addDuration(oldest.issuedAt, policy.sendWindow)
  return new ResendLimitReached({
    retryAfterSeconds: seconds(DateTime.toEpochMillis(reopensAt) - DateTime.toEpochMillis(now))
  })
}
