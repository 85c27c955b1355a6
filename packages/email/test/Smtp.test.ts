/**
 * The SMTP sender against a real SMTP server on 127.0.0.1 (npm `smtp-server`, STARTTLS off):
 * appointment emails for random patients — built as the dispatcher builds them, from
 * `Notifications.render` of queued notifications — arrive with the right envelope, headers,
 * bodies, Message-ID and .ics, with and without AUTH, and carry none of the patient's details;
 * every way a send can fail comes back as the right `DeliveryFailed`.
 */
import { type Clinic, Delivery, Ids, Notification, Notifications, Patient } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { Context, DateTime, Duration, Effect, Exit, Layer, Redacted, Schema, Scope } from "effect"
import ICAL from "ical.js"
import { type ParsedMail, simpleParser } from "mailparser"
import * as Smtp from "../src/Smtp.ts"
import { closedPort, startSmtpServer, type TestSmtpServer } from "./SmtpServer.ts"

const FROM = "portal@clinic.example"

const layerOn = (server: TestSmtpServer, extra: Partial<Smtp.SmtpOptions> = {}) =>
  Smtp.layer({ host: "127.0.0.1", port: server.port, secure: "none", from: FROM, ...extra })

const send = (message: Delivery.EmailMessage) =>
  Effect.gen(function* () {
    const sender = yield* Delivery.EmailSender
    return yield* sender.send(message)
  })

const parse = (raw: string) => Effect.promise(() => simpleParser(raw))

// ---------------------------------------------------------------------------------------------
// Building an email as the dispatcher does: the rendered notification, its HTML, its calendar.

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const toHtml = (text: string) =>
  text
    .split("\n")
    .map((line) =>
      /^https?:\/\/\S+$/.test(line)
        ? `<p><a href="${escapeHtml(line)}">${escapeHtml(line)}</a></p>`
        : `<p>${escapeHtml(line)}</p>`
    )
    .join("\n")

const emailFor = (
  notification: Notification.Notification,
  clinic: Clinic.Clinic,
  calendar?: Delivery.CalendarEvent
): Delivery.EmailMessage => {
  const { subject, text } = Notifications.render(notification, clinic)
  return new Delivery.EmailMessage({
    to: notification.to,
    fromName: clinic.name,
    subject,
    text,
    html: toHtml(text),
    idempotencyKey: notification.idempotencyKey,
    ...(calendar === undefined ? {} : { calendar })
  })
}

// ---------------------------------------------------------------------------------------------
// Random patients, and the ways their details could be written.

/** Eight letters at least: long enough never to turn up by chance in base64 or a boundary. */
const RandomName = Schema.String.check(Schema.isPattern(/^[A-Z][a-z]{7,11}$/))
const REAL_NAMES = [
  "Bélanger",
  "Lévesque",
  "Jean-François",
  "Théodore",
  "Fitzgerald",
  "Ramanathan",
  "Abernathy"
]
const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))

/** Every place a detail could hide: the raw bytes, and each part decoded. */
const everythingIn = (raw: string, parsed: ParsedMail): ReadonlyArray<readonly [string, string]> => [
  ["raw message", raw],
  ["headers", parsed.headerLines.map((h) => h.line).join("\n")],
  ["subject", parsed.subject ?? ""],
  ["text", parsed.text ?? ""],
  ["html", parsed.html || ""],
  ...parsed.attachments.map(
    (a, i) => [`attachment ${i} (${a.contentType})`, a.content.toString("utf8")] as const
  )
]

/** The raw MIME part whose Content-Type starts with `type`, decoded from base64 if need be. */
const rawPart = (raw: string, type: string): string | undefined => {
  const at = raw.toLowerCase().indexOf(`content-type: ${type}`)
  if (at < 0) return undefined
  const part = raw.slice(at)
  const headerEnd = part.indexOf("\r\n\r\n")
  const headers = part.slice(0, headerEnd)
  const body = part.slice(headerEnd + 4, part.indexOf("\r\n--", headerEnd))
  return /content-transfer-encoding: base64/i.test(headers)
    ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
    : body
}

