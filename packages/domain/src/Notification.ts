/**
 * Outbox notifications: what is to be sent, to whom, on which channel. The payload carries
 * no health detail; a code travels sealed (encrypted) and is opened only to render it.
 */
import { Schema } from "effect"
import { ChallengeId, ClinicId, NotificationId, PatientId } from "./Ids.ts"
import { PasscodePurpose, ResourceKind } from "./Passcode.ts"

/** A code encrypted under the server's sealing key (AES-256-GCM), base64url of nonce ‖ ciphertext. */
export const SealedCode = Schema.String.pipe(Schema.brand("SealedCode"))
export type SealedCode = typeof SealedCode.Type

/** The templates the notification layer renders. */
export const NotificationTemplate = Schema.Literals(["login-code", "link-code", "contact-verify-code"])
export type NotificationTemplate = typeof NotificationTemplate.Type

/** What a template needs: ids, times and a sealed code; nothing about the patient's health. */
export class NotificationPayload extends Schema.Class<NotificationPayload>("NotificationPayload")({
  purpose: PasscodePurpose,
  challengeId: ChallengeId,
  code: SealedCode,
  expiresAt: Schema.DateTimeUtc,
  resourceKind: Schema.optionalKey(ResourceKind)
}) {}

/** One notification on one channel. */
export class Notification extends Schema.Class<Notification>("Notification")({
  id: NotificationId,
  clinicId: ClinicId,
  patientId: PatientId,
  channel: Schema.Literals(["email", "sms"]),
  /** The address it goes to: an email address or an E.164 number. */
  to: Schema.String,
  template: NotificationTemplate,
  payload: NotificationPayload,
  /** One per notification and channel; the provider gets it so a retry never sends twice. */
  idempotencyKey: Schema.String,
  status: Schema.Literals(["pending", "sent", "failed", "dead"]),
  attempts: Schema.Int,
  notBefore: Schema.DateTimeUtc,
  createdAt: Schema.DateTimeUtc
}) {}
