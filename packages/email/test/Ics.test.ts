/**
 * The calendar object of appointment emails (RFC 5545 / iTIP): the exact text for a booked and
 * a cancelled visit, then for random events — any Unicode, the characters TEXT must escape,
 * control characters, long lines — that every physical line ends in CRLF and is at most 75
 * octets, and that an independent parser (ical.js) reads back exactly what went in.
 */
import { Delivery } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { DateTime } from "effect"
import * as fc from "fast-check"
import ICAL from "ical.js"
import * as Ics from "../src/Ics.ts"

const at = (iso: string) => DateTime.makeUnsafe(iso)
const octets = (s: string) => new TextEncoder().encode(s).length

const booked = new Delivery.CalendarEvent({
  method: "REQUEST",
  uid: "appointment-a1@careportal",
  sequence: 2,
  start: at("2026-03-08T14:30:00Z"),
  end: at("2026-03-08T15:00:00Z"),
  summary: "Toronto West Family Health: appointment",
  url: "https://portal.example.org/toronto-west/appointments/a1",
  location: "1 King St W, Toronto; 2nd floor, entrance from the courtyard off Wellington Street"
})

const organizer = { name: "Toronto West Family Health", email: "portal@clinic.example" }

/** Physical lines of a calendar object, after checking every one ends in CRLF. */
const physicalLines = (ics: string): ReadonlyArray<string> => {
  assert.isTrue(ics.endsWith("\r\n"), "ends with CRLF")
  assert.notMatch(ics, /\r(?!\n)|(?<!\r)\n/, "no bare CR or LF")
  return ics.slice(0, -2).split("\r\n")
}

describe("Ics.make", () => {
  it("a booked visit: the exact calendar object, CRLF, long lines folded, TEXT escaped", () => {
    const ics = Ics.make(booked, {
      stamp: at("2026-03-01T09:15:42.123Z"),
      organizer,
      attendee: "p1234@example.org"
    })
    assert.strictEqual(
      ics,
      [
        "BEGIN:VCALENDAR",
        "PRODID:-//careportal//careportal email//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:appointment-a1@careportal",
        "SEQUENCE:2",
        "DTSTAMP:20260301T091542Z",
        "DTSTART:20260308T143000Z",
        "DTEND:20260308T150000Z",
        "SUMMARY:Toronto West Family Health: appointment",
        // 75 octets, then the rest on a continuation line that starts with one space.
        "LOCATION:1 King St W\\, Toronto\\; 2nd floor\\, entrance from the courtyard of",
        " f Wellington Street",
        "URL:https://portal.example.org/toronto-west/appointments/a1",
        "ORGANIZER;CN=Toronto West Family Health:mailto:portal@clinic.example",
        "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:p1234@example.org",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
        ""
      ].join("\r\n")
    )
  })

  it("a cancellation: METHOD:CANCEL and STATUS:CANCELLED, same UID, higher SEQUENCE", () => {
    const cancel = new Delivery.CalendarEvent({ ...booked, method: "CANCEL", sequence: 3 })
    const lines = physicalLines(Ics.make(cancel, { stamp: at("2026-03-02T00:00:00Z") }))
    assert.include(lines, "METHOD:CANCEL")
    assert.include(lines, "STATUS:CANCELLED")
    assert.notInclude(lines, "STATUS:CONFIRMED")
    assert.include(lines, "UID:appointment-a1@careportal")
    assert.include(lines, "SEQUENCE:3")
    assert.isFalse(
      lines.some((l) => l.startsWith("ORGANIZER") || l.startsWith("ATTENDEE")),
      "no organizer or attendee unless given"
    )
  })

  it("a parameter value holding : ; or , is quoted; a double quote or backslash cannot break out of it", () => {
    const lines = physicalLines(
      Ics.make(booked, {
        stamp: at("2026-03-01T00:00:00Z"),
        organizer: { name: 'Clinique "Saint-Laurent": Est\\', email: "a@b.example" }
      })
    )
    assert.include(lines, `ORGANIZER;CN="Clinique 'Saint-Laurent': Est":mailto:a@b.example`)
  })
})

describe("Ics.fold", () => {
  it("cuts at 75 octets; each continuation is one space and at most 74 more", () => {
    const line = `SUMMARY:${"x".repeat(200)}`
    const folded = Ics.fold(line).split("\r\n")
    assert.deepStrictEqual(
      folded.map((l) => l.length),
      [75, 75, 60]
    )
    assert.isTrue(folded.slice(1).every((l) => l.startsWith(" ") && !l.startsWith("  ")))
    assert.strictEqual(folded.map((l, i) => (i === 0 ? l : l.slice(1))).join(""), line)
  })

  it("never splits a UTF-8 sequence: é is 2 octets, € 3, 😀 4", () => {
    for (const [char, size] of [
      ["é", 2],
      ["€", 3],
      ["😀", 4]
    ] as const) {
      const line = `S:${char.repeat(100)}`
      const folded = Ics.fold(line).split("\r\n")
      for (const [i, l] of folded.entries()) {
        assert.isAtMost(octets(l), 75)
        const body = i === 0 ? l.slice(2) : l.slice(1)
        // Whole characters only: the body re-encodes to a multiple of the character's size.
        assert.strictEqual(octets(body) % size, 0)
        assert.strictEqual(body, char.repeat([...body].length))
      }
      // The first line holds as many whole characters as fit in 75 octets.
      assert.strictEqual(octets(folded[0] ?? ""), 2 + Math.floor(73 / size) * size)
    }
  })

  it("leaves a line of 75 octets alone", () => {
    const line = "x".repeat(75)
    assert.strictEqual(Ics.fold(line), line)
    assert.strictEqual(Ics.fold(`${line}y`), `${line}\r\n y`)
  })
})

