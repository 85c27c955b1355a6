/**
 * Identity normalisation: health cards, email addresses and phone numbers as people type
 * them, and start-login reaching the patient through that noise (and only the patient).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema, TxRef } from "effect"
import { AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import { ClinicId, PatientId } from "../src/Ids.ts"
import { OutboxMemory } from "../src/Outbox.ts"
import {
  E164,
  EmailAddress,
  HealthCardIdentifier,
  normalizeContact,
  normalizeEmail,
  normalizeHealthCard,
  normalizePhone
} from "../src/Patient.ts"
import { codeSentFor, freshDomain, requireCode, seedPatient } from "./support.ts"

const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))
const digit = between(0, 9)

/** What people put between the digits of a number. */
const Separator = Schema.Literals(["", "", " ", "-", ".", "/", "  ", " - "])
/** Whitespace around what they type. */
const Padding = Schema.Literals(["", " ", "  ", "\t", " \n"])

/** `digits` with `separators[i]` after the i-th digit (cycling through the separators). */
const interleave = (digits: ReadonlyArray<number>, separators: ReadonlyArray<string>) =>
  digits
    .map(
      (d, i) => `${d}${i < digits.length - 1 ? (separators[i % Math.max(1, separators.length)] ?? "") : ""}`
    )
    .join("")

/** `text` with the letters at the positions where `upper` is true upper-cased, the others lower-cased. */
const mixCase = (text: string, upper: ReadonlyArray<boolean>) =>
  [...text].map((c, i) => (upper[i % Math.max(1, upper.length)] ? c.toUpperCase() : c.toLowerCase())).join("")

describe("normalizeHealthCard", () => {
  it("trims and upper-cases the type, keeps the digits of the number, drops the version code", () => {
    assert.deepStrictEqual(
      normalizeHealthCard({ idType: " on-hcn ", number: "1234-567-890", versionCode: "ab" }),
      {
        idType: "ON-HCN",
        number: "1234567890"
      }
    )
    assert.deepStrictEqual(normalizeHealthCard({ idType: "ON-HCN", number: " 1234 567 890 " }), {
      idType: "ON-HCN",
      number: "1234567890"
    })
    assert.deepStrictEqual(normalizeHealthCard({ idType: "qc-ramq", number: "no digits" }), {
      idType: "QC-RAMQ",
      number: ""
    })
  })

  it.prop(
    "formatting noise in the number and case and padding in the type never change the key",
    {
      digits: Schema.Array(digit).check(Schema.isBetweenLength(4, 20)),
      separators: Schema.Array(Separator).check(Schema.isBetweenLength(1, 20)),
      idType: Schema.Literals(["ON-HCN", "QC-RAMQ", "BC-PHN", "AB-AHCIP", "NS-MSI"]),
      upper: Schema.Array(Schema.Boolean).check(Schema.isBetweenLength(1, 8)),
      before: Padding,
      after: Padding,
      versionCode: Schema.optional(Schema.Literals(["AB", "zz", "K"]))
    },
    ({ digits, separators, idType, upper, before, after, versionCode }) => {
      const typed = {
        idType: `${before}${mixCase(idType, upper)}${after}`,
        number: `${after}${interleave(digits, separators)}${before}`,
        versionCode
      }
      const key = normalizeHealthCard(typed)
      assert.deepStrictEqual(key, { idType, number: digits.join("") })
      // Normalising is idempotent.
      assert.deepStrictEqual(normalizeHealthCard(key), key)
    },
    { arbitrary: { runs: 200 } }
  )
})

describe("normalizeEmail", () => {
  it("case-folds and trims", () => {
    assert.strictEqual(normalizeEmail("  Ada@Example.ORG\t"), "ada@example.org")
    assert.strictEqual(normalizeEmail("ada@example.org"), "ada@example.org")
  })

  it.prop(
    "any case and padding of an address normalise to its lower-case form",
    {
      address: Schema.Literals(["ada@example.org", "grace.hopper@navy.mil", "j-doe+portal@clinic.on.ca"]),
      upper: Schema.Array(Schema.Boolean).check(Schema.isBetweenLength(1, 12)),
      before: Padding,
      after: Padding
    },
    ({ address, upper, before, after }) => {
      const normal = normalizeEmail(`${before}${mixCase(address, upper)}${after}`)
      assert.strictEqual(normal, address)
      assert.strictEqual(normalizeEmail(normal), normal)
    },
    { arbitrary: { runs: 200 } }
  )
})