const calendarOf = (ics: string) => {
  const calendar = new ICAL.Component(ICAL.parse(ics))
  const vevent = calendar.getFirstSubcomponent("vevent")
  if (vevent === null) throw new Error("no VEVENT")
  const time = (name: string) => {
    const t = vevent.getFirstPropertyValue(name) as InstanceType<typeof ICAL.Time>
    return { utc: t.zone?.tzid === "UTC", millis: t.toUnixTime() * 1000 }
  }
  return {
    method: calendar.getFirstPropertyValue("method"),
    version: calendar.getFirstPropertyValue("version"),
    prodid: calendar.getFirstPropertyValue("prodid"),
    uid: vevent.getFirstPropertyValue("uid"),
    sequence: vevent.getFirstPropertyValue("sequence") as unknown,
    status: vevent.getFirstPropertyValue("status"),
    summary: vevent.getFirstPropertyValue("summary"),
    url: vevent.getFirstPropertyValue("url"),
    location: vevent.getFirstPropertyValue("location"),
    start: time("dtstart"),
    end: time("dtend")
  }
}

describe("Smtp: appointment emails for random patients reach a real SMTP server", () => {
  it.live.prop(
    "reminder, booking and cancellation arrive as sent, with a valid .ics, and without a trace of the patient's details",
    {
      given: RandomName,
      family: RandomName,
      realGiven: Schema.optional(Schema.Literals(REAL_NAMES)),
      year: between(1920, 2010),
      month: between(1, 12),
      day: between(1, 28),
      card: Schema.String.check(Schema.isPattern(/^[1-9]\d{9}$/)),
      mailbox: Schema.String.check(Schema.isPattern(/^p\d{4,8}$/)),
      language: Schema.Literals(["en", "fr"]),
      withAuth: Schema.Boolean,
      appointment: Schema.String.check(
        Schema.isPattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      ),
      startQuarterHours: between(0, 3 * 365 * 24 * 4),
      clinicName: Schema.Literals(["Toronto West Family Health", "Clinique Saint-Laurent, Est"])
    },
    (input) =>
      Effect.gen(function* () {
        const auth = input.withAuth ? { user: "careportal", password: "s3cret-Pa55" } : undefined
        const server = yield* startSmtpServer(auth === undefined ? {} : { auth })
        const given = input.realGiven ?? input.given
        const dateOfBirth = `${input.year}-${String(input.month).padStart(2, "0")}-${String(input.day).padStart(2, "0")}`
        const email = `${input.mailbox}@example.org`
        const patient = Testing.makePatient({
          id: Ids.PatientId.make(`patient-${input.card}`),
          legalName: { given, family: input.family },
          dateOfBirth,
          healthCard: new Patient.HealthCardIdentifier({
            idType: "ON-HCN",
            number: input.card,
            versionCode: "QZ"
          }),
          email: Patient.EmailAddress.make(email),
          notificationPreference: "email",
          language: input.language
        })
        const clinic = Testing.makeClinic({ name: input.clinicName })
        // Quarter hours from 2026-01-05 14:00Z, three years on: both sides of DST changes.
        const startsAt = DateTime.makeUnsafe(
          Date.UTC(2026, 0, 5, 14, 0) + input.startQuarterHours * 15 * 60_000
        )
        const endsAt = DateTime.add(startsAt, { minutes: 30 })
        const path = `/appointments/${input.appointment}`
        const notifications = yield* Notifications.Notifications
        const queue = (template: "appointment-reminder" | "appointment-booked" | "appointment-cancelled") =>
          Effect.map(
            notifications.queue({
              patient,
              template,
              payload: new Notification.NotificationPayload({ startsAt, path }),
              key: `appointment:${input.appointment}:${template}`
            }),
            (queued) => {
              assert.strictEqual(queued.length, 1)
              return queued[0] as Notification.Notification
            }
          )
        const calendar = (method: "REQUEST" | "CANCEL", sequence: number) =>
          new Delivery.CalendarEvent({
            method,
            uid: `appointment-${input.appointment}@careportal`,
            sequence,
            start: startsAt,
            end: endsAt,
            summary: `${clinic.name}: appointment`,
            url: `${clinic.portalUrl}${path}`,
            location: "Virtual visit"
          })
        const sent = [
          { notification: yield* queue("appointment-reminder"), calendar: undefined },
          { notification: yield* queue("appointment-booked"), calendar: calendar("REQUEST", 0) },
          { notification: yield* queue("appointment-cancelled"), calendar: calendar("CANCEL", 1) }
        ] as const

        const receipts = yield* Effect.forEach(sent, ({ notification, calendar }) =>
          send(emailFor(notification, clinic, calendar))
        ).pipe(
          Effect.provide(
            layerOn(
              server,
              auth === undefined ? {} : { user: auth.user, password: Redacted.make(auth.password) }
            )
          )
        )

        const received = server.received()
        assert.strictEqual(received.length, 3)
        const forbidden = [
          given,
          input.family,
          ...Testing.dateOfBirthForms(input.year, input.month, input.day),
          ...Testing.cardForms(input.card)
        ].map((s) => s.toLowerCase())

        for (const [i, { notification, calendar }] of sent.entries()) {
          const arrived = received[i]
          if (arrived === undefined) return assert.fail(`message ${i} did not arrive`)
          const rendered = Notifications.render(notification, clinic)
          const parsed = yield* parse(arrived.raw)

          // Envelope: exactly the patient, from the clinic's sending address; logged in when asked.
          assert.deepStrictEqual(arrived.rcptTo, [email])
          assert.strictEqual(arrived.mailFrom, FROM)
          assert.strictEqual(arrived.user, auth?.user)
          assert.isFalse(arrived.secure)

          // Headers and bodies.
          assert.deepStrictEqual(parsed.from?.value, [{ name: clinic.name, address: FROM }])
          assert.deepStrictEqual(
            (Array.isArray(parsed.to) ? parsed.to : [parsed.to]).flatMap((a) => a?.value ?? []),
            [{ name: "", address: email }]
          )
          assert.strictEqual(parsed.subject, rendered.subject)
          assert.strictEqual(parsed.text?.replace(/\n$/, ""), rendered.text)
          assert.strictEqual(parsed.html, toHtml(rendered.text))
          assert.include(rendered.text, `${clinic.portalUrl}${path}`)

          // The Message-ID is the idempotency key, made header-safe (`:` is not allowed in it).
          const expectedId = `<appointment=3A${input.appointment}=3A${notification.template}=3Aemail@careportal>`
          assert.strictEqual(
            notification.idempotencyKey,
            `appointment:${input.appointment}:${notification.template}:email`
          )
          assert.strictEqual(parsed.messageId, expectedId)
          assert.strictEqual(receipts[i]?.providerId, expectedId)
          // A long Message-ID may be folded onto the next line, as RFC 5322 allows.
          assert.include(arrived.raw.replace(/\r\n[ \t]+/g, " "), `\r\nMessage-ID: ${expectedId}\r\n`)

          if (calendar === undefined) {
            assert.notInclude(arrived.raw.toLowerCase(), "text/calendar")
            assert.lengthOf(parsed.attachments, 0)
          } else {
            // A text/calendar alternative with the method, and the same object as an attachment.
            assert.include(arrived.raw, `text/calendar; charset=utf-8; method=${calendar.method}`)
            const ics = rawPart(arrived.raw, "text/calendar")
            const attached = parsed.attachments.find((a) => a.contentType === "application/ics")
            if (ics === undefined || attached === undefined) return assert.fail("no calendar part")
            assert.strictEqual(
              attached.filename,
              calendar.method === "CANCEL" ? "cancellation.ics" : "appointment.ics"
            )
            assert.strictEqual(attached.content.toString("utf8"), ics)

            // CRLF only, folded at 75 octets (the portal URL is long enough to need it).
            assert.isTrue(ics.endsWith("\r\n"))
            assert.notMatch(ics, /\r(?!\n)|(?<!\r)\n/)
            const lines = ics.slice(0, -2).split("\r\n")
            for (const line of lines) assert.isAtMost(Buffer.byteLength(line, "utf8"), 75, line)
            assert.isTrue(
              lines.some((l) => l.startsWith(" ")),
              "a long line was folded"
            )

            const event = calendarOf(ics)
            assert.strictEqual(event.method, calendar.method)
            assert.strictEqual(event.version, "2.0")
            assert.isString(event.prodid)
            assert.strictEqual(event.uid, `appointment-${input.appointment}@careportal`)
            assert.strictEqual(event.sequence, calendar.sequence)
            assert.strictEqual(event.status, calendar.method === "CANCEL" ? "CANCELLED" : "CONFIRMED")
            assert.strictEqual(event.summary, `${clinic.name}: appointment`)
            assert.strictEqual(event.url, `${clinic.portalUrl}${path}`)
            assert.strictEqual(event.location, "Virtual visit")
            assert.deepStrictEqual(event.start, { utc: true, millis: startsAt.epochMilliseconds })
            assert.deepStrictEqual(event.end, { utc: true, millis: endsAt.epochMilliseconds })
            assert.match(ics, /\r\nDTSTART:\d{8}T\d{6}Z\r\n/)
            assert.match(ics, /\r\nDTEND:\d{8}T\d{6}Z\r\n/)
          }

          // Nothing of the patient's record, anywhere: raw bytes or any decoded part.
          for (const [where, content] of everythingIn(arrived.raw, parsed)) {
            const lower = content.toLowerCase()
            for (const secret of forbidden) {
              assert.isFalse(lower.includes(secret), `${notification.template}: ${where} holds "${secret}"`)
            }
          }
        }
      }).pipe(Effect.provide(Testing.layerAuthenticationMemory())),
    { timeout: 60_000, arbitrary: { runs: 12 } }
  )
})