describe("Ics.escapeText", () => {
  it("escapes backslash, semicolon, comma and newlines; drops other control characters", () => {
    assert.strictEqual(Ics.escapeText("a\\b;c,d\ne\r\nf\rg\u0007h\ti"), "a\\\\b\\;c\\,d\\ne\\nf\\ng" + "h\ti")
  })
})

// Strings that hit the fold boundary with multi-byte characters and everything TEXT escapes.
const tricky = fc.string({
  unit: fc.constantFrom(
    "a",
    "Z",
    " ",
    "é",
    "€",
    "😀",
    "中",
    ",",
    ";",
    ":",
    "\\",
    "\n",
    "\r",
    "\t",
    '"',
    "\u0001"
  ),
  maxLength: 160
})
const anyText = fc.oneof(tricky, fc.string({ unit: "binary", maxLength: 120 }))
// What a TEXT value reads back as: newlines kept (as LF), other controls gone.
// biome-ignore lint/suspicious/noControlCharactersInRegex: controls are what is removed
const asText = (s: string) => s.replace(/\r\n|\r/g, "\n").replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, "")
// biome-ignore lint/suspicious/noControlCharactersInRegex: controls are what is removed
const CONTROLS = /[\u0000-\u0008\u000A-\u001F\u007F]/g
const asUri = (s: string) => s.replace(CONTROLS, "")
const instant = fc
  .integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2090, 0, 1) / 1000 })
  .map((s) => s * 1000)

describe("Ics.make on random events", () => {
  it("every line ends in CRLF and fits in 75 octets; ical.js reads back every value", () => {
    fc.assert(
      fc.property(
        fc.record({
          method: fc.constantFrom("REQUEST" as const, "CANCEL" as const),
          uid: anyText.filter((s) => asText(s).trim().length > 0),
          sequence: fc.nat({ max: 10_000 }),
          start: instant,
          minutes: fc.integer({ min: 5, max: 600 }),
          summary: anyText,
          location: fc.option(anyText, { nil: undefined }),
          url: fc.option(fc.webUrl({ withQueryParameters: true, withFragments: true }), { nil: undefined }),
          organizerName: tricky,
          stamp: instant
        }),
        (input) => {
          const event = new Delivery.CalendarEvent({
            method: input.method,
            uid: input.uid,
            sequence: input.sequence,
            start: DateTime.makeUnsafe(input.start),
            end: DateTime.makeUnsafe(input.start + input.minutes * 60_000),
            summary: input.summary,
            ...(input.location === undefined ? {} : { location: input.location }),
            ...(input.url === undefined ? {} : { url: input.url })
          })
          const ics = Ics.make(event, {
            stamp: DateTime.makeUnsafe(input.stamp),
            organizer: { name: input.organizerName, email: "portal@clinic.example" },
            attendee: "p1@example.org"
          })
          const lines = physicalLines(ics)
          for (const line of lines) {
            assert.isAtMost(octets(line), 75, line)
            assert.notMatch(line, /^ {2}/, "a continuation starts with exactly one space")
          }

          const calendar = new ICAL.Component(ICAL.parse(ics))
          assert.strictEqual(calendar.name, "vcalendar")
          assert.strictEqual(calendar.getFirstPropertyValue("version"), "2.0")
          assert.strictEqual(calendar.getFirstPropertyValue("method"), input.method)
          assert.isString(calendar.getFirstPropertyValue("prodid"))
          const vevent = calendar.getFirstSubcomponent("vevent")
          assert.isNotNull(vevent)
          if (vevent === null) return
          assert.strictEqual(vevent.getFirstPropertyValue("uid"), asText(input.uid))
          assert.strictEqual(vevent.getFirstPropertyValue("sequence") as unknown, input.sequence)
          assert.strictEqual(vevent.getFirstPropertyValue("summary"), asText(input.summary))
          assert.strictEqual(
            vevent.getFirstPropertyValue("location") ?? undefined,
            input.location === undefined ? undefined : asText(input.location)
          )
          assert.strictEqual(
            vevent.getFirstPropertyValue("url") ?? undefined,
            input.url === undefined ? undefined : asUri(input.url)
          )
          assert.strictEqual(
            vevent.getFirstPropertyValue("status"),
            input.method === "CANCEL" ? "CANCELLED" : "CONFIRMED"
          )
          for (const [name, expected] of [
            ["dtstart", input.start],
            ["dtend", input.start + input.minutes * 60_000],
            ["dtstamp", input.stamp]
          ] as const) {
            const time = vevent.getFirstPropertyValue(name) as InstanceType<typeof ICAL.Time>
            assert.strictEqual(time.zone?.tzid, "UTC", `${name} is in UTC`)
            assert.strictEqual(time.toUnixTime() * 1000, expected, name)
          }
          const organizerProperty = vevent.getFirstProperty("organizer")
          assert.strictEqual(organizerProperty?.getFirstValue(), "mailto:portal@clinic.example")
          assert.strictEqual(
            organizerProperty?.getParameter("cn"),
            input.organizerName.replace(/"/g, "'").replace(/\\/g, "").replace(CONTROLS, "")
          )
        }
      ),
      { numRuns: 300 }
    )
  })
})
