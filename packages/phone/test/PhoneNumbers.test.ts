/**
 * The libphonenumber reader: numbers as people type them in Canada and the US, other
 * countries' numbers with their code, and refusal of what is not a valid number of its region
 * (wrong length, unassigned ranges, letters, extensions); it never throws and its answers are
 * E.164 numbers that read as themselves. Provided under the portal, every service reads with it.
 */
import {
  Authentication,
  Clinic,
  Ids,
  Patient,
  Patients,
  PhoneNumbers as Port,
  Staff
} from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as PhoneNumbers from "../src/PhoneNumbers.ts"

const canada = PhoneNumbers.make({ defaultRegion: "CA" })

const reads = (reader: Port.PhoneNumberReader, typed: string, expected: string) =>
  assert.deepStrictEqual(reader.normalize(typed), Option.some(expected), JSON.stringify(typed))
const refuses = (reader: Port.PhoneNumberReader, typed: string) =>
  assert.deepStrictEqual(reader.normalize(typed), Option.none(), JSON.stringify(typed))

// 555-0100 to 555-0199 are the North American plan's fictional numbers; libphonenumber counts
// them valid (their area codes are real), so tests use them rather than someone's real number.
const TORONTO = "+14165550123"
const WASHINGTON = "+12025550143"

describe("PhoneNumbers.make, default region CA", () => {
  it("reads a Canadian number in every common typing", () => {
    for (const typed of [
      "(416) 555-0123",
      "416-555-0123",
      "416.555.0123",
      "416 555 0123",
      "4165550123",
      "  416 555 0123 ",
      "416/555/0123",
      "1 416 555 0123",
      "1-416-555-0123",
      "1 (416) 555-0123",
      "+1 416 555 0123",
      "+1 (416) 555-0123",
      "+1-416-555-0123",
      "+14165550123",
      "011 1 416 555 0123",
      "＋１ ４１６ ５５５ ０１２３"
    ]) {
      reads(canada, typed, TORONTO)
    }
    reads(canada, "613 555 0100", "+16135550100")
    reads(canada, "(867) 555-0123", "+18675550123")
  })

  it("reads a US number in every common typing: one numbering plan, so CA's default reads it too", () => {
    for (const typed of [
      "(202) 555-0143",
      "202-555-0143",
      "202.555.0143",
      "2025550143",
      "1 202 555 0143",
      "+1 202 555 0143"
    ]) {
      reads(canada, typed, WASHINGTON)
      reads(PhoneNumbers.make({ defaultRegion: "US" }), typed, WASHINGTON)
    }
    reads(PhoneNumbers.make({ defaultRegion: "US" }), "(416) 555-0123", TORONTO)
  })

  it("reads another country's number typed with its code, with + or Canada's 011", () => {
    for (const typed of ["+44 20 7946 0123", "+44 (0)20 7946 0123", "+442079460123", "011 44 20 7946 0123"]) {
      reads(canada, typed, "+442079460123")
    }
    reads(canada, "+44 7400 123456", "+447400123456")
    reads(canada, "+33 1 23 45 67 89", "+33123456789")
    reads(canada, "+33 6 12 34 56 78", "+33612345678")
    reads(canada, "011 33 6 12 34 56 78", "+33612345678")
  })

  it("reads a national number with the default region's rules", () => {
    const uk = PhoneNumbers.make({ defaultRegion: "GB" })
    reads(uk, "020 7946 0123", "+442079460123")
    reads(uk, "07400 123456", "+447400123456")
    reads(PhoneNumbers.make({ defaultRegion: "FR" }), "06 12 34 56 78", "+33612345678")
    // A Canadian number without its country code is not a UK one.
    refuses(uk, "416 555 0123")
  })

  it("refuses a number of a possible length in a range that is not in use", () => {
    for (const typed of [
      "+44 7700 900123", // Ofcom's range for drama: never assigned
      "+44 20 7946 012", // a London number one digit short, still of a possible length
      "+1 555 555 0100", // no area code 555
      "+1 123 555 0100", // no area code starts with 1
      "416 055 0100", // no exchange starts with 0
      "416 155 0100", // nor with 1
      // Refused only with the complete metadata: the library's default ("min") passes them.
      "+33 6 39 98 12 34", // not an assigned French mobile range
      "+49 123456" // a German number of a possible length, in no area
    ]) {
      refuses(canada, typed)
    }
  })

  it("refuses too short and too long numbers", () => {
    for (const typed of [
      "12345",
      "555 0123",
      "416 555 012",
      "416 555 01234",
      "+1 416 555 012",
      "+1 416 555 01234",
      "+44 12",
      "+44 20 7946 01234",
      "+33 1 23 45 67",
      "+33 1 23 45 67 890",
      "+12",
      "+1234567890123456"
    ]) {
      refuses(canada, typed)
    }
  })

  it("refuses letters, text around a number, extensions and empty input", () => {
    for (const typed of [
      "",
      "   ",
      "+",
      "--",
      "hello",
      "416 555 CALL",
      "416ABC0123",
      "4165550123x",
      "call 416 555 0123",
      "416 555 0123 please",
      "416 555 0123 ext 5",
      "416 555 0123;ext=5",
      "+1 416 555 0123 #22",
      "+0 416 555 0100",
      "ada@example.org"
    ]) {
      refuses(canada, typed)
    }
  })
})

