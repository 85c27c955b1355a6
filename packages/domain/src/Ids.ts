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

/** A member of a clinic's staff. */
export const StaffId = Schema.String.pipe(Schema.brand("StaffId"))
export type StaffId = typeof StaffId.Type

/** A message in a patient's thread. */
export const MessageId = Schema.String.pipe(Schema.brand("MessageId"))
export type MessageId = typeof MessageId.Type

/** A provider (physician, nurse practitioner, …) whose schedule patients book into. */
export const ProviderId = Schema.String.pipe(Schema.brand("ProviderId"))
export type ProviderId = typeof ProviderId.Type

/** A kind of appointment a clinic offers. */
export const AppointmentTypeId = Schema.String.pipe(Schema.brand("AppointmentTypeId"))
export type AppointmentTypeId = typeof AppointmentTypeId.Type

/** An appointment. */
export const AppointmentId = Schema.String.pipe(Schema.brand("AppointmentId"))
export type AppointmentId = typeof AppointmentId.Type

/** A period in which a provider takes no appointments. */
export const BlockedPeriodId = Schema.String.pipe(Schema.brand("BlockedPeriodId"))
export type BlockedPeriodId = typeof BlockedPeriodId.Type

/** A questionnaire definition. */
export const QuestionnaireId = Schema.String.pipe(Schema.brand("QuestionnaireId"))
export type QuestionnaireId = typeof QuestionnaireId.Type

/** A pre-visit task (one questionnaire to complete for one appointment). */
export const TaskId = Schema.String.pipe(Schema.brand("TaskId"))
export type TaskId = typeof TaskId.Type

/** An entry in a patient's chart. */
export const ChartEntryId = Schema.String.pipe(Schema.brand("ChartEntryId"))
export type ChartEntryId = typeof ChartEntryId.Type

/** A staff request that a patient upload a photo. */
export const UploadRequestId = Schema.String.pipe(Schema.brand("UploadRequestId"))
export type UploadRequestId = typeof UploadRequestId.Type

/** A stored file. */
export const FileId = Schema.String.pipe(Schema.brand("FileId"))
export type FileId = typeof FileId.Type

/** A clinic API key (a random uuid); never the key text itself. */
export const ApiKeyId = Schema.String.pipe(Schema.brand("ApiKeyId"))
export type ApiKeyId = typeof ApiKeyId.Type