const ADA = "+14165550100"

describe("normalizePhone and normalizeContact", () => {
  it("reads the usual ways of typing a North American number", () => {
    for (const typed of [
      "(416) 555-0100",
      "416.555.0100",
      "+1 416 555 0100",
      "1-416-555-0100",
      "4165550100",
      " 416 555 0100 ",
      "+1 (416) 555-0100",
      "001 416 555 0100"
    ]) {
      assert.deepStrictEqual(normalizePhone(typed), Option.some(ADA), typed)
      assert.deepStrictEqual(
        normalizeContact(typed),
        Option.some({ channel: "sms", value: E164.make(ADA) }),
        typed
      )
    }
  })

  it("keeps another country's code when it is typed", () => {
    assert.deepStrictEqual(normalizePhone("+44 20 7946 0958"), Option.some("+442079460958"))
    assert.deepStrictEqual(normalizePhone("0044 20 7946 0958"), Option.some("+442079460958"))
    // With another default country, a national number takes that code.
    assert.deepStrictEqual(normalizePhone("20 7946 0958", "44"), Option.some("+442079460958"))
  })

  it("answers None for what is not a phone number", () => {
    for (const typed of [
      "",
      "   ",
      "hello",
      "call me",
      "12345",
      "+0 416 555 0100",
      "+1234567890123456",
      "+",
      "--"
    ]) {
      assert.deepStrictEqual(normalizePhone(typed), Option.none(), JSON.stringify(typed))
      assert.deepStrictEqual(normalizeContact(typed), Option.none(), JSON.stringify(typed))
    }
  })

  it("reads anything with an @ as an email address, case-folded, and rejects malformed ones", () => {
    assert.deepStrictEqual(
      normalizeContact("  Ada@Example.ORG "),
      Option.some({ channel: "email", value: "ada@example.org" })
    )
    for (const typed of [
      "ada@",
      "@example.org",
      "ada@example",
      "ada@@example.org",
      "a da@example.org",
      "416@555"
    ]) {
      assert.deepStrictEqual(normalizeContact(typed), Option.none(), typed)
    }
  })

  it.prop(
    "any formatting of a 10-digit North American number normalises to +1 and its digits",
    {
      area: between(200, 999),
      exchange: between(200, 999),
      line: between(0, 9999),
      format: Schema.Literals(["paren", "dots", "plus", "trunk", "bare", "spaced", "double-zero", "dashes"]),
      before: Padding,
      after: Padding
    },
    ({ area, exchange, line, format, before, after }) => {
      const a = String(area)
      const b = String(exchange)
      const c = String(line).padStart(4, "0")
      const body = {
        paren: `(${a}) ${b}-${c}`,
        dots: `${a}.${b}.${c}`,
        plus: `+1 ${a} ${b} ${c}`,
        trunk: `1-${a}-${b}-${c}`,
        bare: `${a}${b}${c}`,
        spaced: `${a} ${b} ${c}`,
        "double-zero": `001 ${a} ${b} ${c}`,
        dashes: `${a}-${b}-${c}`
      }[format]
      const typed = `${before}${body}${after}`
      const expected = `+1${a}${b}${c}`
      assert.deepStrictEqual(normalizePhone(typed), Option.some(expected))
      assert.deepStrictEqual(
        normalizeContact(typed),
        Option.some({ channel: "sms", value: E164.make(expected) })
      )
      // Normalising is idempotent.
      assert.deepStrictEqual(normalizePhone(expected), Option.some(expected))
    },
    { arbitrary: { runs: 300 } }
  )

  // A short or over-long number is refused, not guessed into a plausible-looking +1 number:
  // the person then sees ContactUnreadable instead of waiting for a code that never comes.
  it("with country code 1, only 10 digits (or 1 + 10) are read as a national number", () => {
    for (const typed of ["555 0100", "41 655 501", "416 555 01001"]) {
      assert.deepStrictEqual(normalizePhone(typed), Option.none(), typed)
    }
  })
})

/** How many notifications the outbox holds. */
const outboxSize = Effect.gen(function* () {
  return (yield* TxRef.get((yield* OutboxMemory).state)).length
})

