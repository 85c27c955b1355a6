/**
 * A confirmed change of email or mobile is announced to the contact being replaced (and only
 * there, with no health detail and not the new contact), and the quick and upload links
 * already sent — which live for days and may sit in the old inbox — stop opening sessions,
 * in the same unit of work as the change.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schema } from "effect"
import { Authentication, type SessionGrant } from "../src/Authentication.ts"
import { ChartRepo } from "../src/Chart.ts"
import { UNAMBIGUOUS } from "../src/CodeGenerator.ts"
import { Demographics } from "../src/Demographics.ts"
import { PatientId } from "../src/Ids.ts"
import { NotificationPayload } from "../src/Notification.ts"
import { render } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { E164, EmailAddress, HealthCardIdentifier, Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import * as Testing from "../src/testing/index.ts"
import {
  expectTag,
  freshDomain,
  issueLinkFor,
  loginAs,
  requireCode,
  seedPatient,
  wrongCode
} from "./support.ts"

/** Demographics on a fresh in-memory domain. Provide it inside each property run. */
const domain = () => Demographics.layer.pipe(Layer.provideMerge(freshDomain()))

/** Demographics whose chart dies when filing: the change's unit of work fails after its other writes. */
const domainWithBrokenChart = () => {
  const base = freshDomain()
  const broken = Layer.effect(
    ChartRepo,
    Effect.map(ChartRepo, (real) =>
      ChartRepo.of({ ...real, file: () => Effect.die(new Error("chart down")) })
    )
  ).pipe(Layer.provide(base))
  return Layer.fresh(Demographics.layer).pipe(
    Layer.provide(Layer.merge(base, broken)),
    Layer.provideMerge(base)
  )
}

const outbox = Effect.flatMap(Outbox, (o) => o.all)

const requestChange = (
  grant: SessionGrant,
  request: { readonly email: string } | { readonly mobile: string }
) =>
  Effect.gen(function* () {
    const sent = yield* (yield* Demographics).requestContactChange(grant.principal, request)
    return { challengeId: sent.challengeId, code: yield* requireCode(sent.challengeId) }
  })

/** A link of each kind, issued to the patient before anything changes, with its code. */
const linksOf = (patient: Patient) =>
  Effect.gen(function* () {
    const quick = yield* issueLinkFor(patient, "message-1")
    const upload = yield* issueLinkFor(patient, "upload-1", "upload-link", "upload-request")
    return [
      { linkId: quick, code: yield* requireCode(quick) },
      { linkId: upload, code: yield* requireCode(upload) }
    ] as const
  })

