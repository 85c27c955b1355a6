/**
 * What a link's page shows before anyone has proved who they are: the link's clinic (its name
 * and slug, and nothing about the patient), and, after "Resend quick passcode", where the new
 * code went, masked.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Authentication, LinkDescription } from "../src/Authentication.ts"
import * as AuthPolicy from "../src/AuthPolicy.ts"
import { ClinicRepo } from "../src/Clinic.ts"
import { ClinicId, PatientId, StaffId } from "../src/Ids.ts"
import { Outbox } from "../src/Outbox.ts"
import { E164, EmailAddress, HealthCardIdentifier, Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"
import { freshDomain, issueLinkFor, seedPatient } from "./support.ts"

const ottawa = Testing.makeClinic({
  id: ClinicId.make("clinic-ottawa-east"),
  slug: "ottawa-east",
  name: "Ottawa East Community Health",
  portalUrl: "https://portal.example.org/ottawa-east"
})

/** Ottawa's patient, with contacts that mask differently from the fixture's. */
const seedOttawaPatient = Effect.gen(function* () {
  yield* (yield* ClinicRepo).save(ottawa)
  return yield* seedPatient({
    id: PatientId.make("patient-bo"),
    clinicId: ottawa.id,
    healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "5550001111" }),
    legalName: { given: "Bo", family: "Diddley" },
    dateOfBirth: "1928-12-30",
    email: EmailAddress.make("bo.diddley@ottawa.example.net"),
    mobile: E164.make("+16135550167")
  })
})

/** Everything of the patient that must never be on the link's page. */
const patientDetails = (patient: Patient) => [
  patient.id,
  patient.legalName.given,
  patient.legalName.family,
  patient.dateOfBirth,
  patient.healthCard.number,
  ...(patient.email === undefined ? [] : [patient.email, patient.email.split("@")[0] ?? ""]),
  ...(patient.mobile === undefined ? [] : [patient.mobile, patient.mobile.slice(-4)])
]

const cooldown = AuthPolicy.defaults.resendCooldown

describe("a link names its clinic", () => {
  it.effect("the description carries the clinic's slug and display name, of the link's own clinic", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const ada = yield* seedPatient()
      const bo = yield* seedOttawaPatient
      const adasLink = yield* issueLinkFor(ada, "msg-1")
      const bosLink = yield* issueLinkFor(bo, "upl-1", "upload-link", "upload-request")

      const toronto = yield* auth.describeLink(adasLink)
      assert.deepStrictEqual(
        { ...toronto.clinic },
        { slug: "toronto-west", name: "Toronto West Family Health" }
      )
      const ottawaSide = yield* auth.describeLink(bosLink)
      assert.deepStrictEqual({ ...ottawaSide.clinic }, { slug: ottawa.slug, name: ottawa.name })

      // On the wire: the link's own fields and the clinic's two, and nothing about the patient.
      for (const [patient, description] of [
        [ada, toronto],
        [bo, ottawaSide]
      ] as const) {
        const wire = Schema.encodeSync(LinkDescription)(description)
        assert.deepStrictEqual(Object.keys(wire).sort(), [
          "clinic",
          "expiresAt",
          "linkId",
          "purpose",
          "resourceKind",
          "status"
        ])
        assert.deepStrictEqual(Object.keys(wire.clinic).sort(), ["name", "slug"])
        const text = JSON.stringify(wire)
        for (const detail of patientDetails(patient)) assert.notInclude(text, detail)
        // Nor the record it opens.
        assert.notInclude(text, patient.id === ada.id ? "msg-1" : "upl-1")
      }
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("a revoked link still names its clinic", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const ada = yield* seedPatient()
      const link = yield* issueLinkFor(ada, "upl-2", "upload-link", "upload-request")
      const staff = new StaffPrincipal({ staffId: StaffId.make("staff-reception"), clinicId: ada.clinicId })
      const revoked = yield* auth.revokeLink(staff, link)
      assert.strictEqual(revoked.status, "used")
      assert.strictEqual(revoked.clinic.name, "Toronto West Family Health")
    }).pipe(Effect.provide(freshDomain()))
  )
})

describe("a resent link code says where it went, masked", () => {
  it.effect("preference both: the email address and the mobile, one entry each, as queued", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const ada = yield* seedPatient()
      const link = yield* issueLinkFor(ada, "msg-1")
      yield* TestClock.adjust(cooldown)
      const before = (yield* (yield* Outbox).all).length
      const sent = yield* auth.resendLink(link)
      assert.strictEqual(sent.challengeId, link)
      assert.deepStrictEqual(
        sent.sentTo.map((s) => ({ ...s })),
        [
          { channel: "email", masked: "a•••@example.org" },
          { channel: "sms", masked: "•••-•••-••00" }
        ]
      )
      // Exactly the notifications this resend queued.
      const queued = (yield* (yield* Outbox).all).slice(before)
      assert.deepStrictEqual(
        queued.map((n) => n.channel),
        sent.sentTo.map((s) => s.channel)
      )
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect(
    "one channel: only that one; a preference without its contact falls back to the one on file",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const bo = yield* seedOttawaPatient
        const { mobile: _none, ...withoutMobile } = Testing.makePatient({
          id: PatientId.make("patient-cy"),
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "5550002222" }),
          notificationPreference: "sms",
          email: EmailAddress.make("cy@example.com")
        })
        const emailOnly = new Patient(withoutMobile)
        yield* (yield* PatientRepo).save(emailOnly)
        const bosLink = yield* issueLinkFor(new Patient({ ...bo, notificationPreference: "sms" }), "msg-2")
        const cysLink = yield* issueLinkFor(emailOnly, "msg-3")
        yield* TestClock.adjust(cooldown)

        // The resend reads the patient on file (preference both), not the one the link was issued with.
        const toBo = yield* auth.resendLink(bosLink)
        assert.deepStrictEqual(
          toBo.sentTo.map((s) => ({ ...s })),
          [
            { channel: "email", masked: "b•••@ottawa.example.net" },
            { channel: "sms", masked: "•••-•••-••67" }
          ]
        )
        const toCy = yield* auth.resendLink(cysLink)
        assert.deepStrictEqual(
          toCy.sentTo.map((s) => ({ ...s })),
          [{ channel: "email", masked: "c•••@example.com" }]
        )
        for (const [patient, sent] of [
          [bo, toBo],
          [emailOnly, toCy]
        ] as const) {
          const text = JSON.stringify(sent.sentTo)
          for (const detail of patientDetails(patient)) assert.notInclude(text, detail)
        }
      }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("a refused resend sends nothing and answers no destination", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const ada = yield* seedPatient()
      const link = yield* issueLinkFor(ada, "msg-1")
      const refused = yield* Effect.flip(auth.resendLink(link))
      assert.strictEqual(refused._tag, "ResendTooSoon")
      assert.notProperty(refused, "sentTo")
      yield* TestClock.adjust(Duration.sum(cooldown, Duration.millis(1)))
      assert.lengthOf((yield* auth.resendLink(link)).sentTo, 2)
    }).pipe(Effect.provide(freshDomain()))
  )
})
