/**
 * Demographics: a patient reads and updates their own record (audited, filed into the chart
 * in the same unit of work), and a new email or mobile becomes a login contact only after
 * the code sent to it is entered — after which every other session ends.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option, Redacted, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication, type SessionGrant } from "../src/Authentication.ts"
import type * as AuthPolicy from "../src/AuthPolicy.ts"
import { ChartRepo, ChartRepoMemory } from "../src/Chart.ts"
import { UNAMBIGUOUS } from "../src/CodeGenerator.ts"
import {
  type AddressInput,
  Demographics,
  DemographicsChangeContent,
  maskHealthCardNumber,
  normalizePostalCode
} from "../src/Demographics.ts"
import { ChallengeId, ClinicId, PatientId } from "../src/Ids.ts"
import { OutboxMemory } from "../src/Outbox.ts"
import { PasscodeStore } from "../src/PasscodeStore.ts"
import { Address, E164, EmailAddress, HealthCardIdentifier, Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { PatientPrincipal } from "../src/Session.ts"
import * as Testing from "../src/testing/index.ts"
import {
  codeSentFor,
  expectTag,
  freshDomain,
  loginAs,
  requireCode,
  seedPatient,
  wrongCode
} from "./support.ts"

const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))
const props = { timeout: 60_000, arbitrary: { runs: 20 } }

/** Demographics on a fresh in-memory domain. Provide it inside each property run. */
const domain = (policy: Partial<AuthPolicy.AuthPolicy> = {}) =>
  Demographics.layer.pipe(Layer.provideMerge(freshDomain(policy)))

/** A second patient of the same clinic (the fixture is Ada). */
const bob = {
  id: PatientId.make("patient-bob"),
  healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "9876543210", versionCode: "ZX" }),
  legalName: { given: "Robert", family: "Nakamura" },
  dateOfBirth: "1972-03-04",
  email: EmailAddress.make("bob@example.org"),
  mobile: E164.make("+14165550111"),
  address: new Address({
    line1: "9 Bay St",
    city: "Toronto",
    region: "ON",
    postalCode: "M5J 2R8",
    country: "CA"
  })
}

const chartEntries = Effect.gen(function* () {
  return yield* TxRef.get((yield* ChartRepoMemory).state)
})
const auditEvents = Effect.gen(function* () {
  return yield* TxRef.get((yield* AuditLogMemory).state)
})
const outbox = Effect.gen(function* () {
  return yield* TxRef.get((yield* OutboxMemory).state)
})
const storedPatient = (id: Patient["id"]) =>
  Effect.gen(function* () {
    const found = yield* (yield* PatientRepo).findById(id)
    return Option.isSome(found) ? found.value : yield* Effect.die(new Error(`no patient ${id}`))
  })

/** The audit trail's actions for a patient, in order. */
const actionsFor = (patientId: Patient["id"]) =>
  Effect.map(auditEvents, (events) => events.filter((e) => e.patientId === patientId).map((e) => e.action))

const authenticate = (grant: SessionGrant) =>
  Effect.gen(function* () {
    return yield* (yield* Authentication).authenticate(grant.token)
  })

/** Whether a login with this health card and contact sends a real code (rather than a decoy's nothing). */
const loginSendsCode = (patient: Patient, contact: string) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const challenge = yield* auth.startLogin({
      clinicId: patient.clinicId,
      identifier: patient.healthCard,
      contact
    })
    const stored = yield* (yield* PasscodeStore).latest(challenge.challengeId)
    const sent = yield* codeSentFor(challenge.challengeId)
    // A decoy is stored without a patient and sends nothing; both facts must agree.
    assert.strictEqual(Option.isSome(sent), Option.isSome(stored) && stored.value.target.patientId !== null)
    return Option.isSome(sent)
  })

const validAddress: AddressInput = {
  line1: "100 Queen St W",
  city: "Toronto",
  region: "ON",
  postalCode: "m5h 2n2",
  country: "CA"
}

