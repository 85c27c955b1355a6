/**
 * Where a code went, as a page may show it before anyone has proved who they are ("we sent a
 * new code to a•••@example.org"): enough for the patient to recognise their own contact, too
 * little for anyone holding a link to learn it.
 *
 * What is revealed, and nothing else:
 * - an email address: the first character of the local part and the whole domain; the rest of
 *   the local part is always `•••`, whatever its length;
 * - a phone number: its last two digits, behind the fixed `•••-•••-••`, whatever its length or
 *   country code.
 *
 * Pure and deterministic: the same contact always masks the same way (test/MaskedContact.test.ts
 * proves that the mask is a function of exactly the revealed parts).
 */
import { Schema } from "effect"

/** The bullets that stand for every hidden character, a fixed number so no length leaks. */
const HIDDEN = "•••"

/** The phone mask before its last two digits: North American in form, the same for every number. */
const PHONE_HIDDEN = "•••-•••-••"

/** The digits of a phone number shown at most: the last ones. */
const PHONE_DIGITS_SHOWN = 2

/** A masked email address: the local part's first character, `•••`, then `@` and the domain. */
export const maskEmail = (address: string): string => {
  const at = address.lastIndexOf("@")
  // The first code point, not the first UTF-16 unit: a lone surrogate is not a character.
  const first = at > 0 ? ([...address.slice(0, at)][0] ?? "") : ""
  return at > 0 ? `${first}${HIDDEN}@${address.slice(at + 1)}` : HIDDEN
}

/** A masked phone number: `•••-•••-••` and its last two digits (none when it has no more than two). */
export const maskPhone = (number: string): string => {
  const digits = number.replace(/\D/g, "")
  return digits.length > PHONE_DIGITS_SHOWN
    ? `${PHONE_HIDDEN}${digits.slice(-PHONE_DIGITS_SHOWN)}`
    : `${PHONE_HIDDEN}••`
}

/** One place a code was sent to, masked: `{ channel: "email", masked: "a•••@example.org" }`. */
export class MaskedContact extends Schema.Class<MaskedContact>("MaskedContact")({
  channel: Schema.Literals(["email", "sms"]),
  /** The contact with all but what the patient needs to recognise it hidden (see the module). */
  masked: Schema.String
}) {}

/** The masked form of a contact a notification went to (`channel` and `to` of a `Notification`). */
export const maskContact = (destination: {
  readonly channel: "email" | "sms"
  readonly to: string
}): MaskedContact =>
  new MaskedContact({
    channel: destination.channel,
    masked: destination.channel === "email" ? maskEmail(destination.to) : maskPhone(destination.to)
  })