describe("startLogin matches through normalisation", () => {
  it.effect.prop(
    "a noisy but equivalent health card and contact reach the patient; the code sent logs them in",
    {
      separators: Schema.Array(Separator).check(Schema.isBetweenLength(1, 10)),
      upper: Schema.Array(Schema.Boolean).check(Schema.isBetweenLength(1, 8)),
      before: Padding,
      after: Padding,
      versionCode: Schema.optional(Schema.Literals(["AB", "ZZ"])),
      contact: Schema.Literals([
        "email",
        "(416) 555-0100",
        "416.555.0100",
        "+1 416 555 0100",
        "1-416-555-0100"
      ])
    },
    ({ separators, upper, before, after, versionCode, contact }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const typedContact =
          contact === "email" ? `${before}${mixCase("ada@example.org", upper)}${after}` : contact
        const challenge = yield* auth.startLogin({
          clinicId: patient.clinicId,
          identifier: {
            idType: `${before}${mixCase("ON-HCN", upper)}${after}`,
            number: `${after}${interleave([1, 2, 3, 4, 5, 6, 7, 8, 9, 0], separators)}${before}`,
            versionCode
          },
          contact: typedContact
        })
        // Exactly one notification, to the contact typed, on its channel.
        const notes = yield* TxRef.get((yield* OutboxMemory).state)
        assert.strictEqual(notes.length, 1)
        assert.strictEqual(notes[0]?.payload.challengeId, challenge.challengeId)
        assert.strictEqual(notes[0]?.patientId, patient.id)
        assert.deepStrictEqual(
          [notes[0]?.channel, notes[0]?.to],
          contact === "email" ? ["email", "ada@example.org"] : ["sms", "+14165550100"]
        )
        const grant = yield* auth.verifyLogin(
          challenge.challengeId,
          yield* requireCode(challenge.challengeId),
          false
        )
        assert.strictEqual(grant.principal.patientId, patient.id)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )

  it.effect.prop(
    "a different card number, card type, clinic or contact reaches no one",
    {
      mismatch: Schema.Literals([
        "number",
        "number-extra-digit",
        "type",
        "clinic",
        "email",
        "phone",
        "other-patient-contact"
      ])
    },
    ({ mismatch }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        // A second patient, so that one patient's contact with the other's card is a mismatch too.
        yield* seedPatient({
          id: PatientId.make("patient-grace"),
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "5555555555" }),
          email: EmailAddress.make("grace@example.org"),
          mobile: E164.make("+16475550199")
        })
        const input = {
          clinicId: patient.clinicId,
          identifier: { idType: "ON-HCN", number: "1234 567 890" },
          contact: "(416) 555-0100"
        }
        if (mismatch === "number") input.identifier = { idType: "ON-HCN", number: "1234 567 891" }
        if (mismatch === "number-extra-digit")
          input.identifier = { idType: "ON-HCN", number: "1234 567 8900" }
        if (mismatch === "type") input.identifier = { idType: "QC-RAMQ", number: "1234 567 890" }
        if (mismatch === "clinic") input.clinicId = ClinicId.make("clinic-elsewhere")
        if (mismatch === "email") input.contact = "ada@example.com"
        if (mismatch === "phone") input.contact = "(416) 555-0101"
        if (mismatch === "other-patient-contact") input.contact = "grace@example.org"
        const challenge = yield* auth.startLogin(input)
        // The answer looks the same, but nothing was sent and the start is audited as unmatched.
        assert.isTrue(challenge.challengeId.length > 0)
        assert.strictEqual(yield* outboxSize, 0)
        assert.isTrue(Option.isNone(yield* codeSentFor(challenge.challengeId)))
        const audit = yield* TxRef.get((yield* AuditLogMemory).state)
        assert.deepStrictEqual(
          audit.map((e) => [e.action, e.outcome, e.reason, e.patientId]),
          [["login.started", "failure", "IdentityNotMatched", null]]
        )
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect("an unreadable contact is refused as ContactUnreadable before any lookup", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const error = yield* Effect.flip(
        auth.startLogin({
          clinicId: patient.clinicId,
          identifier: patient.healthCard,
          contact: "not a contact"
        })
      )
      assert.strictEqual(error._tag, "ContactUnreadable")
      assert.match(error.message, /email address or mobile number/)
      assert.strictEqual(yield* outboxSize, 0)
    }).pipe(Effect.provide(freshDomain()))
  )
})
