/**
 * Branded identifiers. An id of one kind cannot be passed where another is expected.
 */
import { Schema } from "effect"

/** A clinic: every record belongs to exactly one. */
export const ClinicId = Schema.String.pipe(Schema.brand("ClinicId"))
export type ClinicId = typeof ClinicId.Type

/** A patient of one clinic. */
export const PatientId = Schema.String.pipe(Schema.brand("PatientId"))
export type PatientId = typeof PatientId.Type

/** One issued passcode (a resend issues a new one under the same challenge). */
export const PasscodeId = Schema.String.pipe(Schema.brand("PasscodeId"))
export type PasscodeId = typeof PasscodeId.Type

/**
 * The handle a person holds while entering a code: the login challenge id, or the link id
 * in a notification link. It stays the same across resends.
 */
export const ChallengeId = Schema.String.pipe(Schema.brand("ChallengeId"))
export type ChallengeId = typeof ChallengeId.Type

/** A session's public id (listing and ending sessions); never the bearer token. */
export const SessionId = Schema.String.pipe(Schema.brand("SessionId"))
export type SessionId = typeof SessionId.Type

/** One audit event. */
export const AuditEventId = Schema.String.pipe(Schema.brand("AuditEventId"))
export type AuditEventId = typeof AuditEventId.Type

/** One outbox notification. */
export const NotificationId = Schema.String.pipe(Schema.brand("NotificationId"))
export type NotificationId = typeof NotificationId.Type