const plain = (key: string) =>
  new Delivery.EmailMessage({
    to: "p1234@example.org",
    fromName: "Toronto West Family Health",
    subject: "Toronto West Family Health: appointment reminder",
    text: "Toronto West Family Health — appointment reminder.",
    html: "<p>Toronto West Family Health — appointment reminder.</p>",
    idempotencyKey: key
  })

/** Sends one message through a fresh layer (its own pool, closed afterwards). */
const attempt = (layer: Layer.Layer<Delivery.EmailSender>, key = "k:1:email") =>
  send(plain(key)).pipe(Effect.provide(layer))

/** The `DeliveryFailed` a send ended with; a send that went through fails the test. */
const failureOf = (layer: Layer.Layer<Delivery.EmailSender>) =>
  attempt(layer).pipe(
    Effect.flatMap((receipt) => Effect.die(new Error(`the send went through: ${receipt.providerId}`))),
    Effect.flip
  )

describe("Smtp: AUTH", () => {
  it.live("the right login sends; the server saw that user", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer({ auth: { user: "careportal", password: "right" } })
      const receipt = yield* attempt(
        layerOn(server, { user: "careportal", password: Redacted.make("right") })
      )
      assert.strictEqual(receipt.providerId, "<k=3A1=3Aemail@careportal>")
      assert.deepStrictEqual(
        server.received().map((r) => r.user),
        ["careportal"]
      )
    })
  )

  it.live(
    "a wrong password (535) is retryable — the configuration is wrong, not the message — and says what to fix, without the password",
    () =>
      Effect.gen(function* () {
        const server = yield* startSmtpServer({ auth: { user: "careportal", password: "right" } })
        const failure = yield* failureOf(
          layerOn(server, { user: "careportal", password: Redacted.make("Wr0ngPa55word") })
        )
        assert.strictEqual(failure._tag, "DeliveryFailed")
        assert.isTrue(failure.retryable)
        assert.include(failure.reason, "535")
        assert.include(failure.reason, "SMTP_PASSWORD")
        assert.notInclude(failure.message, "Wr0ngPa55word")
        assert.deepStrictEqual(server.logins(), [{ user: "careportal", password: "Wr0ngPa55word" }])
        assert.lengthOf(server.received(), 0)
      })
  )

  it.live("no credentials for a server that requires them (530) is retryable too", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer({ auth: { user: "careportal", password: "right" } })
      const failure = yield* failureOf(layerOn(server))
      assert.isTrue(failure.retryable)
      assert.include(failure.reason, "530")
      assert.include(failure.reason, "SMTP_USER")
      assert.lengthOf(server.received(), 0)
    })
  )
})