describe("Demographics: reading", () => {
  it.effect.prop(
    "get returns the caller's record, the health card masked but for its last three digits, and is audited",
    {
      number: Schema.String.check(Schema.isPattern(/^\d{4,20}$/)),
      given: Schema.String.check(Schema.isPattern(/^[A-Z][a-z]{3,11}$/)),
      family: Schema.String.check(Schema.isPattern(/^[A-Z][a-z]{3,11}$/))
    },
    ({ number, given, family }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient({
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number }),
          legalName: { given, family }
        })
        const grant = yield* loginAs(patient)
        const seen = yield* demographics.get(grant.principal)
        assert.deepStrictEqual(seen.legalName, { given, family })
        assert.strictEqual(seen.dateOfBirth, patient.dateOfBirth)
        assert.strictEqual(seen.healthCard.idType, "ON-HCN")
        assert.strictEqual(
          seen.healthCard.maskedNumber,
          `${"*".repeat(number.length - 3)}${number.slice(-3)}`
        )
        assert.strictEqual(seen.email, patient.email)
        assert.strictEqual(seen.mobile, patient.mobile)
        assert.deepStrictEqual(seen.address, patient.address)
        assert.strictEqual(seen.notificationPreference, patient.notificationPreference)
        assert.strictEqual(seen.language, patient.language)
        // The full number appears nowhere in what the patient is shown.
        assert.isFalse(JSON.stringify(seen).includes(number))
        const last = (yield* auditEvents).at(-1)
        assert.strictEqual(last?.action, "demographics.read")
        assert.strictEqual(last?.patientId, patient.id)
        assert.strictEqual(last?.resource, `patient:${patient.id}`)
        assert.deepStrictEqual({ ...last?.actor }, { kind: "patient", id: patient.id })
        assert.strictEqual(last?.outcome, "success")
      }).pipe(Effect.provide(domain())),
    props
  )

  it("maskHealthCardNumber keeps the length and the last three digits only", () => {
    assert.strictEqual(maskHealthCardNumber("1234567890"), "*******890")
    assert.strictEqual(maskHealthCardNumber("1234"), "*234")
  })

  it.effect.prop(
    "isolation: for random patients A ≠ B, each reads and changes only their own record (the principal decides)",
    {
      aCard: Schema.String.check(Schema.isPattern(/^\d{10}$/)),
      bCard: Schema.String.check(Schema.isPattern(/^\d{10}$/)),
      aLanguage: Schema.Literals(["en", "fr"]),
      bLanguage: Schema.Literals(["en", "fr"])
    },
    ({ aCard, bCard, aLanguage, bLanguage }) =>
      Effect.gen(function* () {
        if (aCard === bCard) return
        const demographics = yield* Demographics
        const a = yield* seedPatient({
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: aCard }),
          language: aLanguage
        })
        const b = yield* seedPatient({
          ...bob,
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: bCard }),
          language: bLanguage
        })
        const aGrant = yield* loginAs(a)
        const bGrant = yield* loginAs(b)
        const aSeen = yield* demographics.get(aGrant.principal)
        const bSeen = yield* demographics.get(bGrant.principal)
        assert.strictEqual(aSeen.healthCard.maskedNumber, maskHealthCardNumber(aCard))
        assert.strictEqual(bSeen.healthCard.maskedNumber, maskHealthCardNumber(bCard))
        assert.strictEqual(aSeen.email, a.email)
        assert.strictEqual(bSeen.email, b.email)
        const bBefore = yield* storedPatient(b.id)
        yield* demographics.update(aGrant.principal, {
          address: validAddress,
          language: aLanguage === "en" ? "fr" : "en"
        })
        assert.deepStrictEqual(yield* storedPatient(b.id), bBefore)
        const entries = yield* chartEntries
        assert.deepStrictEqual(
          entries.map((e) => e.patientId),
          [a.id]
        )
        // A principal naming B's id but another clinic reaches nothing.
        const forged = new PatientPrincipal({
          sessionId: aGrant.principal.sessionId,
          clinicId: ClinicId.make("clinic-elsewhere"),
          patientId: b.id
        })
        expectTag(yield* Effect.flip(demographics.get(forged)), "NotFound")
        expectTag(yield* Effect.flip(demographics.update(forged, { language: "fr" })), "NotFound")
        assert.deepStrictEqual(yield* storedPatient(b.id), bBefore)
      }).pipe(Effect.provide(domain())),
    props
  )
})

