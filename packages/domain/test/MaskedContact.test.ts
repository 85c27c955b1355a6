/**
 * Masking where a code went: an email address shows only its first character and its domain, a
 * phone number only its last two digits, the same way every time, whatever the length.
 */
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { maskContact, maskEmail, maskPhone } from "../src/MaskedContact.ts"
import { E164, EmailAddress } from "../src/Patient.ts"

/** A local part: any characters but `@` and whitespace, astral ones included (one code point each). */
const LocalPart = Schema.String.check(Schema.isPattern(/^[^\s@]{1,64}$/u))

/** A domain name of one to three labels and a top-level domain. */
const Domain = Schema.String.check(
  Schema.isPattern(
    /^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?){0,2}\.[a-z]{2,6}$/
  )
)

/** An E.164 number's digits: 7 to 15, not starting with 0. */
const E164Digits = Schema.String.check(Schema.isPattern(/^[1-9]\d{6,14}$/))

/** Two digits, for the end of a number. */
const LastTwo = Schema.String.check(Schema.isPattern(/^\d{2}$/))

/** The first character (code point, not UTF-16 unit) of a text. */
const firstOf = (s: string) => [...s][0] ?? ""

/** The digits of a text. */
const digitsOf = (s: string) => s.replace(/\D/g, "")

describe("maskEmail", () => {
  it.prop(
    "shows the first character of the local part, a fixed •••, then @ and the domain",
    { local: LocalPart, domain: Domain },
    ({ local, domain }) => {
      assert.strictEqual(maskEmail(`${local}@${domain}`), `${firstOf(local)}•••@${domain}`)
    }
  )

  it.prop(
    "reveals nothing more: two addresses with the same first character and domain mask alike",
    { local1: LocalPart, rest2: Schema.String.check(Schema.isPattern(/^[^\s@]{0,64}$/u)), domain: Domain },
    ({ local1, rest2, domain }) => {
      // Two local parts that share only their first character (their lengths differ at will).
      const first = firstOf(local1)
      const one = maskEmail(`${local1}@${domain}`)
      const two = maskEmail(`${first}${rest2}@${domain}`)
      assert.strictEqual(one, two)
      // Before the @: one character that is not a bullet, whatever the local part's length.
      const shown = [...(one.split("@")[0] ?? "")].filter((c) => c !== "•")
      assert.deepStrictEqual(
        shown,
        [first].filter((c) => c !== "•")
      )
    }
  )

  it.prop("is deterministic on the addresses a patient record holds", [EmailAddress], ([address]) => {
    const masked = maskEmail(address)
    assert.strictEqual(maskEmail(address), masked)
    assert.strictEqual(masked, `${firstOf(address)}•••@${address.slice(address.indexOf("@") + 1)}`)
  })

  it("a text with no local part shows nothing of it", () => {
    assert.strictEqual(maskEmail("@example.org"), "•••")
    assert.strictEqual(maskEmail("no-at-sign"), "•••")
    assert.strictEqual(maskEmail(""), "•••")
    assert.strictEqual(maskEmail("ada@example.org"), "a•••@example.org")
  })
})

describe("maskPhone", () => {
  it.prop("shows only the last two digits, behind a fixed •••-•••-••", [E164Digits], ([digits]) => {
    const masked = maskPhone(`+${digits}`)
    assert.strictEqual(masked, `•••-•••-••${digits.slice(-2)}`)
    assert.strictEqual(digitsOf(masked), digits.slice(-2))
  })

  it.prop(
    "reveals nothing more: numbers ending in the same two digits mask alike, whatever their length",
    { one: E164Digits, two: E164Digits, last: LastTwo },
    ({ one, two, last }) => {
      assert.strictEqual(maskPhone(`+${one.slice(0, -2)}${last}`), maskPhone(`+${two.slice(0, -2)}${last}`))
    }
  )

  it.prop("is deterministic on the numbers a patient record holds", [E164], ([number]) => {
    const masked = maskPhone(number)
    assert.strictEqual(maskPhone(number), masked)
    assert.isAtMost(digitsOf(masked).length, 2)
    assert.isTrue(number.endsWith(digitsOf(masked)))
  })

  it("a text of two digits or fewer shows no digit", () => {
    assert.strictEqual(maskPhone("12"), "•••-•••-••••")
    assert.strictEqual(maskPhone(""), "•••-•••-••••")
    assert.strictEqual(maskPhone("+14165550167"), "•••-•••-••67")
  })
})

describe("maskContact", () => {
  it.prop(
    "masks by the channel: an email as an email address, an SMS as a phone number",
    { address: EmailAddress, number: E164 },
    ({ address, number }) => {
      const email = maskContact({ channel: "email", to: address })
      const sms = maskContact({ channel: "sms", to: number })
      assert.deepStrictEqual({ ...email }, { channel: "email", masked: maskEmail(address) })
      assert.deepStrictEqual({ ...sms }, { channel: "sms", masked: maskPhone(number) })
    }
  )
})