describe("Smtp: how a refusal maps to DeliveryFailed", () => {
  const cases = [
    { at: "mail", code: 421, text: "4.3.2 Service shutting down", retryable: true },
    { at: "rcpt", code: 450, text: "4.2.0 Mailbox busy", retryable: true },
    { at: "rcpt", code: 451, text: "4.7.1 Greylisted, try again later", retryable: true },
    { at: "rcpt", code: 452, text: "4.2.2 Mailbox full", retryable: true },
    { at: "data", code: 451, text: "4.3.0 Local error in processing", retryable: true },
    { at: "rcpt", code: 550, text: "5.1.1 Mailbox unavailable", retryable: false },
    { at: "rcpt", code: 553, text: "5.1.3 Mailbox name not allowed", retryable: false },
    { at: "mail", code: 550, text: "5.7.1 Sender rejected", retryable: false },
    { at: "data", code: 554, text: "5.6.0 Message refused", retryable: false }
  ] as const
  it.live.each(cases)("$code at $at → retryable: $retryable", (c) =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer({ reply: { at: c.at, code: c.code, text: c.text } })
      const failure = yield* failureOf(layerOn(server))
      assert.strictEqual(failure._tag, "DeliveryFailed")
      assert.strictEqual(failure.retryable, c.retryable)
      assert.include(failure.reason, `${c.code}`)
      assert.include(failure.reason, c.text)
      assert.lengthOf(server.received(), 0)
    })
  )

  it.live("an unreachable port (connection refused) is retryable", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const failure = yield* failureOf(Smtp.layer({ host: "127.0.0.1", port, secure: "none", from: FROM }))
      assert.isTrue(failure.retryable)
      assert.match(failure.reason, /could not reach the SMTP server.*ECONNREFUSED/)
    })
  )

  it.live("a server that never answers the message: the whole send times out, retryable", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer({ hang: true })
      const started = Date.now()
      const failure = yield* failureOf(layerOn(server, { sendTimeout: Duration.millis(700) }))
      const took = Date.now() - started
      assert.isTrue(failure.retryable)
      assert.include(failure.reason, "did not take the message within")
      assert.isAtLeast(took, 650)
      assert.isBelow(took, 5_000, "the timeout ended it, not a socket timeout")
    })
  )
})