describe("Demographics: updating address, preference and language", () => {
  it.effect("a change is saved and filed as a chart entry with each field before → after, and audited", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const patient = yield* seedPatient({ notificationPreference: "email", language: "en" })
      const grant = yield* loginAs(patient)
      const updated = yield* demographics.update(grant.principal, {
        address: { ...validAddress, line2: "  Suite 400 " },
        notificationPreference: "both",
        language: "fr"
      })
      const address = new Address({
        line1: "100 Queen St W",
        line2: "Suite 400",
        city: "Toronto",
        region: "ON",
        postalCode: "M5H 2N2",
        country: "CA"
      })
      assert.deepStrictEqual(updated.address, address)
      const stored = yield* storedPatient(patient.id)
      assert.deepStrictEqual(stored.address, address)
      assert.strictEqual(stored.notificationPreference, "both")
      assert.strictEqual(stored.language, "fr")
      const entries = yield* chartEntries
      assert.strictEqual(entries.length, 1)
      const entry = entries[0]
      assert.strictEqual(entry?.kind, "demographics-change")
      assert.strictEqual(entry?.patientId, patient.id)
      assert.strictEqual(entry?.clinicId, patient.clinicId)
      assert.strictEqual(entry?.origin, `patient:${patient.id}`)
      assert.deepStrictEqual({ ...entry?.source }, { kind: "patient", id: patient.id })
      assert.deepStrictEqual(entry?.content, {
        changes: [
          {
            field: "address",
            before: {
              line1: "1 King St W",
              city: "Toronto",
              region: "ON",
              postalCode: "M5H 1A1",
              country: "CA"
            },
            after: {
              line1: "100 Queen St W",
              line2: "Suite 400",
              city: "Toronto",
              region: "ON",
              postalCode: "M5H 2N2",
              country: "CA"
            }
          },
          { field: "notificationPreference", before: "email", after: "both" },
          { field: "language", before: "en", after: "fr" }
        ]
      })
      // Nothing about the person's identity or health rides along.
      const json = JSON.stringify(entry?.content)
      for (const secret of [
        patient.legalName.given,
        patient.legalName.family,
        patient.dateOfBirth,
        patient.healthCard.number
      ]) {
        assert.isFalse(json.includes(secret))
      }
      assert.deepStrictEqual((yield* actionsFor(patient.id)).slice(-1), ["demographics.updated"])
    }).pipe(Effect.provide(domain()))
  )

  it.effect.prop(
    "only the fields that changed are filed; an update that changes nothing files nothing",
    {
      preference: Schema.optional(Schema.Literals(["email", "sms", "both"])),
      language: Schema.optional(Schema.Literals(["en", "fr"])),
      moveHouse: Schema.Boolean
    },
    ({ preference, language, moveHouse }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient({ notificationPreference: "both", language: "en" })
        const grant = yield* loginAs(patient)
        yield* demographics.update(grant.principal, {
          notificationPreference: preference,
          language,
          ...(moveHouse ? { address: validAddress } : {})
        })
        const expected: Array<string> = []
        if (moveHouse) expected.push("address")
        if (preference !== undefined && preference !== "both") expected.push("notificationPreference")
        if (language === "fr") expected.push("language")
        const entries = yield* chartEntries
        if (expected.length === 0) {
          assert.strictEqual(entries.length, 0)
          assert.deepStrictEqual((yield* actionsFor(patient.id)).slice(-1), ["demographics.unchanged"])
          assert.deepStrictEqual(yield* storedPatient(patient.id), patient)
        } else {
          assert.strictEqual(entries.length, 1)
          const content = Schema.decodeUnknownSync(DemographicsChangeContent)(entries[0]?.content)
          assert.deepStrictEqual(
            content.changes.map((c) => c.field),
            expected
          )
          assert.deepStrictEqual((yield* actionsFor(patient.id)).slice(-1), ["demographics.updated"])
        }
      }).pipe(Effect.provide(domain())),
    props
  )

  it.effect.prop(
    "a preference needs its contacts on file: sms a mobile, email an email, both both; refused updates change and file nothing",
    {
      hasEmail: Schema.Boolean,
      hasMobile: Schema.Boolean,
      preference: Schema.Literals(["email", "sms", "both"])
    },
    ({ hasEmail, hasMobile, preference }) =>
      Effect.gen(function* () {
        if (!hasEmail && !hasMobile) return
        const demographics = yield* Demographics
        const { email, mobile, ...rest } = Testing.makePatient()
        const patient = new Patient({
          ...rest,
          ...(hasEmail ? { email } : {}),
          ...(hasMobile ? { mobile } : {}),
          notificationPreference: hasEmail ? "email" : "sms"
        })
        yield* (yield* PatientRepo).save(patient)
        const grant = yield* loginAs(patient)
        const needsMobile = preference !== "email" && !hasMobile
        const needsEmail = preference !== "sms" && !hasEmail
        const result = yield* Effect.result(
          demographics.update(grant.principal, { notificationPreference: preference })
        )
        if (needsMobile || needsEmail) {
          assert.strictEqual(result._tag, "Failure")
          if (result._tag === "Failure") {
            const error = expectTag(result.failure, "PreferenceNeedsContact")
            assert.strictEqual(error.missing, needsMobile ? "mobile" : "email")
            assert.strictEqual(error.preference, preference)
          }
          assert.deepStrictEqual(yield* storedPatient(patient.id), patient)
          assert.strictEqual((yield* chartEntries).length, 0)
          const last = (yield* auditEvents).at(-1)
          assert.strictEqual(last?.action, "demographics.updated")
          assert.strictEqual(last?.outcome, "failure")
          assert.strictEqual(last?.reason, "PreferenceNeedsContact")
        } else {
          assert.strictEqual(result._tag, "Success")
          assert.strictEqual((yield* storedPatient(patient.id)).notificationPreference, preference)
        }
      }).pipe(Effect.provide(domain())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect.prop(
    "an address with any required field blank is refused naming exactly the blank fields",
    {
      blank: Schema.Array(Schema.Literals(["line1", "city", "region", "postalCode", "country"])).check(
        Schema.isBetweenLength(1, 5)
      ),
      whitespace: Schema.Literals(["", " ", "\t", "   "])
    },
    ({ blank, whitespace }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient()
        const grant = yield* loginAs(patient)
        const address = { ...validAddress }
        for (const field of blank) address[field] = whitespace
        const error = expectTag(
          yield* Effect.flip(demographics.update(grant.principal, { address, language: "fr" })),
          "AddressInvalid"
        )
        const order = ["line1", "city", "region", "postalCode", "country"] as const
        assert.deepStrictEqual(
          error.problems.map((p) => [p.field, p.problem]),
          order.filter((f) => blank.includes(f)).map((f) => [f, "empty"])
        )
        assert.isTrue(error.message.startsWith("Check your address: "))
        // The language change in the same request is refused with it.
        assert.deepStrictEqual(yield* storedPatient(patient.id), patient)
        assert.strictEqual((yield* chartEntries).length, 0)
      }).pipe(Effect.provide(domain())),
    props
  )

  it.effect("an implausible postal code or an over-long field is refused with a message saying which", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const patient = yield* seedPatient()
      const grant = yield* loginAs(patient)
      const refused = (address: AddressInput) =>
        Effect.map(Effect.flip(demographics.update(grant.principal, { address })), (e) => {
          const error = expectTag(e, "AddressInvalid")
          return error.problems.map((p) => `${p.field}:${p.problem}`)
        })
      assert.deepStrictEqual(yield* refused({ ...validAddress, postalCode: "12345" }), [
        "postalCode:implausible"
      ])
      assert.deepStrictEqual(yield* refused({ ...validAddress, postalCode: "D5H 2N2" }), [
        "postalCode:implausible"
      ])
      assert.deepStrictEqual(yield* refused({ ...validAddress, country: "US", postalCode: "M5H 2N2" }), [
        "postalCode:implausible"
      ])
      assert.deepStrictEqual(yield* refused({ ...validAddress, city: "x".repeat(201) }), ["city:too-long"])
      const message = (yield* Effect.flip(
        demographics.update(grant.principal, { address: { ...validAddress, postalCode: "???" } })
      )).message
      assert.include(message, "postal code does not look right")
      assert.deepStrictEqual(yield* storedPatient(patient.id), patient)
    }).pipe(Effect.provide(domain()))
  )

  it.prop(
    "Canadian postal codes in any case and spacing are accepted and written A1A 1A1; letters Canada Post never uses are refused",
    {
      letters: Schema.Array(Schema.Literals([..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"])).check(
        Schema.isBetweenLength(3, 3)
      ),
      digits: Schema.Array(between(0, 9)).check(Schema.isBetweenLength(3, 3)),
      lower: Schema.Boolean,
      space: Schema.Literals(["", " ", "  "])
    },
    ({ letters, digits, lower, space }) => {
      const [l1, l2, l3] = letters as [string, string, string]
      const [d1, d2, d3] = digits as [number, number, number]
      const typed = `${l1}${d1}${l2}${space}${d2}${l3}${d3}`
      const never = "DFIOQU"
      const valid = !never.includes(l1) && !"WZ".includes(l1) && !never.includes(l2) && !never.includes(l3)
      const result = normalizePostalCode(lower ? typed.toLowerCase() : typed, lower ? "canada" : "CA")
      assert.deepStrictEqual(result, valid ? Option.some(`${l1}${d1}${l2} ${d2}${l3}${d3}`) : Option.none())
    }
  )

  it.effect(
    "the save, the chart entry and the audit event commit together: a chart that fails leaves nothing",
    () =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient()
        const grant = yield* loginAs(patient)
        const auditBefore = yield* auditEvents
        const exit = yield* Effect.exit(demographics.update(grant.principal, { address: validAddress }))
        assert.strictEqual(exit._tag, "Failure")
        assert.deepStrictEqual(yield* storedPatient(patient.id), patient)
        assert.deepStrictEqual(yield* auditEvents, auditBefore)
      }).pipe(
        Effect.provide(
          Demographics.layer.pipe(Layer.provide(failingChart), Layer.provideMerge(freshDomain()))
        )
      )
  )
})