const Region = Schema.Literals(["CA", "US", "GB", "FR", "DE"])
const Digit = Schema.Literals(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
/** What goes into text that looks like a phone number, so the reader's answers are often `Some`. */
const PhoneLike = {
  prefix: Schema.Literals([
    "",
    "+1 ",
    "1-",
    "+44 ",
    "+33 ",
    "011 44 ",
    "00",
    "+",
    "tel:+1",
    "+999 ",
    "(",
    " "
  ]),
  area: Schema.Literals(["416", "202", "613", "20 7946", "7400", "6", "1", "555", "0", ""]),
  digits: Schema.Array(Digit).check(Schema.isMaxLength(12)),
  separator: Schema.Literals(["", " ", "-", ".", ") "]),
  suffix: Schema.Literals(["", " ", "-", ".", " ext 5", "x", "#", "\n"]),
  region: Region
}
/** What people put between the digits of a number. */
const Separator = Schema.Literals(["", "", " ", "-", ".", "/", "  ", " - "])

/** Checks the reader's promises on one text. */
const keepsItsPromises = (typed: string, region: typeof Region.Type) => {
  const reader = PhoneNumbers.make({ defaultRegion: region })
  const read = reader.normalize(typed)
  if (Option.isSome(read)) {
    assert.isTrue(Schema.is(Patient.E164)(read.value), read.value)
    assert.deepStrictEqual(reader.normalize(read.value), read)
    // E.164 carries its country code, so any default region reads it the same.
    assert.deepStrictEqual(canada.normalize(read.value), read)
  }
}

describe("PhoneNumbers.make, on any text", () => {
  it.prop(
    "never throws on any string; whatever it reads is an E.164 number that reads as itself",
    { typed: Schema.String, region: Region },
    ({ typed, region }) => keepsItsPromises(typed, region),
    { arbitrary: { runs: 1000 } }
  )

  it.prop(
    "the same on text that looks like a phone number",
    PhoneLike,
    ({ prefix, area, separator, digits, suffix, region }) =>
      keepsItsPromises(`${prefix}${area}${separator}${digits.join("")}${suffix}`, region),
    { arbitrary: { runs: 2000 } }
  )

  it.prop(
    "any formatting of a Toronto number reads as +1 416 and its digits, from any North American region",
    {
      last: Schema.Tuple([Digit, Digit]),
      separators: Schema.Array(Separator).check(Schema.isBetweenLength(1, 10)),
      prefix: Schema.Literals(["", "1", "+1", "1-", "+1 ", "011 1 "]),
      region: Schema.Literals(["CA", "US"])
    },
    ({ last, separators, prefix, region }) => {
      // 555-0100 to 555-0199: fictional numbers, valid in libphonenumber's eyes.
      const digits = [..."41655501", ...last]
      const body = digits
        .map((d, i) => (i === 0 ? d : `${separators[i % separators.length] ?? ""}${d}`))
        .join("")
      const typed = `${prefix}${body}`
      assert.deepStrictEqual(
        PhoneNumbers.make({ defaultRegion: region }).normalize(typed),
        Option.some(`+1${digits.join("")}`),
        typed
      )
    },
    { arbitrary: { runs: 500 } }
  )
})

describe("PhoneNumbers.layer and layerConfig", () => {
  const readerOf = (layer: Layer.Layer<never, unknown>) =>
    Port.PhoneNumbers.inForce.pipe(Effect.provide(layer))

  it.effect("layer provides the reader in place of the hand-written default", () =>
    Effect.gen(function* () {
      const byDefault = yield* Port.PhoneNumbers.inForce
      assert.deepStrictEqual(byDefault.normalize("+44 7700 900123"), Option.some("+447700900123"))
      const reader = yield* readerOf(PhoneNumbers.layer({ defaultRegion: "CA" }))
      refuses(reader, "+44 7700 900123")
      reads(reader, "(416) 555-0123", TORONTO)
    })
  )

  it.effect("layerConfig reads PHONE_DEFAULT_REGION, CA when it is unset", () =>
    Effect.gen(function* () {
      const withEnv = (env: Record<string, string>) =>
        readerOf(
          PhoneNumbers.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))
        )
      reads(yield* withEnv({}), "416 555 0123", TORONTO)
      reads(yield* withEnv({ PHONE_DEFAULT_REGION: "GB" }), "020 7946 0123", "+442079460123")
      const refused = yield* Effect.exit(withEnv({ PHONE_DEFAULT_REGION: "Canada" }))
      assert.isTrue(Exit.isFailure(refused))
      assert.include(String(Exit.isFailure(refused) ? refused.cause : ""), "e.g. CA or US")
    })
  )

  it("make refuses a region libphonenumber does not know", () => {
    assert.throws(() => PhoneNumbers.make({ defaultRegion: "XX" as PhoneNumbers.Region }), /CA or US/)
  })
})