describe("Smtp: TLS modes", () => {
  it.live("`starttls` refuses to send in clear to a server that offers no STARTTLS (retryable)", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer()
      const failure = yield* failureOf(layerOn(server, { secure: "starttls" }))
      assert.isTrue(failure.retryable)
      assert.include(failure.reason, "SMTP_SECURE")
      assert.lengthOf(server.received(), 0)
    })
  )

  it.live("`tls` expects TLS from the first byte: a plain server cannot take the message (retryable)", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer()
      const failure = yield* failureOf(layerOn(server, { secure: "tls", sendTimeout: Duration.seconds(3) }))
      assert.isTrue(failure.retryable)
      assert.lengthOf(server.received(), 0)
    })
  )

  it.live("`none` stays in clear even when the server offers STARTTLS", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer({ starttls: true })
      yield* attempt(layerOn(server, { secure: "none" }))
      assert.deepStrictEqual(
        server.received().map((r) => r.secure),
        [false]
      )
    })
  )
})

describe("Smtp: the pool", () => {
  it.live("one pooled connection serves several sends and is closed when the layer is released", () =>
    Effect.gen(function* () {
      const server = yield* startSmtpServer()
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(layerOn(server, { maxConnections: 1 }), scope)
      const sender = Context.get(context, Delivery.EmailSender)
      for (const key of ["a:1:email", "a:2:email", "a:3:email"]) yield* sender.send(plain(key))
      assert.lengthOf(server.received(), 3)
      assert.strictEqual(server.openConnections(), 1, "the idle connection stays open for the next send")
      yield* Scope.close(scope, Exit.void)
      yield* Effect.sleep("300 millis")
      assert.strictEqual(server.openConnections(), 0, "released with the layer")
    })
  )
})

describe("Smtp.messageIdFor", () => {
  it("keeps what a Message-ID allows and writes the rest as =XX per UTF-8 byte", () => {
    assert.strictEqual(
      Smtp.messageIdFor("appointment:a-1:reminder-48h:email"),
      "<appointment=3Aa-1=3Areminder-48h=3Aemail@careportal>"
    )
    assert.strictEqual(
      Smtp.messageIdFor("a b<c>@d.e=f\r\né"),
      "<a=20b=3Cc=3E=40d=2Ee=3Df=0D=0A=C3=A9@careportal>"
    )
  })

  // Well-formed strings: an unpaired surrogate is not text, and UTF-8 has no bytes for it.
  const Key = Schema.String.check(Schema.makeFilter((s: string) => s.isWellFormed()))
  it.prop(
    "any key gives a header-safe Message-ID that decodes back to it (so keys never collide)",
    [Key],
    ([key]) => {
      const id = Smtp.messageIdFor(key)
      assert.match(id, /^<[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+@careportal>$|^<@careportal>$/)
      const local = id.slice(1, -"@careportal>".length)
      const bytes: Array<number> = []
      for (let i = 0; i < local.length; i++) {
        if (local[i] === "=") {
          bytes.push(Number.parseInt(local.slice(i + 1, i + 3), 16))
          i += 2
        } else bytes.push(local.charCodeAt(i))
      }
      assert.strictEqual(new TextDecoder().decode(new Uint8Array(bytes)), key)
    }
  )
})
