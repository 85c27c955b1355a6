/**
 * The failures a patient meets while keeping their demographics current. Each message says
 * what to change; none carries another patient's data.
 */
import { Schema } from "effect"

/** The address fields a problem can name. */
export const AddressField = Schema.Literals(["line1", "line2", "city", "region", "postalCode", "country"])
export type AddressField = typeof AddressField.Type

/** What is wrong with one address field. */
export class AddressProblem extends Schema.Class<AddressProblem>("AddressProblem")({
  field: AddressField,
  problem: Schema.Literals(["empty", "too-long", "implausible"])
}) {}

const FIELD_NAMES: Record<AddressField, string> = {
  line1: "street address",
  line2: "second address line",
  city: "city",
  region: "province or state",
  postalCode: "postal code",
  country: "country"
}

const describeProblem = (p: AddressProblem): string => {
  const name = FIELD_NAMES[p.field]
  switch (p.problem) {
    case "empty":
      return `the ${name} is missing`
    case "too-long":
      return `the ${name} is too long`
    case "implausible":
      return p.field === "postalCode"
        ? "the postal code does not look right for the country (e.g. M5H 2N2 in Canada, 10001 in the US)"
        : `the ${name} does not look right`
  }
}

/** The address was refused; `problems` lists each field at fault. */
export class AddressInvalid extends Schema.TaggedError<AddressInvalid>()("AddressInvalid", {
  problems: Schema.Array(AddressProblem)
}) {
  override get message() {
    return `Check your address: ${this.problems.map(describeProblem).join("; ")}.`
  }
}

/** The notification preference needs a contact the patient does not have on file. */
export class PreferenceNeedsContact extends Schema.TaggedError<PreferenceNeedsContact>()(
  "PreferenceNeedsContact",
  {
    preference: Schema.Literals(["email", "sms", "both"]),
    missing: Schema.Literals(["email", "mobile"])
  }
) {
  override get message() {
    return this.missing === "mobile"
      ? "To be notified by text message, first add a mobile number and confirm it with the code we send to it."
      : "To be notified by email, first add an email address and confirm it with the code we send to it."
  }
}

/** The new email address or mobile number cannot be read. */
export class ContactInvalid extends Schema.TaggedError<ContactInvalid>()("ContactInvalid", {
  channel: Schema.Literals(["email", "sms"])
}) {
  override get message() {
    return this.channel === "email"
      ? "Enter an email address such as name@example.org."
      : "Enter a mobile number with its area code, e.g. 416 555 0100, or with its country code, e.g. +44 7400 123456."
  }
}

/** The "new" contact is the one already on file. */
export class ContactUnchanged extends Schema.TaggedError<ContactUnchanged>()("ContactUnchanged", {
  channel: Schema.Literals(["email", "sms"])
}) {
  override get message() {
    return this.channel === "email"
      ? "That is already your email address; there is nothing to change."
      : "That is already your mobile number; there is nothing to change."
  }
}

/** No pending contact change of the caller has that id (it is someone else's, or never was). */
export class ContactChangeNotFound extends Schema.TaggedError<ContactChangeNotFound>()(
  "ContactChangeNotFound",
  {}
) {
  override get message() {
    return "There is no such pending change of contact among yours. Enter the new email address or mobile number again to get a new code."
  }
}
