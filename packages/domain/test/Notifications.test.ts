/**
 * Property 8: no rendered notification ever carries the patient's name, date of birth,
 * health-card number, a message body or a questionnaire answer — only the clinic's name,
 * the kind of event, a time and a link. Random patients go through every flow that queues a
 * notification (login codes by email and SMS, quick and upload links and their resend, a
 * contact-verification code) and every appointment, visit and contact-changed template is queued directly;
 * each notification is rendered in English and French and searched, case-insensitively.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Option, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Authentication } from "../src/Authentication.ts"
import { Hasher } from "../src/Hasher.ts"
import { PatientId } from "../src/Ids.ts"
import { Notification, NotificationPayload, NotificationTemplate } from "../src/Notification.ts"
import { Notifications, openCode, render } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { ResourceRef } from "../src/Passcode.ts"
import { E164, EmailAddress, HealthCardIdentifier, type Patient } from "../src/Patient.ts"
import { cardForms, dateOfBirthForms } from "../src/testing/healthDetails.ts"
import * as Testing from "../src/testing/index.ts"
import { freshDomain, seedPatient } from "./support.ts"

const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))

/** Real names (accents, hyphens) none of which occurs in any template's wording. */
const REAL_NAMES = [
  "Tremblay",
  "Gagnon",
  "Bouchard",
  "Gauthier",
  "Pelletier",
  "Bélanger",
  "Lévesque",
  "Nguyen",
  "Okonkwo",
  "Kowalski",
  "Fitzgerald",
  "Ramanathan",
  "Marguerite",
  "Théodore",
  "Siobhan",
  "Oluwaseun",
  "Priyanka",
  "Hélène",
  "Jean-François",
  "Abernathy"
] as const

/**
 * A random name: six letters at least, so that it cannot turn up in a template's own words
 * or in a formatted time by chance (a four-letter one could: "your", "code", "west").
 */
const RandomName = Schema.String.check(Schema.isPattern(/^[A-Z][a-z]{5,11}$/))

const APPOINTMENT_TEMPLATES = [
  "appointment-requested",
  "appointment-booked",
  "appointment-rescheduled",
  "appointment-cancelled",
  "appointment-reminder"
] as const

/** Templates whose message carries a code the patient types. */
const CODE_TEMPLATES = new Set(["login-code", "link-code", "contact-verify-code", "virtual-visit-code"])

const CLINIC_NAMES = ["Toronto West Family Health", "Clinique Saint-Laurent", "Bayview Medical Associates"]

