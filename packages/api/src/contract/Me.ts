/**
 * The caller's demographics: read, change address, notification preference and language, and
 * change email or mobile (a code goes to the new contact, and can be sent again; entering it
 * makes the change).
 */

import { Authentication, Demographics, DemographicsErrors, Ids, Patient } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import {
  errorBody,
  NotFound,
  PatientAuth,
  passcodeFailures,
  RateLimit,
  ResendLimitReached,
  resendFailures
} from "./Common.ts"

/** The address was refused; `problems` names each field at fault. */
export const AddressInvalid = errorBody("AddressInvalid", 400, {
  problems: Schema.Array(
    Schema.Struct({
      field: DemographicsErrors.AddressField,
      problem: Schema.Literals(["empty", "too-long", "implausible"])
    })
  )
})
/** The preference needs a contact that is not on file (add and confirm it first). */
export const PreferenceNeedsContact = errorBody("PreferenceNeedsContact", 409, {
  preference: Patient.NotificationPreference,
  missing: Schema.Literals(["email", "mobile"])
})
/** The new email address or mobile number cannot be read. */
export const ContactInvalid = errorBody("ContactInvalid", 400, { channel: Schema.Literals(["email", "sms"]) })
/** The "new" contact is the one on file. */
export const ContactUnchanged = errorBody("ContactUnchanged", 409, {
  channel: Schema.Literals(["email", "sms"])
})
/** No pending contact change of the caller has that id. */
export const ContactChangeNotFound = errorBody("ContactChangeNotFound", 404, {})

/** The error bodies of demographics. */
export type MeError =
  | typeof AddressInvalid.Type
  | typeof PreferenceNeedsContact.Type
  | typeof ContactInvalid.Type
  | typeof ContactUnchanged.Type
  | typeof ContactChangeNotFound.Type

/** An address as typed; the server trims it, checks it and formats the postal code. */
export const AddressInput = Schema.Struct({
  line1: Schema.String,
  line2: Schema.optional(Schema.String),
  city: Schema.String,
  region: Schema.String,
  postalCode: Schema.String,
  country: Schema.String
})

/** What a patient may change directly; a field left out stays as it is. */
export const DemographicsUpdate = Schema.Struct({
  address: Schema.optional(AddressInput),
  notificationPreference: Schema.optional(Patient.NotificationPreference),
  language: Schema.optional(Schema.Literals(["en", "fr"]))
})

/** A new email address or a new mobile number, as typed. */
export const ContactChange = Schema.Union([
  Schema.Struct({ email: Schema.String }),
  Schema.Struct({ mobile: Schema.String })
])

/** The caller's own record. */
export class MeGroup extends HttpApiGroup.make("me")
  .add(
    HttpApiEndpoint.get("read", "/v1/me", {
      success: Demographics.PatientDemographics,
      error: NotFound
    }),
    HttpApiEndpoint.patch("update", "/v1/me", {
      payload: DemographicsUpdate,
      success: Demographics.PatientDemographics,
      error: [NotFound, AddressInvalid, PreferenceNeedsContact]
    }),
    // Both send a code to an address the patient typed: per-address limited, with the resends.
    HttpApiEndpoint.post("changeContact", "/v1/me/contacts", {
      payload: ContactChange,
      success: Authentication.CodeSent.pipe(HttpApiSchema.status(202)),
      error: [NotFound, ContactInvalid, ContactUnchanged, ResendLimitReached]
    }).middleware(RateLimit),
    HttpApiEndpoint.post("resendContactCode", "/v1/me/contacts/:challengeId/resend", {
      params: { challengeId: Ids.ChallengeId },
      success: Authentication.CodeSent,
      error: [ContactChangeNotFound, ...resendFailures]
    }).middleware(RateLimit),
    HttpApiEndpoint.post("verifyContact", "/v1/me/contacts/verify", {
      payload: Schema.Struct({ challengeId: Ids.ChallengeId, code: Schema.String }),
      success: Demographics.PatientDemographics,
      error: [ContactChangeNotFound, ...passcodeFailures]
    })
  )
  .middleware(PatientAuth) {}
