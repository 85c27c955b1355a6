/**
 * The phone-number port: by default the hand-written normaliser with the policy's country code;
 * a reader provided under the portal is the one login, resends, contact changes and
 * registration all read numbers with, captured when the services are built.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { Authentication } from "../src/Authentication.ts"
import { layer as policyLayer } from "../src/AuthPolicy.ts"
import { ClinicRepo } from "../src/Clinic.ts"
import { Demographics } from "../src/Demographics.ts"
import { StaffId } from "../src/Ids.ts"
import { E164, normalizePhone } from "../src/Patient.ts"
import { Patients } from "../src/Patients.ts"
import { handWritten, type PhoneNumberReader, PhoneNumbers, readContact } from "../src/PhoneNumbers.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"
import { codeSentFor, loginAs, seedPatient } from "./support.ts"

/**
 * A reader unlike any real one, so its use is unmistakable: it reads only nicknames (and the
 * E.164 numbers it answers, which must read as themselves), and records what it was given.
 */
const nicknames = () => {
  const book: Record<string, E164> = {
    "ada's phone": E164.make("+14165550100"),
    "new phone": E164.make("+16135550100")
  }
  const seen: Array<string> = []
  const reader: PhoneNumberReader = {
    normalize: (input) => {
      seen.push(input)
      const known = book[input] ?? Object.values(book).find((number) => number === input)
      return Option.fromUndefinedOr(known)
    }
  }
  return { reader, seen }
}

/** Refuses everything: provided around a call, it must not change a service already built. */
const refuseAll: PhoneNumberReader = { normalize: () => Option.none() }

const staff = new StaffPrincipal({ staffId: StaffId.make("reception"), clinicId: Testing.clinicId })

/** The whole portal in memory, its services built on `reader`, the clinic on record. */
const portal = <A, E, R>(reader: PhoneNumberReader, body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-06-15T16:00:00.000Z"))
    yield* (yield* ClinicRepo).save(Testing.makeClinic())
    return yield* body
  }).pipe(Effect.provide(Testing.layerCareMemory().pipe(Layer.provide(PhoneNumbers.layer(reader)))))

describe("PhoneNumbers by default", () => {
  it.effect("is the hand-written normaliser with the policy's default country code", () =>
    Effect.gen(function* () {
      const reader = yield* PhoneNumbers.inForce
      for (const typed of ["(416) 555-0100", "+44 20 7946 0958", "20 7946 0958", "12345", "hello"]) {
        assert.deepStrictEqual(reader.normalize(typed), normalizePhone(typed), typed)
      }
      const uk = yield* PhoneNumbers.inForce.pipe(Effect.provide(policyLayer({ defaultCountryCode: "44" })))
      assert.deepStrictEqual(uk.normalize("20 7946 0958"), Option.some("+442079460958"))
      assert.deepStrictEqual(uk.normalize("20 7946 0958"), normalizePhone("20 7946 0958", "44"))
    })
  )

  it.effect("the policy's country code reaches login, as AUTH_DEFAULT_COUNTRY_CODE did", () =>
    Effect.gen(function* () {
      yield* seedPatient({ mobile: E164.make("+442079460958") })
      const auth = yield* Authentication
      const patient = Testing.makePatient()
      const challenge = yield* auth.startLogin({
        clinicId: patient.clinicId,
        identifier: patient.healthCard,
        contact: "20 7946 0958"
      })
      assert.isTrue(Option.isSome(yield* codeSentFor(challenge.challengeId)))
    }).pipe(
      Effect.provide(
        Testing.layerAuthenticationMemory().pipe(Layer.provide(policyLayer({ defaultCountryCode: "44" })))
      )
    )
  )

  it("readContact reads email addresses as normalizeContact does, numbers with the reader", () => {
    const { reader } = nicknames()
    assert.deepStrictEqual(
      readContact(reader, "  Ada@Example.ORG "),
      Option.some({ channel: "email", value: "ada@example.org" })
    )
    assert.deepStrictEqual(
      readContact(reader, "ada's phone"),
      Option.some({ channel: "sms", value: E164.make("+14165550100") })
    )
    assert.deepStrictEqual(readContact(reader, "(416) 555-0100"), Option.none())
    assert.deepStrictEqual(
      readContact(handWritten("1"), "(416) 555-0100"),
      Option.some({ channel: "sms", value: E164.make("+14165550100") })
    )
  })
})

describe("a PhoneNumbers provided under the portal", () => {
  it.effect("registration reads the mobile with it", () => {
    const { reader } = nicknames()
    return portal(
      reader,
      Effect.gen(function* () {
        const patients = yield* Patients
        const registration = {
          healthCard: { idType: "ON-HCN", number: "1234567890" },
          legalName: { given: "Ada", family: "Lovelace" },
          dateOfBirth: "1985-12-10",
          mobile: "ada's phone"
        }
        const registered = yield* patients.register(staff, registration)
        assert.strictEqual(registered.mobile, "+14165550100")
        const refused = yield* Effect.flip(
          patients.register(staff, {
            ...registration,
            healthCard: { idType: "ON-HCN", number: "2000000001" },
            mobile: "(416) 555-0100"
          })
        )
        assert.deepStrictEqual(
          refused._tag === "PatientDetailsInvalid" ? refused.fields.map((f) => f.field) : refused._tag,
          ["mobile"]
        )
      })
    )
  })

  it.effect("login reads the typed contact with it", () => {
    const { reader } = nicknames()
    return portal(
      reader,
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const auth = yield* Authentication
        const login = (contact: string) =>
          auth.startLogin({ clinicId: patient.clinicId, identifier: patient.healthCard, contact })
        const challenge = yield* login("ada's phone")
        assert.isTrue(Option.isSome(yield* codeSentFor(challenge.challengeId)))
        assert.strictEqual((yield* Effect.flip(login("(416) 555-0100")))._tag, "ContactUnreadable")
      })
    )
  })

  it.effect(
    "a contact change reads the new mobile with it, and a resend reads the stored number again",
    () => {
      const { reader, seen } = nicknames()
      return portal(
        reader,
        Effect.gen(function* () {
          const patient = yield* seedPatient()
          const grant = yield* loginAs(patient)
          const demographics = yield* Demographics
          const refused = yield* Effect.flip(
            demographics.requestContactChange(grant.principal, { mobile: "613 555 0100" })
          )
          assert.deepStrictEqual(refused._tag === "ContactInvalid" ? refused.channel : refused._tag, "sms")

          const sent = yield* demographics.requestContactChange(grant.principal, { mobile: "new phone" })
          assert.isTrue(Option.isSome(yield* codeSentFor(sent.challengeId)))
          seen.length = 0
          yield* TestClock.adjust(Duration.minutes(2))
          const resent = yield* demographics.resendContactCode(grant.principal, sent.challengeId)
          assert.isTrue(Option.isSome(yield* codeSentFor(resent.challengeId)))
          assert.include(seen, "+16135550100")
        })
      )
    }
  )

  it.effect(
    "is captured when the services are built: providing another around a call changes nothing",
    () => {
      const { reader } = nicknames()
      return portal(
        reader,
        Effect.gen(function* () {
          const patient = yield* seedPatient()
          const auth = yield* Authentication
          const challenge = yield* auth
            .startLogin({
              clinicId: patient.clinicId,
              identifier: patient.healthCard,
              contact: "ada's phone"
            })
            .pipe(Effect.provide(PhoneNumbers.layer(refuseAll)))
          assert.isTrue(Option.isSome(yield* codeSentFor(challenge.challengeId)))
        })
      )
    }
  )
})
