/**
 * Every number of the scheduling rules, in one object a vendor can override: in code with
 * `layer({ ... })`, or from the environment with `layerConfig`.
 */
import { Config, Context, Duration, Effect, Layer, Schema } from "effect"

/** The scheduling rules' numbers. Defaults are those of DESIGN.md's rules table. */
export interface SchedulingPolicy {
  /** A patient may change or cancel online until this long before the start (not at it). */
  readonly changeWindow: Duration.Duration
  /** Reminders go out this long before the start; one whose time has passed is not queued. */
  readonly reminderLeads: ReadonlyArray<Duration.Duration>
  /** The longest range one availability query may cover. */
  readonly maxAvailabilityDays: number
}

/** The defaults: 24 h change window, reminders 48 h and 2 h before, availability for up to 62 days. */
export const defaults: SchedulingPolicy = {
  changeWindow: Duration.hours(24),
  reminderLeads: [Duration.hours(48), Duration.hours(2)],
  maxAvailabilityDays: 62
}

/** The policy in force: a reference with the defaults, so nothing needs to provide it. */
export const SchedulingPolicy = Context.Reference<SchedulingPolicy>("@careportal/domain/SchedulingPolicy", {
  defaultValue: () => defaults
})

/**
 * A policy with some numbers changed and the rest at their defaults. Throws a `RangeError`
 * for a number no clinic could mean (a negative window, a reminder at or after the start, a
 * non-positive day count), so a misconfigured server stops at start-up, not at a booking.
 */
export const make = (overrides: Partial<SchedulingPolicy>): SchedulingPolicy => {
  const policy = { ...defaults, ...overrides }
  if (Duration.isLessThan(policy.changeWindow, Duration.zero)) {
    throw new RangeError(
      `SchedulingPolicy.changeWindow must not be negative, got ${Duration.format(policy.changeWindow)}`
    )
  }
  for (const lead of policy.reminderLeads) {
    if (!Duration.isGreaterThan(lead, Duration.zero)) {
      throw new RangeError(
        `SchedulingPolicy.reminderLeads must all be positive, got ${Duration.format(lead)}`
      )
    }
  }
  if (!Number.isInteger(policy.maxAvailabilityDays) || policy.maxAvailabilityDays < 1) {
    throw new RangeError(
      `SchedulingPolicy.maxAvailabilityDays must be a positive integer, got ${policy.maxAvailabilityDays}`
    )
  }
  return policy
}

/** Provides a policy with some numbers changed and the rest at their defaults. */
export const layer = (overrides: Partial<SchedulingPolicy>): Layer.Layer<never> =>
  Layer.succeed(SchedulingPolicy, make(overrides))

/** One reminder lead as written in configuration, spaces around it allowed: `48 hours`, ` 2 hours`. */
const ReminderLead = Schema.Trim.pipe(Schema.decodeTo(Schema.DurationFromString))

/**
 * Reads the policy from configuration (environment variables by default), e.g.
 * `SCHEDULING_CHANGE_WINDOW="48 hours"`, `SCHEDULING_REMINDER_LEADS="72 hours, 24 hours, 1 hour"`
 * (comma-separated), `SCHEDULING_MAX_AVAILABILITY_DAYS=31`. Unset ones keep their defaults.
 * An unreadable value fails the layer with a `ConfigError`; a readable one out of range stops
 * it with the `RangeError` of `make`.
 */
export const layerConfig: Layer.Layer<never, Config.ConfigError> = Layer.effect(
  SchedulingPolicy,
  Effect.gen(function* () {
    const values = yield* Config.all({
      changeWindow: Config.Duration("SCHEDULING_CHANGE_WINDOW").pipe(
        Config.withDefault(defaults.changeWindow)
      ),
      reminderLeads: Config.Array(ReminderLead, "SCHEDULING_REMINDER_LEADS").pipe(
        Config.withDefault(defaults.reminderLeads)
      ),
      maxAvailabilityDays: Config.Int("SCHEDULING_MAX_AVAILABILITY_DAYS").pipe(
        Config.withDefault(defaults.maxAvailabilityDays)
      )
    })
    return make(values)
  })
)
