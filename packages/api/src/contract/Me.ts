/**
 * The caller's demographics: read, change address, notification preference and language, and
 * change email or mobile (a code goes to the new contact, and can be sent again; entering it
 * makes the change).
 */

import { Authentication, Demographics, DemographicsErrors, Ids, Patient } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import {
  docs,
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
    }).annotateMerge(
      docs(
        "Read the caller's demographics",
        "Name, date of birth, health card (the number masked to its last three digits), email, " +
          "mobile, address, notification preference and language, as the clinic holds them."
      )
    ),
    HttpApiEndpoint.patch("update", "/v1/me", {
      payload: DemographicsUpdate,
      success: Demographics.PatientDemographics,
      error: [NotFound, AddressInvalid, PreferenceNeedsContact]
    }).annotateMerge(
      docs(
        "Change the caller's address, notification preference or language",
        "A field left out stays as it is. Answers the demographics after the change; each change is " +
          "filed into the chart. Email and mobile change through `POST /v1/me/contacts` instead.",
        "The address is trimmed and checked, and its postal code formatted: a field that is " +
          "empty, too long or implausible answers 400 `AddressInvalid`, `problems` naming each. A " +
          "preference that needs a contact not on file (`sms` without a mobile, say) answers 409 " +
          "`PreferenceNeedsContact`: add and confirm that contact first. A refusal changes nothing."
      )
    ),
    // Both send a code to an address the patient typed: per-address limited, with the resends.
    HttpApiEndpoint.post("changeContact", "/v1/me/contacts", {
      payload: ContactChange,
      success: Authentication.CodeSent.pipe(HttpApiSchema.status(202)),
      error: [NotFound, ContactInvalid, ContactUnchanged, ResendLimitReached]
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          "Start a change of email or mobile: send a code to the new contact",
          "Takes `{ email }` or `{ mobile }` and answers 202 `{ challengeId, expiresAt }`. Nothing " +
            "changes until the code is entered with `POST /v1/me/contacts/verify`.",
          "A contact that cannot be read answers 400 `ContactInvalid`; the one already on file, 409 " +
            "`ContactUnchanged`; too many codes to that contact within 24 hours, 429 " +
            "`ResendLimitReached`. Rate-limited per client address with the resends (429 " +
            "`RateLimited`)."
        )
      ),
    HttpApiEndpoint.post("resendContactCode", "/v1/me/contacts/:challengeId/resend", {
      params: { challengeId: Ids.ChallengeId },
      success: Authentication.CodeSent,
      error: [ContactChangeNotFound, ...resendFailures]
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          "Send the contact-change code again",
          "A new code to the same new contact; the older one stops working. A challenge that is not " +
            "one of the caller's pending changes answers 404 `ContactChangeNotFound`. Cooldown and " +
            "daily cap as for a login code (429 `ResendTooSoon`, `ResendLimitReached`); a locked, " +
            "used or replaced code cannot be resent: start the change again. Rate-limited per client " +
            "address (429 `RateLimited`)."
        )
      ),
    HttpApiEndpoint.post("verifyContact", "/v1/me/contacts/verify", {
      payload: Schema.Struct({ challengeId: Ids.ChallengeId, code: Schema.String }),
      success: Demographics.PatientDemographics,
      error: [ContactChangeNotFound, ...passcodeFailures]
    }).annotateMerge(
      docs(
        "Enter the contact-change code and make the change",
        "The new email or mobile replaces the old one and becomes a login contact. The patient's " +
          "other sessions end, their pending login codes and notification links stop working, and " +
          "the contact being replaced, if any, is told (never the new value). Answers the " +
          "demographics after the change.",
        "A wrong, locked, expired, used or replaced code answers as a login code does: 401 " +
          "`PasscodeInvalid` with `attemptsLeft`, 423, 410, 409, or 429 `TooManyAttempts`; a challenge that is not one " +
          "of the caller's pending changes, 404 `ContactChangeNotFound`."
      )
    )
  )
  .middleware(PatientAuth)
  .annotate(
    OpenApi.Description,
    "The signed-in patient's own record: demographics, notification preference and language, and " +
      "a change of email or mobile confirmed by a code sent to the new contact. Patient session " +
      "required (`sessionToken` or `sessionCookie`)."
  ) {}
