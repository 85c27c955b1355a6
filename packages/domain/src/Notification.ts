/**
 * Outbox notifications: what is to be sent, to whom, on which channel, and when. The payload
 * carries no health detail: only ids, times and, for a code, the code sealed (encrypted) so
 * that it is opened only to render the message.
 */
import { Schema } from "effect"
import { ChallengeId, ClinicId, NotificationId, PatientId } from "./Ids.ts"
import { PasscodePurpose, ResourceKind } from "./Passcode.ts"

/** A code encrypted under the server's sealing key (AES-256-GCM), base64url of nonce ‖ ciphertext. */
export const SealedCode = Schema.String.pipe(Schema.brand("SealedCode"))
export type SealedCode = typeof SealedCode.Type

/** The templates the notification layer renders: the kind of event, nothing more. */
export const NotificationTemplate = Schema.Literals([
  "login-code",
  "link-code",
  "contact-verify-code",
  "appointment-requested",
  "appointment-booked",
  "appointment-rescheduled",
  "appointment-cancelled",
  "appointment-reminder",
  "virtual-visit-code",
  "contact-changed"
])
export type NotificationTemplate = typeof NotificationTemplate.Type

/**
 * What a template needs. Every field is optional; each template uses its own: a code and its
 * challenge for code messages, a start time for appointment messages, a portal path for the
 * link. Never a name, a reason for a visit, a message body or an answer.
 */
export class NotificationPayload extends Schema.Class<NotificationPayload>("NotificationPayload")({
  purpose: Schema.optionalKey(PasscodePurpose),
  challengeId: Schema.optionalKey(ChallengeId),
  code: Schema.optionalKey(SealedCode),
  /** What `code` is bound to when sealed (the challenge id, or a visit's id). */
  codeContext: Schema.optionalKey(Schema.String),
  expiresAt: Schema.optionalKey(Schema.DateTimeUtc),
  resourceKind: Schema.optionalKey(ResourceKind),
  /** The appointment's start, shown in the clinic's time zone. */
  startsAt: Schema.optionalKey(Schema.DateTimeUtc),
  /** The appointment's end, for the calendar entry an appointment email carries. */
  endsAt: Schema.optionalKey(Schema.DateTimeUtc),
  /** A path under the clinic's portal URL, e.g. `/links/…` or `/appointments/…`. */
  path: Schema.optionalKey(Schema.String),
  /** For `contact-changed`: which contact was replaced. Never its old or new value. */
  contactKind: Schema.optionalKey(Schema.Literals(["email", "mobile"]))
}) {}

/** Where a notification stands. `withdrawn`: cancelled before it was sent (a moved or cancelled visit). */
export const NotificationStatus = Schema.Literals(["pending", "sent", "failed", "dead", "withdrawn"])
export type NotificationStatus = typeof NotificationStatus.Type

/** One notification on one channel. */
export class Notification extends Schema.Class<Notification>("Notification")({
  id: NotificationId,
  clinicId: ClinicId,
  patientId: PatientId,
  channel: Schema.Literals(["email", "sms"]),
  /** The address it goes to: an email address or an E.164 number. */
  to: Schema.String,
  language: Schema.Literals(["en", "fr"]),
  template: NotificationTemplate,
  payload: NotificationPayload,
  /** One per notification and channel; the provider gets it so a retry never sends twice. */
  idempotencyKey: Schema.String,
  /** Notifications withdrawn together share it, e.g. `appointment:…:reminders`. */
  groupKey: Schema.optionalKey(Schema.String),
  status: NotificationStatus,
  attempts: Schema.Int,
  /** Not to be sent before this instant (reminders are queued ahead). */
  notBefore: Schema.DateTimeUtc,
  createdAt: Schema.DateTimeUtc,
  /** A dispatcher's lease: set by `Outbox.claim`, no other dispatcher claims it before then. */
  claimedUntil: Schema.optionalKey(Schema.DateTimeUtc),
  /** Why the last attempt failed (the provider's reason), for staff looking at a retried or dead one. */
  lastError: Schema.optionalKey(Schema.String),
  /** When the provider accepted it. */
  sentAt: Schema.optionalKey(Schema.DateTimeUtc)
}) {}
