/**
 * Passcodes: what was issued, to whom, for what, and its state. Never the code itself,
 * only its HMAC.
 */
import { Schema } from "effect"
import { ChallengeId, ClinicId, PasscodeId, PatientId } from "./Ids.ts"

/** What a passcode lets its holder do. */
export const PasscodePurpose = Schema.Literals(["login-otp", "quick-link", "upload-link", "contact-verify"])
export type PasscodePurpose = typeof PasscodePurpose.Type

/** The purposes that travel in a notification link and are opened with a date of birth. */
export const LinkPurpose = Schema.Literals(["quick-link", "upload-link"])
export type LinkPurpose = typeof LinkPurpose.Type

/** The kinds of record a link passcode opens. */
export const ResourceKind = Schema.Literals(["message", "upload-request", "contact"])
export type ResourceKind = typeof ResourceKind.Type

/** A record a passcode is bound to besides its patient (a message, an upload request, a new contact). */
export class ResourceRef extends Schema.Class<ResourceRef>("ResourceRef")({
  kind: ResourceKind,
  id: Schema.String
}) {}

/**
 * Whom and what a passcode is for. `patientId` is null only for the decoy challenge that
 * start-login creates when the identity did not match, so that its answer looks the same.
 */
export class PasscodeTarget extends Schema.Class<PasscodeTarget>("PasscodeTarget")({
  patientId: Schema.NullOr(PatientId),
  resource: Schema.optionalKey(ResourceRef),
  /** For a decoy: a key standing in for the unmatched identity, so resend limits apply to it too. */
  decoyKey: Schema.optionalKey(Schema.String)
}) {}

/** The key that "same purpose and target" compares: supersession and send limits use it. */
export const targetKey = (purpose: PasscodePurpose, target: PasscodeTarget): string =>
  [
    purpose,
    target.patientId ?? `decoy:${target.decoyKey ?? ""}`,
    target.resource ? `${target.resource.kind}:${target.resource.id}` : ""
  ].join("|")

/** The channels a code was sent on. */
export const DeliveryChannel = Schema.Literals(["email", "sms", "both"])
export type DeliveryChannel = typeof DeliveryChannel.Type

/** An HMAC-SHA-256 of a code under the server secret, base64url. */
export const CodeHash = Schema.String.pipe(Schema.brand("CodeHash"))
export type CodeHash = typeof CodeHash.Type

/**
 * One issued passcode. A resend issues a new one under the same `challengeId`, carrying over
 * the wrong entries already made, so resending never buys more guesses.
 */
export class Passcode extends Schema.Class<Passcode>("Passcode")({
  id: PasscodeId,
  challengeId: ChallengeId,
  clinicId: ClinicId,
  purpose: PasscodePurpose,
  target: PasscodeTarget,
  channel: DeliveryChannel,
  codeHash: CodeHash,
  issuedAt: Schema.DateTimeUtc,
  expiresAt: Schema.DateTimeUtc,
  failedAttempts: Schema.Int,
  consumedAt: Schema.NullOr(Schema.DateTimeUtc),
  supersededAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** What the state of a passcode is at a given time, in the order the rules check them. */
export type PasscodeState = "active" | "used" | "superseded" | "locked" | "expired"