describe("Notifications: no personal or health detail in any rendered message (property 8)", () => {
  it.effect.prop(
    "for random patients, every template in both languages shows only the clinic's name, the event, a time and a link",
    {
      given: RandomName,
      family: RandomName,
      realGiven: Schema.optional(Schema.Literals(REAL_NAMES)),
      realFamily: Schema.optional(Schema.Literals(REAL_NAMES)),
      year: between(1920, 2010),
      month: between(1, 12),
      day: between(1, 28),
      card: Schema.String.check(Schema.isPattern(/^[1-9]\d{9}$/)),
      nameInEmail: Schema.Boolean,
      mobileDigits: Schema.String.check(Schema.isPattern(/^\d{4}$/)),
      preference: Schema.Literals(["email", "sms", "both"]),
      language: Schema.Literals(["en", "fr"]),
      body: Schema.String.check(Schema.isPattern(/^[A-Z][a-z]{5,9} [a-z]{5,9} [a-z]{5,9}$/)),
      answer: Schema.String.check(Schema.isPattern(/^[a-z]{6,10} [a-z]{6,10}$/)),
      clinicName: Schema.Literals(CLINIC_NAMES),
      startOffsetMinutes: between(0, 4 * 365 * 24 * 60)
    },
    (input) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const notifications = yield* Notifications
        const hasher = yield* Hasher
        const given = input.realGiven ?? input.given
        const family = input.realFamily ?? input.family
        const clinic = Testing.makeClinic({ name: input.clinicName })
        // Born 1920–2010; the flows run in 2026, so a timestamp of the payload can never look
        // like the birth date (at the TestClock's epoch, 1970-01-01 would).
        yield* TestClock.setTime(Date.UTC(2026, 0, 2, 9, 0))
        const dateOfBirth = `${input.year}-${String(input.month).padStart(2, "0")}-${String(input.day).padStart(2, "0")}`
        const email = input.nameInEmail
          ? `${given}.${family}@example.org`.toLowerCase().replace(/[^a-zà-ÿ.@-]/g, "")
          : `p${input.mobileDigits}@example.org`
        const patient: Patient = yield* seedPatient({
          id: PatientId.make(`patient-${input.card}`),
          legalName: { given, family },
          dateOfBirth,
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: input.card, versionCode: "QZ" }),
          email: EmailAddress.make(email),
          mobile: E164.make(`+1416555${input.mobileDigits}`),
          notificationPreference: input.preference,
          language: input.language
        })

        // Every flow that queues a notification for a patient.
        yield* auth.startLogin({ clinicId: patient.clinicId, identifier: patient.healthCard, contact: email })
        yield* auth.startLogin({
          clinicId: patient.clinicId,
          identifier: patient.healthCard,
          contact: `416 555 ${input.mobileDigits}`
        })
        const quick = yield* auth.issueLink(
          patient,
          "quick-link",
          new ResourceRef({ kind: "message", id: "m-1" })
        )
        yield* auth.issueLink(patient, "upload-link", new ResourceRef({ kind: "upload-request", id: "u-1" }))
        yield* TestClock.adjust(Duration.seconds(61))
        yield* auth.resendLink(quick.linkId)
        yield* auth.issueContactCode(patient, {
          channel: "email",
          value: `new-${input.mobileDigits}@example.net`
        })
        const startsAt = DateTime.makeUnsafe(Date.UTC(2026, 0, 5, 14, 0) + input.startOffsetMinutes * 60_000)
        for (const template of APPOINTMENT_TEMPLATES) {
          yield* notifications.queue({
            patient,
            template,
            payload: new NotificationPayload({ startsAt, path: `/appointments/a-${template}` }),
            key: `appointment:a:${template}`
          })
        }
        const visitId = "visit-1"
        yield* notifications.queue({
          patient,
          template: "virtual-visit-code",
          payload: new NotificationPayload({
            code: yield* hasher.seal(visitId, Redacted.make("Xy7Kp3Qm")),
            codeContext: visitId,
            startsAt,
            path: `/visits/${visitId}`
          }),
          key: `visit:${visitId}:code`
        })

        // The security notice to a replaced contact (queued by Demographics on a confirmed change).
        for (const contactKind of ["email", "mobile"] as const) {
          yield* notifications.queue({
            patient,
            template: "contact-changed",
            payload: new NotificationPayload({ contactKind }),
            key: `contact-changed:${contactKind}`,
            channel: contactKind === "email" ? "email" : "sms"
          })
        }

        const forbidden = [
          given,
          family,
          ...dateOfBirthForms(input.year, input.month, input.day),
          ...cardForms(input.card),
          input.body,
          input.answer
        ].map((s) => s.toLowerCase())
        const all = yield* (yield* Outbox).all
        assert.deepStrictEqual(new Set(all.map((n) => n.template)), new Set(NotificationTemplate.literals))
        for (const stored of all) {
          const payloadJson = JSON.stringify(
            Schema.encodeSync(NotificationPayload)(stored.payload)
          ).toLowerCase()
          for (const secret of forbidden) {
            assert.isFalse(payloadJson.includes(secret), `${stored.template} payload holds "${secret}"`)
          }
          const code = yield* openCode(hasher, stored)
          for (const language of ["en", "fr"] as const) {
            const message = render(
              new Notification({ ...stored, language }),
              clinic,
              Option.getOrUndefined(code)
            )
            const subject = message.subject.toLowerCase()
            const text = message.text.toLowerCase()
            for (const secret of forbidden) {
              assert.isFalse(
                subject.includes(secret),
                `${stored.template}/${language} subject holds "${secret}"`
              )
              assert.isFalse(text.includes(secret), `${stored.template}/${language} text holds "${secret}"`)
            }
            assert.include(message.subject, clinic.name)
            assert.include(message.text, clinic.name)
            assert.notInclude(message.text, "undefined")
            if (stored.template === "link-code") assert.isDefined(stored.payload.path)
            if (stored.payload.path !== undefined) {
              assert.include(message.text, `${clinic.portalUrl}${stored.payload.path}`)
            }
            if (CODE_TEMPLATES.has(stored.template)) {
              assert.isTrue(Option.isSome(code), `${stored.template} carries a code`)
              if (Option.isSome(code)) assert.include(message.text, Redacted.value(code.value))
            }
          }
        }
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it("the forms searched for are the ones people write", () => {
    assert.deepStrictEqual(dateOfBirthForms(1985, 12, 7).slice(0, 10), [
      "1985-12-07",
      "1985/12/07",
      "07/12/1985",
      "12/07/1985",
      "07.12.1985",
      "19851207",
      "December 7, 1985",
      "7 December 1985",
      "7 décembre 1985",
      "December 07, 1985"
    ])
    assert.deepStrictEqual(cardForms("1234567890"), ["1234567890", "1234 567 890", "1234-567-890"])
  })
})