describe("Demographics: a changed contact is told, and old links stop working", () => {
  it.effect.prop(
    "confirming a new email or mobile queues one contact-changed notice, to the old contact only, saying which kind changed and nothing else",
    {
      channel: Schema.Literals(["email", "mobile"]),
      language: Schema.Literals(["en", "fr"]),
      given: Schema.String.check(Schema.isPattern(/^[A-Z][a-z]{5,10}$/)),
      digits: Schema.String.check(Schema.isPattern(/^\d{4}$/)),
      preference: Schema.Literals(["email", "sms", "both"])
    },
    ({ channel, language, given, digits, preference }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient({
          legalName: { given, family: "Lovelace" },
          language,
          notificationPreference: preference
        })
        const grant = yield* loginAs(patient)
        const newContact =
          channel === "email" ? `${given.toLowerCase()}${digits}@new.example.net` : `+1647555${digits}`
        const { challengeId, code } = yield* requestChange(
          grant,
          channel === "email" ? { email: newContact } : { mobile: newContact }
        )
        const before = (yield* outbox).length
        // Nothing is announced until the change is confirmed, nor by a wrong entry.
        expectTag(
          yield* Effect.flip(
            (yield* Demographics).confirmContactChange(grant.principal, {
              challengeId,
              code: wrongCode(code, UNAMBIGUOUS)
            })
          ),
          "PasscodeInvalid"
        )
        assert.strictEqual((yield* outbox).length, before)
        yield* (yield* Demographics).confirmContactChange(grant.principal, { challengeId, code })

        const sent = (yield* outbox).slice(before)
        const oldContact = channel === "email" ? patient.email : patient.mobile
        assert.deepStrictEqual(
          sent.map((n) => [n.template, n.channel, n.to, n.language, n.patientId]),
          [["contact-changed", channel === "email" ? "email" : "sms", oldContact, language, patient.id]]
        )
        const notice = sent[0]
        if (notice === undefined) return
        // The payload names the kind of contact and nothing else: no value, no link, no code.
        assert.deepStrictEqual(Schema.encodeSync(NotificationPayload)(notice.payload), {
          contactKind: channel
        })
        assert.strictEqual(notice.payload.contactKind, channel)
        const clinic = Testing.makeClinic()
        const rendered = render(notice, clinic)
        const text = `${rendered.subject}\n${rendered.text}`
        assert.include(rendered.subject, clinic.name)
        for (const secret of [
          newContact,
          newContact.slice(2),
          given,
          patient.dateOfBirth,
          patient.healthCard.number
        ]) {
          assert.notInclude(text, secret)
        }
        assert.notInclude(text, "undefined")
        assert.notInclude(text, "http")
        const expected = {
          en: {
            email: [
              `${clinic.name}: your email address was changed`,
              `The email address for your ${clinic.name} portal account was changed. If this wasn't you, call ${clinic.name} right away.`
            ],
            mobile: [
              `${clinic.name}: your mobile number was changed`,
              `The mobile number for your ${clinic.name} portal account was changed. If this wasn't you, call ${clinic.name} right away.`
            ]
          },
          fr: {
            email: [
              `${clinic.name} : votre adresse courriel a été modifiée`,
              `Votre adresse courriel a été modifiée dans le portail ${clinic.name}. Si vous n'avez pas fait ce changement, appelez ${clinic.name} sans tarder.`
            ],
            mobile: [
              `${clinic.name} : votre numéro de cellulaire a été modifié`,
              `Votre numéro de cellulaire a été modifié dans le portail ${clinic.name}. Si vous n'avez pas fait ce changement, appelez ${clinic.name} sans tarder.`
            ]
          }
        } as const
        assert.deepStrictEqual([rendered.subject, rendered.text], [...expected[language][channel]])
      }).pipe(Effect.provide(domain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect("adding a contact where there was none announces nothing (there is no old one to tell)", () =>
    Effect.gen(function* () {
      const { mobile: _m, ...rest } = Testing.makePatient({ notificationPreference: "email" })
      const patient = new Patient(rest)
      yield* (yield* PatientRepo).save(patient)
      const grant = yield* loginAs(patient)
      const change = yield* requestChange(grant, { mobile: "647 555 0199" })
      const before = (yield* outbox).length
      const seen = yield* (yield* Demographics).confirmContactChange(grant.principal, change)
      assert.strictEqual(seen.mobile, "+16475550199")
      assert.deepStrictEqual((yield* outbox).slice(before), [])
    }).pipe(Effect.provide(domain()))
  )

  it.effect.prop(
    "quick and upload links sent before a confirmed change read as used and open nothing; a wrong entry keeps them; links issued after work; another patient's are untouched",
    { channel: Schema.Literals(["email", "mobile"]), confirm: Schema.Boolean },
    ({ channel, confirm }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const other = yield* seedPatient({
          id: PatientId.make("patient-bob"),
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "9876543210" }),
          email: EmailAddress.make("bob@example.org"),
          mobile: E164.make("+14165550111")
        })
        const grant = yield* loginAs(patient)
        const old = yield* linksOf(patient)
        const others = yield* linksOf(other)
        const change = yield* requestChange(
          grant,
          channel === "email" ? { email: "ada.new@example.net" } : { mobile: "647 555 0199" }
        )
        if (confirm) yield* (yield* Demographics).confirmContactChange(grant.principal, change)
        else {
          yield* Effect.flip(
            (yield* Demographics).confirmContactChange(grant.principal, {
              challengeId: change.challengeId,
              code: wrongCode(change.code, UNAMBIGUOUS)
            })
          )
        }
        for (const link of old) {
          assert.strictEqual((yield* auth.describeLink(link.linkId)).status, confirm ? "used" : "active")
          const opened = yield* Effect.result(
            auth.openLink(link.linkId, link.code, patient.dateOfBirth, false)
          )
          if (confirm) assert.isTrue(opened._tag === "Failure" && opened.failure._tag === "PasscodeUsed")
          else assert.strictEqual(opened._tag, "Success")
        }
        for (const link of others) {
          assert.strictEqual((yield* auth.describeLink(link.linkId)).status, "active")
          yield* auth.openLink(link.linkId, link.code, other.dateOfBirth, false)
        }
        const stored = Option.getOrThrow(yield* (yield* PatientRepo).findById(patient.id))
        const fresh = yield* issueLinkFor(stored, "message-after")
        const opened = yield* auth.openLink(fresh, yield* requireCode(fresh), patient.dateOfBirth, false)
        assert.strictEqual(opened.target.id, "message-after")
      }).pipe(Effect.provide(domain())),
    { timeout: 60_000, arbitrary: { runs: 12 } }
  )

  it.effect("when the change's unit of work fails, the links still work and no notice is queued", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const grant = yield* loginAs(patient)
      const [quick] = yield* linksOf(patient)
      const change = yield* requestChange(grant, { email: "ada.new@example.net" })
      const before = yield* outbox
      const exit = yield* Effect.exit((yield* Demographics).confirmContactChange(grant.principal, change))
      assert.isTrue(Exit.hasDies(exit))
      assert.deepStrictEqual(yield* outbox, before)
      assert.strictEqual(
        Option.getOrThrow(yield* (yield* PatientRepo).findById(patient.id)).email,
        patient.email
      )
      assert.strictEqual((yield* auth.describeLink(quick.linkId)).status, "active")
      yield* auth.openLink(quick.linkId, quick.code, patient.dateOfBirth, false)
    }).pipe(Effect.provide(domainWithBrokenChart()))
  )
})
