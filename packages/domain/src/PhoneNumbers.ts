/**
 * Reading a typed phone number as E.164: the port every service reads numbers through, with
 * the hand-written `normalizePhone` as its default so nothing has to provide it.
 *
 * Where the default country comes from: the hand-written default still takes it from
 * `AuthPolicy.defaultCountryCode` (`AUTH_DEFAULT_COUNTRY_CODE`), read when each service is
 * built, so a deployment that provides no `PhoneNumbers` reads numbers exactly as before. A
 * provided `PhoneNumbers` brings its own default (the libphonenumber adapter in
 * `@careportal/phone` takes a region such as `CA`, since a calling code such as `1` cannot tell
 * Canada from the United States, which validity depends on) and `defaultCountryCode` is then
 * not consulted.
 */
import { Context, Effect, Layer, Option } from "effect"
import { AuthPolicy, defaults as policyDefaults } from "./AuthPolicy.ts"
import { type ContactKey, type E164, normalizeContact, normalizePhone } from "./Patient.ts"

/** What reads a typed phone number. */
export interface PhoneNumberReader {
  /**
   * The number in E.164 form, or `None` when the text is not a number this reader accepts.
   * Never throws: it reads whatever a person typed. What it answers must read as itself again,
   * since a code resent to a new mobile number reads the stored number once more.
   */
  readonly normalize: (input: string) => Option.Option<E164>
}

/** The hand-written normaliser (`normalizePhone`) with a fixed default country calling code. */
export const handWritten = (defaultCountryCode: string): PhoneNumberReader => ({
  normalize: (input) => normalizePhone(input, defaultCountryCode)
})

// The reference's default, one object so `inForce` can recognise it and give it the policy's
// country code instead of the default one it holds.
const byPolicy: PhoneNumberReader = handWritten(policyDefaults.defaultCountryCode)

/**
 * The phone-number reader in force. A reference whose default is the hand-written normaliser,
 * so nothing needs to provide it; a deployment provides another with `PhoneNumbers.layer(...)`
 * (e.g. `@careportal/phone`'s libphonenumber reader) under `Portal.layerServices`, and every
 * service that reads numbers (login, resends, contact changes, registration) uses it.
 */
export class PhoneNumbers extends Context.Reference<PhoneNumberReader>("@careportal/domain/PhoneNumbers", {
  defaultValue: () => byPolicy
}) {
  /** Provides a reader in place of the hand-written default. */
  static readonly layer = (reader: PhoneNumberReader): Layer.Layer<never> =>
    Layer.succeed(PhoneNumbers, reader)

  /**
   * The reader a service captures when it is built: the one provided, or else the hand-written
   * one with `AuthPolicy.defaultCountryCode`.
   */
  static readonly inForce: Effect.Effect<PhoneNumberReader> = Effect.gen(function* () {
    const reader = yield* PhoneNumbers
    if (reader !== byPolicy) return reader
    return handWritten((yield* AuthPolicy).defaultCountryCode)
  })
}

/**
 * Reads a typed contact as `normalizeContact` does (anything with an `@` is an email address),
 * with phone numbers read by `reader`. `None` when it is neither.
 */
export const readContact = (reader: PhoneNumberReader, input: string): Option.Option<ContactKey> =>
  input.includes("@")
    ? normalizeContact(input)
    : Option.map(reader.normalize(input), (value) => ({ channel: "sms" as const, value }))
