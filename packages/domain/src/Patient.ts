/**
 * The patient, and the normalisation that identity matching relies on.
 */
import { Option, Schema } from "effect"
import { ClinicId, PatientId } from "./Ids.ts"

/** An E.164 phone number: `+`, country code, subscriber number; 15 digits at most. */
export const E164 = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^\+[1-9]\d{6,14}$/, { message: "a mobile number in E.164 form, e.g. +14165550100" })
  ),
  Schema.brand("E164")
)
export type E164 = typeof E164.Type

/** A case-folded, trimmed email address. */
export const EmailAddress = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: "an email address, e.g. name@example.org" })
  ),
  Schema.brand("EmailAddress")
)
export type EmailAddress = typeof EmailAddress.Type

/** How a patient wants to be notified. */
export const NotificationPreference = Schema.Literals(["email", "sms", "both"])
export type NotificationPreference = typeof NotificationPreference.Type

/** A health-card identifier, e.g. `{ idType: "ON-HCN", number: "1234567890", versionCode: "AB" }`. */
export class HealthCardIdentifier extends Schema.Class<HealthCardIdentifier>("HealthCardIdentifier")({
  idType: Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Z0-9-]{2,16}$/))),
  number: Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{4,20}$/))),
  versionCode: Schema.optionalKey(Schema.String.pipe(Schema.check(Schema.isPattern(/^[A-Z]{1,4}$/))))
}) {}

/** A postal address (all free text; the clinic's forms decide what is required). */
export class Address extends Schema.Class<Address>("Address")({
  line1: Schema.String,
  line2: Schema.optionalKey(Schema.String),
  city: Schema.String,
  region: Schema.String,
  postalCode: Schema.String,
  country: Schema.String
}) {}

/** A patient of one clinic, as the portal knows them. */
export class Patient extends Schema.Class<Patient>("Patient")({
  id: PatientId,
  clinicId: ClinicId,
  healthCard: HealthCardIdentifier,
  legalName: Schema.Struct({ given: Schema.String, family: Schema.String }),
  /** ISO calendar date, `YYYY-MM-DD`. */
  dateOfBirth: Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/))),
  email: Schema.optionalKey(EmailAddress),
  mobile: Schema.optionalKey(E164),
  notificationPreference: NotificationPreference,
  address: Schema.optionalKey(Address),
  language: Schema.Literals(["en", "fr"])
}) {}

/** What a person types to identify their health card, before normalisation. */
export interface HealthCardInput {
  readonly idType: string
  readonly number: string
  readonly versionCode?: string | undefined
}

/** The normalised identity key of a health card: type and digits. The version code is not part of it. */
export interface HealthCardKey {
  readonly idType: string
  readonly number: string
}

/**
 * Normalises a typed health card: trims and upper-cases the type, keeps only the digits of
 * the number. The version code changes each time a card is reissued, so it never takes
 * part in matching: a patient with a new card can still log in.
 */
export const normalizeHealthCard = (input: HealthCardInput): HealthCardKey => ({
  idType: input.idType.trim().toUpperCase(),
  number: input.number.replace(/\D/g, "")
})

/** Trims and case-folds an email address. */
export const normalizeEmail = (input: string): string => input.trim().toLowerCase()

/**
 * Normalises a phone number to E.164: keeps a leading `+` (or `00`) and the digits. A number
 * typed without a country code takes `defaultCountryCode`: for `1`, the North American plan,
 * only a 10-digit number or `1` + 10 digits is read as national, so a short or over-long
 * number is refused rather than guessed at; for other plans a leading trunk `0` is dropped.
 * Returns `None` when the result is not a plausible E.164 number.
 */
export const normalizePhone = (input: string, defaultCountryCode = "1"): Option.Option<E164> => {
  const trimmed = input.trim()
  if (!/^[+\d\s().\-/]+$/.test(trimmed)) return Option.none()
  const digits = trimmed.replace(/\D/g, "")
  let e164: string | undefined
  if (trimmed.startsWith("+")) e164 = `+${digits}`
  else if (trimmed.startsWith("00")) e164 = `+${digits.slice(2)}`
  else if (defaultCountryCode === "1") {
    if (digits.length === 10) e164 = `+1${digits}`
    else if (digits.length === 11 && digits.startsWith("1")) e164 = `+${digits}`
  } else e164 = `+${defaultCountryCode}${digits.replace(/^0/, "")}`
  return e164 !== undefined && Schema.is(E164)(e164) ? Option.some(e164 as E164) : Option.none()
}

/** A contact as typed at login: an email address or a phone number. */
export type ContactKey =
  | { readonly channel: "email"; readonly value: string }
  | { readonly channel: "sms"; readonly value: E164 }

/**
 * Reads a typed contact: anything with an `@` is an email address (case-folded), anything
 * else a phone number (E.164). `None` when it is neither.
 */
export const normalizeContact = (input: string, defaultCountryCode = "1"): Option.Option<ContactKey> => {
  if (input.includes("@")) {
    const email = normalizeEmail(input)
    return Schema.is(EmailAddress)(email) ? Option.some({ channel: "email", value: email }) : Option.none()
  }
  return Option.map(normalizePhone(input, defaultCountryCode), (value) => ({
    channel: "sms" as const,
    value
  }))
}

/** Whether `contact` is this patient's email or mobile, after normalisation on both sides. */
export const patientHasContact = (patient: Patient, contact: ContactKey): boolean =>
  contact.channel === "email"
    ? patient.email !== undefined && normalizeEmail(patient.email) === contact.value
    : patient.mobile !== undefined && patient.mobile === contact.value

/** Whether a typed date of birth is this patient's (trimmed, exact ISO date). */
export const dateOfBirthMatches = (patient: Patient, dateOfBirth: string): boolean =>
  patient.dateOfBirth === dateOfBirth.trim()
