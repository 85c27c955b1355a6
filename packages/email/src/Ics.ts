/**
 * The iCalendar (RFC 5545) object attached to appointment emails: an iTIP (RFC 5546) `REQUEST`
 * for a booked or moved visit, a `CANCEL` for a cancelled one. Calendar clients match the two
 * on `UID` and keep the entry with the highest `SEQUENCE`. Written by hand because the object
 * is small and fixed; a pure function of its inputs, so it is tested without a mail server.
 */
import type { Delivery } from "@careportal/domain"
import { DateTime } from "effect"

/** What the calendar object needs beyond the event itself. */
export interface IcsOptions {
  /** When the object was made (`DTSTAMP`): the send time, from the caller's clock. */
  readonly stamp: DateTime.Utc
  /** Who sends it (`ORGANIZER`, required by iTIP): the clinic's name and sending address. */
  readonly organizer?: { readonly name: string; readonly email: string } | undefined
  /** Whom it is for (`ATTENDEE`): the recipient's address. */
  readonly attendee?: string | undefined
}

const CRLF = "\r\n"
const PRODID = "-//careportal//careportal email//EN"

/** An instant as an iCalendar UTC date-time, e.g. `20260105T140000Z`. */
export const formatUtc = (instant: DateTime.Utc): string =>
  DateTime.formatIso(instant)
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "")

// Control characters other than HTAB are not allowed in iCalendar content (RFC 5545 §3.3.11,
// §3.1 "CONTROL"); a newline in TEXT is written as `\n` instead.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/g

/** Escapes a TEXT value (RFC 5545 §3.3.11): backslash, `;`, `,` and newlines; drops other controls. */
export const escapeText = (value: string): string =>
  value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n")
    .replace(CONTROL, "")

/**
 * A parameter value (RFC 5545 §3.2): quoted when it holds `:`, `;` or `,`; a double quote
 * cannot appear in one at all, so it becomes a single quote. RFC 5545 gives a backslash no
 * meaning there, but some parsers read it as an escape, so it is dropped.
 */
const paramValue = (value: string): string => {
  const clean = value.replace(CONTROL, "").replace(/"/g, "'").replace(/\\/g, "")
  return /[:;,]/.test(clean) ? `"${clean}"` : clean
}

/** A URI value (URL, mailto:): not escaped, but never allowed to break the line. */
const uri = (value: string): string => value.replace(CONTROL, "")

const utf8Length = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): each continuation starts with one space,
 * which counts towards its 75. Never splits a UTF-8 sequence, so a line may end short of 75.
 */
export const fold = (line: string): string => {
  const out: Array<string> = []
  let current = ""
  let octets = 0
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0) ?? 0)
    if (octets + size > 75) {
      out.push(current)
      current = " "
      octets = 1
    }
    current += char
    octets += size
  }
  out.push(current)
  return out.join(CRLF)
}

/** The calendar object for an appointment email: CRLF line endings, folded, escaped. */
export const make = (event: Delivery.CalendarEvent, options: IcsOptions): string => {
  const cancel = event.method === "CANCEL"
  const lines = [
    "BEGIN:VCALENDAR",
    `PRODID:${PRODID}`,
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    `METHOD:${event.method}`,
    "BEGIN:VEVENT",
    `UID:${escapeText(event.uid)}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTAMP:${formatUtc(options.stamp)}`,
    `DTSTART:${formatUtc(event.start)}`,
    `DTEND:${formatUtc(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    ...(event.location === undefined ? [] : [`LOCATION:${escapeText(event.location)}`]),
    ...(event.url === undefined ? [] : [`URL:${uri(event.url)}`]),
    ...(options.organizer === undefined
      ? []
      : [`ORGANIZER;CN=${paramValue(options.organizer.name)}:mailto:${uri(options.organizer.email)}`]),
    // RSVP=FALSE: the portal is where a visit is moved or cancelled; a reply by email goes nowhere.
    ...(options.attendee === undefined
      ? []
      : [`ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:${uri(options.attendee)}`]),
    `STATUS:${cancel ? "CANCELLED" : "CONFIRMED"}`,
    "TRANSP:OPAQUE",
    "END:VEVENT",
    "END:VCALENDAR"
  ]
  return lines.map(fold).join(CRLF) + CRLF
}
