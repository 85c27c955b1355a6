/**
 * Where a delivered notification's links point: with `PortalAddress.layerPublicUrl(base)` every
 * link (the email's text and html, its calendar entry, the SMS) is `${base}/${slug}${path}`, a
 * trailing slash on the base dropped; without it, the clinic's stored `portalUrl`. A base that
 * is not an absolute http(s) URL is refused when the layer is made.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { ClinicRepo, PortalAddress } from "../src/Clinic.ts"
import { EmailSender, EmailSenderMemory, SmsSender, SmsSenderMemory } from "../src/Delivery.ts"
import { Dispatcher } from "../src/Dispatcher.ts"
import { StaffId } from "../src/Ids.ts"
import { Messaging } from "../src/Messaging.ts"
import { NotificationPayload } from "../src/Notification.ts"
import { Notifications } from "../src/Notifications.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"

/** Deliberately unlike any `PUBLIC_URL`-built address, so a test can tell which one a link used. */
const STORED_PORTAL_URL = "https://stored.example.org/tw-portal"

/** The dispatcher on the in-memory domain with capturing senders, and the portal address given. */
const domainWith = (portalAddress: Layer.Layer<never> = Layer.empty) =>
  Dispatcher.layer.pipe(
    Layer.provide(portalAddress),
    Layer.provideMerge(Layer.mergeAll(EmailSender.layerMemory, SmsSender.layerMemory)),
    Layer.provideMerge(Testing.layerCareMemory())
  )

/** The line of a rendered text that is a link (fails the test when there is none). */
const linkLine = (text: string): string => {
  const line = text.split("\n").find((l) => /^https?:\/\//.test(l))
  assert.isDefined(line, `a link in ${JSON.stringify(text)}`)
  return line ?? ""
}

/**
 * Ada (email and SMS) gets a message from the clinic and a booked appointment; the dispatcher
 * delivers both. Returns the message's link id and every link the deliveries carried.
 */
const deliver = Effect.gen(function* () {
  yield* TestClock.setTime(Date.parse("2030-01-01T08:00:00Z"))
  const clinic = Testing.makeClinic({ portalUrl: STORED_PORTAL_URL })
  yield* (yield* ClinicRepo).save(clinic)
  const ada = Testing.makePatient({ notificationPreference: "both" })
  yield* (yield* PatientRepo).save(ada)
  const staff = new StaffPrincipal({ staffId: StaffId.make("staff-reception"), clinicId: clinic.id })
  const sent = yield* (yield* Messaging).send(staff, {
    patientId: ada.id,
    subject: "Your results",
    body: "They are normal.",
    replyAllowed: true
  })
  assert.isNotNull(sent.link)
  yield* (yield* Notifications).queue({
    patient: ada,
    template: "appointment-booked",
    payload: new NotificationPayload({
      startsAt: DateTime.makeUnsafe("2030-01-05T14:00:00Z"),
      endsAt: DateTime.makeUnsafe("2030-01-05T14:30:00Z"),
      path: "/appointments/appointment-7"
    }),
    key: "booked-7"
  })
  const summary = yield* (yield* Dispatcher).runOnce({ batchSize: 10 })
  assert.strictEqual(summary.sent, 4)

  const emails = yield* TxRef.get((yield* EmailSenderMemory).state)
  const sms = yield* TxRef.get((yield* SmsSenderMemory).state)
  const messageEmail = emails.find((m) => m.idempotencyKey.endsWith(":email") && m.calendar === undefined)
  const bookedEmail = emails.find((m) => m.calendar !== undefined)
  const messageSms = sms.find((m) => /links/.test(m.body))
  assert.isDefined(messageEmail)
  assert.isDefined(bookedEmail)
  assert.isDefined(messageSms)
  if (messageEmail === undefined || bookedEmail === undefined || messageSms === undefined) {
    return yield* Effect.die("missing deliveries")
  }
  const href = (html: string) => /<a href="([^"]+)">/.exec(html)?.[1]
  return {
    linkId: sent.link?.linkId,
    slug: clinic.slug,
    links: {
      emailText: linkLine(messageEmail.text),
      emailHtml: href(messageEmail.html),
      sms: linkLine(messageSms.body),
      bookedText: linkLine(bookedEmail.text),
      bookedHtml: href(bookedEmail.html),
      calendar: bookedEmail.calendar?.url
    }
  }
})

/** Every link of `deliver`, as it should be on the portal address `portal`. */
const expected = (portal: string, linkId: string | undefined) => ({
  emailText: `${portal}/links/${linkId}`,
  emailHtml: `${portal}/links/${linkId}`,
  sms: `${portal}/links/${linkId}`,
  bookedText: `${portal}/appointments/appointment-7`,
  bookedHtml: `${portal}/appointments/appointment-7`,
  calendar: `${portal}/appointments/appointment-7`
})

describe("Dispatcher: notification links on the portal address", () => {
  it.effect("with PortalAddress.layerPublicUrl, every link is <base>/<slug><path>", () =>
    Effect.gen(function* () {
      const { linkId, slug, links } = yield* deliver
      assert.strictEqual(slug, "toronto-west")
      assert.deepStrictEqual(links, expected("https://care.example.net/portal/toronto-west", linkId))
    }).pipe(
      // A trailing slash on the base is dropped, and a path on it is kept.
      Effect.provide(domainWith(PortalAddress.layerPublicUrl("https://care.example.net/portal/")))
    )
  )

  it.effect("without it, every link is on the clinic's stored portalUrl", () =>
    Effect.gen(function* () {
      const { linkId, links } = yield* deliver
      assert.deepStrictEqual(links, expected(STORED_PORTAL_URL, linkId))
    }).pipe(Effect.provide(domainWith()))
  )

  it("layerPublicUrl refuses a base that is not an absolute http(s) URL", () => {
    for (const bad of [
      "",
      "portal.example.org",
      "ftp://portal.example.org",
      "https://",
      "https://x.org/?a=1"
    ]) {
      assert.throws(() => PortalAddress.layerPublicUrl(bad), RangeError, "absolute http(s) URL")
    }
    for (const good of ["http://127.0.0.1:3000", "https://portal.example.org/", "https://x.org/a/b"]) {
      assert.doesNotThrow(() => PortalAddress.layerPublicUrl(good))
    }
  })
})
