/**
 * The domain's `PhoneNumbers` over libphonenumber-js and its complete ("max") metadata: a typed
 * number is read with a default region, kept only when it is a valid number of its region (not
 * merely one of a possible length), and answered in E.164. With the library's default ("min")
 * metadata `isValid()` checks little more than lengths and loose patterns, so e.g. `+49 123456`
 * (a German number of a possible length, in no area) would pass; the complete metadata costs
 * about 65 kB more and is what Google's libphonenumber uses.
 */
import { Patient, PhoneNumbers as Port } from "@careportal/domain"
import { Config, Effect, Layer, Option, Schema } from "effect"
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max"

/** An ISO 3166-1 region code libphonenumber knows, e.g. `CA`, `US`, `GB`. */
export type Region = CountryCode

/** How numbers are read. */
export interface Options {
  /** The region of a number typed without its country code, e.g. `CA`: `416 555 0100` is then Toronto's. */
  readonly defaultRegion: Region
}

const isE164 = Schema.is(Patient.E164)

/**
 * The reader. Throws a `RangeError` for a region libphonenumber does not know, so a misconfigured
 * portal stops at start-up instead of refusing every national number.
 */
export const make = (options: Options): Port.PhoneNumberReader => {
  const defaultCountry = options.defaultRegion
  if (!isSupportedCountry(defaultCountry)) {
    throw new RangeError(
      `PhoneNumbers.defaultRegion must be a region code such as CA or US, got ${defaultCountry}`
    )
  }
  // The library reads any string without throwing; should a version ever throw, the typed text
  // is refused (the person is asked to retype it) rather than failing the request.
  const parse = Option.liftThrowable((input: string) =>
    // `extract: false`: the whole text must be the number, so "call 416 555 0100" or a trailing
    // letter is refused rather than having a number picked out of it.
    parsePhoneNumberFromString(input.trim(), { defaultCountry, extract: false })
  )
  return {
    normalize: (input) =>
      parse(input).pipe(
        Option.flatMap(Option.fromNullishOr),
        // An extension cannot take an SMS, so a number typed with one is refused, not truncated.
        Option.filter((phone) => phone.ext === undefined && phone.isValid()),
        Option.map((phone) => phone.number),
        Option.filter(isE164)
      )
  }
}

/** Provides the libphonenumber reader, e.g. `layer({ defaultRegion: "CA" })`. */
export const layer = (options: Options): Layer.Layer<never> => Port.PhoneNumbers.layer(make(options))

const RegionCode = Schema.String.check(
  Schema.makeFilter(
    (code: string) =>
      isSupportedCountry(code) || "a region code in capitals that libphonenumber knows, e.g. CA or US"
  )
)

/** Reads the default region from `PHONE_DEFAULT_REGION` (default `CA`). */
export const layerConfig: Layer.Layer<never, Config.ConfigError> = Layer.effect(
  Port.PhoneNumbers,
  Effect.gen(function* () {
    const defaultRegion = yield* Config.schema(RegionCode, "PHONE_DEFAULT_REGION").pipe(
      Config.withDefault("CA")
    )
    return make({ defaultRegion: defaultRegion as Region })
  })
)
