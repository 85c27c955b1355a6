/**
 * Every number of the passcode and session rules, in one object a vendor can override.
 */
import { Config, Context, Duration, Effect, Layer } from "effect"

/** The authentication rules' numbers. Defaults are those of DESIGN.md's rules table. */
export interface AuthPolicy {
  /** Digits in a login one-time passcode. */
  readonly loginCodeLength: number
  /** Characters in a quick-link, upload-link or contact-verify code. */
  readonly linkCodeLength: number
  /** A login code's lifetime. */
  readonly loginCodeTtl: Duration.Duration
  /** A quick-link code's lifetime (the portal's documented choice; see DESIGN.md). */
  readonly quickLinkTtl: Duration.Duration
  /** An upload-link code's lifetime. */
  readonly uploadLinkTtl: Duration.Duration
  /** A contact-verification code's lifetime. */
  readonly contactVerifyTtl: Duration.Duration
  /** Wrong entries after which a passcode is locked (the right code is then refused too). */
  readonly maxFailedAttempts: number
  /** Minimum wait between two codes for the same challenge. */
  readonly resendCooldown: Duration.Duration
  /** Codes sent for one purpose and target in the rolling window below. */
  readonly maxSendsPerTarget: number
  /** The rolling window of `maxSendsPerTarget`. */
  readonly sendWindow: Duration.Duration
  /** Wrong entries per patient, across all their challenges, within `patientFailureWindow`. */
  readonly maxPatientFailures: number
  /** The rolling window of `maxPatientFailures`. */
  readonly patientFailureWindow: Duration.Duration
  /** Lifetime of a "stay logged in" session (no idle timeout). */
  readonly stayLoggedInLifetime: Duration.Duration
  /** Idle timeout of an ordinary session. */
  readonly sessionIdleTimeout: Duration.Duration
  /** Absolute lifetime of an ordinary session. */
  readonly sessionLifetime: Duration.Duration
  /** Country calling code assumed for a phone number typed without one. */
  readonly defaultCountryCode: string
}

/** The defaults of DESIGN.md's rules table. */
export const defaults: AuthPolicy = {
  loginCodeLength: 6,
  linkCodeLength: 8,
  loginCodeTtl: Duration.minutes(10),
  quickLinkTtl: Duration.days(3),
  uploadLinkTtl: Duration.days(3),
  contactVerifyTtl: Duration.minutes(10),
  maxFailedAttempts: 5,
  resendCooldown: Duration.seconds(60),
  maxSendsPerTarget: 10,
  sendWindow: Duration.days(1),
  maxPatientFailures: 100,
  patientFailureWindow: Duration.hours(1),
  stayLoggedInLifetime: Duration.days(30),
  sessionIdleTimeout: Duration.minutes(30),
  sessionLifetime: Duration.hours(12),
  defaultCountryCode: "1"
}

/**
 * The policy in force. It is a reference with the defaults above, so nothing needs to
 * provide it; a vendor overrides it with `AuthPolicy.layer({ ... })` or `layerConfig`.
 */
export const AuthPolicy = Context.Reference<AuthPolicy>("@careportal/domain/AuthPolicy", {
  defaultValue: () => defaults
})

/** A policy with some numbers changed and the rest at their defaults. */
export const make = (overrides: Partial<AuthPolicy>): AuthPolicy => {
  const policy = { ...defaults, ...overrides }
  const counts = [
    "loginCodeLength",
    "linkCodeLength",
    "maxFailedAttempts",
    "maxSendsPerTarget",
    "maxPatientFailures"
  ] as const
  for (const key of counts) {
    if (!Number.isInteger(policy[key]) || policy[key] < 1) {
      throw new RangeError(`AuthPolicy.${key} must be a positive integer, got ${policy[key]}`)
    }
  }
  return policy
}

/** Provides a policy with some numbers changed. */
export const layer = (overrides: Partial<AuthPolicy>): Layer.Layer<never> =>
  Layer.succeed(AuthPolicy, make(overrides))

const duration = (name: string, fallback: Duration.Duration) =>
  Config.Duration(name).pipe(Config.withDefault(fallback))
const count = (name: string, fallback: number) => Config.Int(name).pipe(Config.withDefault(fallback))

/**
 * Reads the policy from configuration (environment variables by default), e.g.
 * `AUTH_LOGIN_CODE_TTL="15 minutes"`, `AUTH_MAX_FAILED_ATTEMPTS=3`. Unset ones keep their defaults.
 */
export const layerConfig: Layer.Layer<never, Config.ConfigError> = Layer.effect(
  AuthPolicy,
  Effect.gen(function* () {
    const values = yield* Config.all({
      loginCodeLength: count("AUTH_LOGIN_CODE_LENGTH", defaults.loginCodeLength),
      linkCodeLength: count("AUTH_LINK_CODE_LENGTH", defaults.linkCodeLength),
      loginCodeTtl: duration("AUTH_LOGIN_CODE_TTL", defaults.loginCodeTtl),
      quickLinkTtl: duration("AUTH_QUICK_LINK_TTL", defaults.quickLinkTtl),
      uploadLinkTtl: duration("AUTH_UPLOAD_LINK_TTL", defaults.uploadLinkTtl),
      contactVerifyTtl: duration("AUTH_CONTACT_VERIFY_TTL", defaults.contactVerifyTtl),
      maxFailedAttempts: count("AUTH_MAX_FAILED_ATTEMPTS", defaults.maxFailedAttempts),
      resendCooldown: duration("AUTH_RESEND_COOLDOWN", defaults.resendCooldown),
      maxSendsPerTarget: count("AUTH_MAX_SENDS_PER_TARGET", defaults.maxSendsPerTarget),
      sendWindow: duration("AUTH_SEND_WINDOW", defaults.sendWindow),
      maxPatientFailures: count("AUTH_MAX_PATIENT_FAILURES", defaults.maxPatientFailures),
      patientFailureWindow: duration("AUTH_PATIENT_FAILURE_WINDOW", defaults.patientFailureWindow),
      stayLoggedInLifetime: duration("AUTH_STAY_LOGGED_IN_LIFETIME", defaults.stayLoggedInLifetime),
      sessionIdleTimeout: duration("AUTH_SESSION_IDLE_TIMEOUT", defaults.sessionIdleTimeout),
      sessionLifetime: duration("AUTH_SESSION_LIFETIME", defaults.sessionLifetime),
      defaultCountryCode: Config.String("AUTH_DEFAULT_COUNTRY_CODE").pipe(
        Config.withDefault(defaults.defaultCountryCode)
      )
    })
    return make(values)
  })
)