/** A chart whose filing breaks (a database fault): a defect in the middle of a unit of work. */
const failingChart = Layer.succeed(
  ChartRepo,
  ChartRepo.of({
    file: () => Effect.die(new Error("chart store unavailable")),
    findById: () => Effect.succeedNone,
    listByPatient: () => Effect.succeed([])
  })
)

/** Starts a change to `request` for the caller and returns the challenge and the code the new contact got. */
const requestChange = (
  grant: SessionGrant,
  request: { readonly email: string } | { readonly mobile: string }
) =>
  Effect.gen(function* () {
    const demographics = yield* Demographics
    const sent = yield* demographics.requestContactChange(grant.principal, request)
    const code = yield* requireCode(sent.challengeId)
    return { challengeId: sent.challengeId, code, expiresAt: sent.expiresAt }
  })

describe("Demographics: changing a login contact", () => {
  it.effect.prop(
    "a new email becomes a login contact only once its code is entered; then the old one stops working",
    { local: Schema.String.check(Schema.isPattern(/^[a-z]{3,10}$/)), shout: Schema.Boolean },
    ({ local, shout }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient()
        const grant = yield* loginAs(patient)
        const newEmail = `${local}@new.example.net`
        const typed = shout ? `  ${newEmail.toUpperCase()} ` : newEmail
        const before = yield* outbox
        const { challengeId, code } = yield* requestChange(grant, { email: typed })
        // The code went to the new address only: one notification, by email, to it.
        const sent = (yield* outbox).slice(before.length)
        assert.deepStrictEqual(
          sent.map((n) => [n.channel, n.to, n.template]),
          [["email", newEmail, "contact-verify-code"]]
        )
        assert.strictEqual(sent[0]?.payload.challengeId, challengeId)
        // 8 characters of the unambiguous alphabet (the link-code policy).
        assert.match(Redacted.value(code), /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz]{8}$/)
        // Not yet a login contact: a login with it is a decoy and sends nothing.
        assert.isFalse(yield* loginSendsCode(patient, newEmail))
        assert.strictEqual((yield* storedPatient(patient.id)).email, patient.email)
        assert.isTrue(yield* loginSendsCode(patient, patient.email ?? ""))

        const seen = yield* demographics.confirmContactChange(grant.principal, { challengeId, code })
        assert.strictEqual(seen.email, newEmail)
        const stored = yield* storedPatient(patient.id)
        assert.strictEqual(stored.email, newEmail)
        assert.strictEqual(stored.mobile, patient.mobile)
        // Now it is; the old address is not.
        assert.isTrue(yield* loginSendsCode(patient, newEmail))
        assert.isFalse(yield* loginSendsCode(patient, patient.email ?? ""))
        const again = yield* loginAs(stored)
        assert.strictEqual(again.principal.patientId, patient.id)
      }).pipe(Effect.provide(domain())),
    props
  )

  it.effect("a new mobile number, typed as people do, gets its code by SMS and becomes a login contact", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const patient = yield* seedPatient()
      const grant = yield* loginAs(patient)
      const before = yield* outbox
      const { challengeId, code } = yield* requestChange(grant, { mobile: "(647) 555-0199" })
      assert.deepStrictEqual(
        (yield* outbox).slice(before.length).map((n) => [n.channel, n.to]),
        [["sms", "+16475550199"]]
      )
      assert.isFalse(yield* loginSendsCode(patient, "647 555 0199"))
      const seen = yield* demographics.confirmContactChange(grant.principal, { challengeId, code })
      assert.strictEqual(seen.mobile, "+16475550199")
      assert.isTrue(yield* loginSendsCode(patient, "647-555-0199"))
      assert.isFalse(yield* loginSendsCode(patient, patient.mobile ?? ""))
      const entry = (yield* chartEntries).at(-1)
      assert.deepStrictEqual(entry?.content, {
        changes: [{ field: "mobile", before: patient.mobile ?? null, after: "+16475550199" }]
      })
    }).pipe(Effect.provide(domain()))
  )

  it.effect.prop(
    "confirming ends every other session of the patient, keeps the caller's, and files and audits the change in one unit",
    { others: between(0, 5) },
    ({ others }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const b = yield* seedPatient(bob)
        const caller = yield* loginAs(patient)
        const elsewhere: Array<SessionGrant> = []
        for (let i = 0; i < others; i++) elsewhere.push(yield* loginAs(patient, i % 2 === 0))
        const bGrant = yield* loginAs(b)
        const { challengeId, code } = yield* requestChange(caller, { email: "ada.new@example.net" })
        const trailBefore = (yield* actionsFor(patient.id)).length
        yield* demographics.confirmContactChange(caller.principal, { challengeId, code })
        for (const grant of elsewhere) expectTag(yield* Effect.flip(authenticate(grant)), "SessionExpired")
        assert.strictEqual((yield* authenticate(caller)).sessionId, caller.principal.sessionId)
        assert.deepStrictEqual(
          (yield* auth.listSessions(caller.principal)).map((s) => s.id),
          [caller.principal.sessionId]
        )
        // Another patient's sessions are not touched.
        assert.strictEqual((yield* authenticate(bGrant)).patientId, b.id)
        assert.deepStrictEqual((yield* actionsFor(patient.id)).slice(trailBefore), [
          "contact.verified",
          "sessions.ended-others",
          "demographics.updated"
        ])
        const entries = yield* chartEntries
        assert.strictEqual(entries.length, 1)
        assert.deepStrictEqual(entries[0]?.content, {
          changes: [{ field: "email", before: patient.email ?? null, after: "ada.new@example.net" }]
        })
        assert.strictEqual(entries[0]?.kind, "demographics-change")
      }).pipe(Effect.provide(domain())),
    props
  )

  it.effect("a login code already sent to the old contact no longer opens a session after the change", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const caller = yield* loginAs(patient)
      const pending = yield* auth.startLogin({
        clinicId: patient.clinicId,
        identifier: patient.healthCard,
        contact: patient.email ?? ""
      })
      const oldCode = yield* requireCode(pending.challengeId)
      const { challengeId, code } = yield* requestChange(caller, { email: "ada.new@example.net" })
      yield* demographics.confirmContactChange(caller.principal, { challengeId, code })
      expectTag(
        yield* Effect.flip(auth.verifyLogin(pending.challengeId, oldCode, false)),
        "PasscodeSuperseded"
      )
    }).pipe(Effect.provide(domain()))
  )

  it.effect.prop(
    "lockout: four wrong entries count down, the fifth locks, and then the right code is refused too",
    { extra: between(0, 3) },
    ({ extra }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient()
        const grant = yield* loginAs(patient)
        const { challengeId, code } = yield* requestChange(grant, { email: "ada.new@example.net" })
        const seen: Array<number | string> = []
        for (let i = 0; i < 5; i++) {
          const error = yield* Effect.flip(
            demographics.confirmContactChange(grant.principal, {
              challengeId,
              code: wrongCode(code, UNAMBIGUOUS)
            })
          )
          seen.push(error._tag === "PasscodeInvalid" ? error.attemptsLeft : error._tag)
        }
        assert.deepStrictEqual(seen, [4, 3, 2, 1, "PasscodeLocked"])
        for (let i = 0; i <= extra; i++) {
          expectTag(
            yield* Effect.flip(demographics.confirmContactChange(grant.principal, { challengeId, code })),
            "PasscodeLocked"
          )
        }
        assert.strictEqual((yield* storedPatient(patient.id)).email, patient.email)
        assert.strictEqual((yield* chartEntries).length, 0)
        const actions = yield* actionsFor(patient.id)
        assert.strictEqual(actions.filter((a) => a === "contact.verify-failed").length, 4 + extra + 1)
        assert.strictEqual(actions.filter((a) => a === "contact.verify-locked").length, 1)
      }).pipe(Effect.provide(domain())),
    props
  )

  it.effect.prop(
    "expiry: the code is accepted until 10 min − 1 ms and refused from 10 min on",
    { elapsed: between(0, 1_200_000) },
    ({ elapsed }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient()
        const grant = yield* loginAs(patient, true)
        const { challengeId, code } = yield* requestChange(grant, { email: "ada.new@example.net" })
        yield* TestClock.adjust(Duration.millis(elapsed))
        const result = yield* Effect.result(
          demographics.confirmContactChange(grant.principal, { challengeId, code })
        )
        if (elapsed < 600_000) {
          assert.strictEqual(result._tag, "Success")
        } else {
          assert.strictEqual(result._tag, "Failure")
          if (result._tag === "Failure") expectTag(result.failure, "PasscodeExpired")
          assert.strictEqual((yield* storedPatient(patient.id)).email, patient.email)
        }
      }).pipe(Effect.provide(domain())),
    props
  )

  it.effect("expiry exact boundary, and the lifetime comes from the policy", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const patient = yield* seedPatient()
      const grant = yield* loginAs(patient, true)
      const first = yield* requestChange(grant, { email: "first@example.net" })
      yield* TestClock.adjust(Duration.subtract(Duration.minutes(3), Duration.millis(1)))
      yield* demographics.confirmContactChange(grant.principal, first)
      const second = yield* requestChange(grant, { email: "second@example.net" })
      yield* TestClock.adjust(Duration.minutes(3))
      expectTag(
        yield* Effect.flip(demographics.confirmContactChange(grant.principal, second)),
        "PasscodeExpired"
      )
    }).pipe(Effect.provide(domain({ contactVerifyTtl: Duration.minutes(3) })))
  )

  it.effect("a code is used once; a newer request for the same contact supersedes the older code", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const patient = yield* seedPatient()
      const grant = yield* loginAs(patient)
      const first = yield* requestChange(grant, { email: "ada.new@example.net" })
      const second = yield* requestChange(grant, { email: "ADA.NEW@example.net" })
      expectTag(
        yield* Effect.flip(demographics.confirmContactChange(grant.principal, first)),
        "PasscodeSuperseded"
      )
      yield* demographics.confirmContactChange(grant.principal, second)
      expectTag(
        yield* Effect.flip(demographics.confirmContactChange(grant.principal, second)),
        "PasscodeUsed"
      )
      assert.strictEqual((yield* chartEntries).length, 1)
    }).pipe(Effect.provide(domain()))
  )

  it.effect(
    "resend: refused within 60 s, then a new code to the same new contact; ten codes a day at most",
    () =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient()
        const grant = yield* loginAs(patient, true)
        const first = yield* requestChange(grant, { email: "ada.new@example.net" })
        yield* TestClock.adjust(Duration.seconds(59))
        const tooSoon = expectTag(
          yield* Effect.flip(demographics.resendContactCode(grant.principal, first.challengeId)),
          "ResendTooSoon"
        )
        assert.strictEqual(tooSoon.retryAfterSeconds, 1)
        yield* TestClock.adjust(Duration.seconds(1))
        const before = yield* outbox
        const resent = yield* demographics.resendContactCode(grant.principal, first.challengeId)
        assert.strictEqual(resent.challengeId, first.challengeId)
        assert.deepStrictEqual(
          (yield* outbox).slice(before.length).map((n) => [n.channel, n.to]),
          [["email", "ada.new@example.net"]]
        )
        const newCode = yield* requireCode(first.challengeId)
        // The first code no longer matches; the new one does (the wrong entry carries over).
        expectTag(
          yield* Effect.flip(demographics.confirmContactChange(grant.principal, first)),
          "PasscodeInvalid"
        )
        for (let sends = 2; sends < 10; sends++) {
          yield* TestClock.adjust(Duration.seconds(60))
          yield* demographics.resendContactCode(grant.principal, first.challengeId)
        }
        yield* TestClock.adjust(Duration.seconds(60))
        expectTag(
          yield* Effect.flip(demographics.resendContactCode(grant.principal, first.challengeId)),
          "ResendLimitReached"
        )
        const latest = yield* requireCode(first.challengeId)
        assert.notStrictEqual(Redacted.value(latest), Redacted.value(newCode))
        const seen = yield* demographics.confirmContactChange(grant.principal, {
          challengeId: first.challengeId,
          code: latest
        })
        assert.strictEqual(seen.email, "ada.new@example.net")
      }).pipe(Effect.provide(domain()))
  )

  it.effect.prop(
    "A can neither confirm nor resend B's change, not even with B's code, and A's guesses never lock B's challenge",
    { guesses: between(1, 8), withRightCode: Schema.Boolean },
    ({ guesses, withRightCode }) =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const a = yield* seedPatient()
        const b = yield* seedPatient(bob)
        const aGrant = yield* loginAs(a)
        const bGrant = yield* loginAs(b)
        const bChange = yield* requestChange(bGrant, { email: "bob.new@example.net" })
        for (let i = 0; i < guesses; i++) {
          const code = withRightCode && i === 0 ? bChange.code : wrongCode(bChange.code, UNAMBIGUOUS)
          expectTag(
            yield* Effect.flip(
              demographics.confirmContactChange(aGrant.principal, { challengeId: bChange.challengeId, code })
            ),
            "ContactChangeNotFound"
          )
        }
        yield* TestClock.adjust(Duration.seconds(61))
        expectTag(
          yield* Effect.flip(demographics.resendContactCode(aGrant.principal, bChange.challengeId)),
          "ContactChangeNotFound"
        )
        // An id that was never issued answers the same.
        expectTag(
          yield* Effect.flip(
            demographics.confirmContactChange(aGrant.principal, {
              challengeId: ChallengeId.make("no-such-challenge"),
              code: bChange.code
            })
          ),
          "ContactChangeNotFound"
        )
        assert.strictEqual((yield* storedPatient(a.id)).email, a.email)
        assert.strictEqual((yield* storedPatient(b.id)).email, b.email)
        const stored = yield* (yield* PasscodeStore).latest(bChange.challengeId)
        assert.strictEqual(Option.isSome(stored) ? stored.value.failedAttempts : -1, 0)
        assert.strictEqual(Option.isSome(stored) ? stored.value.consumedAt : "missing", null)
        // B's own entry still works.
        const seen = yield* demographics.confirmContactChange(bGrant.principal, bChange)
        assert.strictEqual(seen.email, "bob.new@example.net")
        assert.strictEqual((yield* authenticate(aGrant)).patientId, a.id)
      }).pipe(Effect.provide(domain())),
    props
  )

  it.effect(
    "a login challenge or a link id is not a contact change, and a contact challenge is not a login",
    () =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const grant = yield* loginAs(patient)
        const login = yield* auth.startLogin({
          clinicId: patient.clinicId,
          identifier: patient.healthCard,
          contact: patient.email ?? ""
        })
        const loginCode = yield* requireCode(login.challengeId)
        expectTag(
          yield* Effect.flip(
            demographics.confirmContactChange(grant.principal, {
              challengeId: login.challengeId,
              code: loginCode
            })
          ),
          "ContactChangeNotFound"
        )
        const change = yield* requestChange(grant, { email: "ada.new@example.net" })
        expectTag(
          yield* Effect.flip(auth.verifyLogin(change.challengeId, change.code, false)),
          "ChallengeNotFound"
        )
        expectTag(
          yield* Effect.flip(auth.openLink(change.challengeId, change.code, patient.dateOfBirth, false)),
          "LinkNotFound"
        )
        // None of that counted against either challenge.
        yield* auth.verifyLogin(login.challengeId, loginCode, false)
        yield* demographics.confirmContactChange(grant.principal, change)
      }).pipe(Effect.provide(domain()))
  )

  it.effect("an unreadable or unchanged contact is refused before any code is sent", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const patient = yield* seedPatient()
      const grant = yield* loginAs(patient)
      const before = yield* outbox
      const refuse = (request: { readonly email: string } | { readonly mobile: string }) =>
        Effect.flip(demographics.requestContactChange(grant.principal, request))
      assert.strictEqual(
        expectTag(yield* refuse({ email: "not-an-address" }), "ContactInvalid").channel,
        "email"
      )
      assert.strictEqual(
        expectTag(yield* refuse({ email: "a b@example.org" }), "ContactInvalid").channel,
        "email"
      )
      assert.strictEqual(expectTag(yield* refuse({ mobile: "555-0100" }), "ContactInvalid").channel, "sms")
      assert.strictEqual(
        expectTag(yield* refuse({ mobile: "ada@example.org" }), "ContactInvalid").channel,
        "sms"
      )
      assert.strictEqual(
        expectTag(yield* refuse({ email: " ADA@Example.org " }), "ContactUnchanged").channel,
        "email"
      )
      assert.strictEqual(
        expectTag(yield* refuse({ mobile: "416 555 0100" }), "ContactUnchanged").channel,
        "sms"
      )
      assert.deepStrictEqual(yield* outbox, before)
      const last = (yield* auditEvents).at(-1)
      assert.strictEqual(last?.action, "contact.change-requested")
      assert.strictEqual(last?.outcome, "failure")
      assert.strictEqual(last?.reason, "ContactUnchanged")
      assert.strictEqual(last?.patientId, patient.id)
    }).pipe(Effect.provide(domain()))
  )

  it.effect(
    "an address another patient of the clinic uses is allowed: each logs in with it by their own card",
    () =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const a = yield* seedPatient()
        const b = yield* seedPatient(bob)
        const bGrant = yield* loginAs(b)
        const change = yield* requestChange(bGrant, { email: a.email ?? "" })
        yield* demographics.confirmContactChange(bGrant.principal, change)
        const aLogin = yield* loginAs(a)
        const bLogin = yield* loginAs(yield* storedPatient(b.id))
        assert.strictEqual(aLogin.principal.patientId, a.id)
        assert.strictEqual(bLogin.principal.patientId, b.id)
      }).pipe(Effect.provide(domain()))
  )

  it.effect(
    "a chart that fails while confirming leaves the contact, the sessions and the code as they were",
    () =>
      Effect.gen(function* () {
        const demographics = yield* Demographics
        const patient = yield* seedPatient()
        const caller = yield* loginAs(patient)
        const other = yield* loginAs(patient)
        const change = yield* requestChange(caller, { email: "ada.new@example.net" })
        const exit = yield* Effect.exit(demographics.confirmContactChange(caller.principal, change))
        assert.strictEqual(exit._tag, "Failure")
        assert.strictEqual((yield* storedPatient(patient.id)).email, patient.email)
        assert.strictEqual((yield* authenticate(other)).sessionId, other.principal.sessionId)
        const stored = yield* (yield* PasscodeStore).latest(change.challengeId)
        assert.strictEqual(Option.isSome(stored) ? stored.value.consumedAt : "missing", null)
        assert.isFalse(yield* loginSendsCode(patient, "ada.new@example.net"))
        assert.isFalse(
          (yield* auditEvents).some(
            (e) => e.action === "contact.verified" || e.action === "sessions.ended-others"
          )
        )
      }).pipe(
        Effect.provide(
          Demographics.layer.pipe(Layer.provide(failingChart), Layer.provideMerge(freshDomain()))
        )
      )
  )

  it.effect("the session id in the principal is the one kept, whatever other sessions exist", () =>
    Effect.gen(function* () {
      const demographics = yield* Demographics
      const patient = yield* seedPatient()
      const first = yield* loginAs(patient)
      const second = yield* loginAs(patient)
      const change = yield* requestChange(first, { email: "ada.new@example.net" })
      // The change was asked for in one session and confirmed in another: the confirming one stays.
      yield* demographics
        .confirmContactChange(second.principal, change)
        .pipe(
          Effect.catchTag("ContactChangeNotFound", () => Effect.die(new Error("same patient, other session")))
        )
      expectTag(yield* Effect.flip(authenticate(first)), "SessionExpired")
      assert.strictEqual((yield* authenticate(second)).sessionId, second.principal.sessionId)
    }).pipe(Effect.provide(domain()))
  )
})