describe("the portal on the libphonenumber reader", () => {
  const staff = new Staff.StaffPrincipal({
    staffId: Ids.StaffId.make("reception"),
    clinicId: Testing.clinicId
  })
  const ada: Patients.PatientRegistration = {
    healthCard: { idType: "ON-HCN", number: "1234567890" },
    legalName: { given: "Ada", family: "Lovelace" },
    dateOfBirth: "1985-12-10",
    mobile: "(416) 555-0123"
  }
  const portal = Testing.layerCareMemory().pipe(Layer.provide(PhoneNumbers.layer({ defaultRegion: "CA" })))

  it.effect(
    "registration and login read numbers with it: a valid one is kept, an unassigned one refused",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2026-06-15T16:00:00.000Z"))
        yield* (yield* Clinic.ClinicRepo).save(Testing.makeClinic())
        const patients = yield* Patients.Patients
        const auth = yield* Authentication.Authentication

        const registered = yield* patients.register(staff, ada)
        assert.strictEqual(registered.mobile, TORONTO)
        // Typed another way at login, the number still reaches the patient.
        yield* auth.startLogin({
          clinicId: Testing.clinicId,
          identifier: ada.healthCard,
          contact: "416.555.0123"
        })

        const refused = yield* Effect.flip(
          patients.register(staff, {
            ...ada,
            healthCard: { idType: "ON-HCN", number: "2000000001" },
            mobile: "+44 7700 900123"
          })
        )
        assert.strictEqual(refused._tag, "PatientDetailsInvalid")
        assert.deepStrictEqual(
          refused._tag === "PatientDetailsInvalid" ? refused.fields.map((f) => f.field) : [],
          ["mobile"]
        )
        const unreadable = yield* Effect.flip(
          auth.startLogin({
            clinicId: Testing.clinicId,
            identifier: ada.healthCard,
            contact: "+44 7700 900123"
          })
        )
        assert.strictEqual(unreadable._tag, "ContactUnreadable")
      }).pipe(Effect.provide(portal))
  )
})
