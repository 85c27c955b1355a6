/**
 * Secure messages: the clinic writes to a patient, the patient reads and, where the clinic
 * allows it, replies. Every message and reply belongs to one clinic and one patient.
 */
import { Schema } from "effect"
import { ClinicId, MessageId, PatientId, StaffId } from "./Ids.ts"

/** One reply of a patient to a message. */
export const MessageReplyId = Schema.String.pipe(Schema.brand("MessageReplyId"))
export type MessageReplyId = typeof MessageReplyId.Type

/** The longest subject a message may have, in characters (Unicode code points). */
export const MAX_SUBJECT_LENGTH = 200

/** The longest body a message or a reply may have, in characters (Unicode code points). */
export const MAX_BODY_LENGTH = 10_000

/** A message from the clinic's staff to a patient. */
export class Message extends Schema.Class<Message>("Message")({
  id: MessageId,
  clinicId: ClinicId,
  patientId: PatientId,
  /** The staff member who sent it. */
  senderId: StaffId,
  subject: Schema.String,
  body: Schema.String,
  /** Whether the patient may answer it. */
  replyAllowed: Schema.Boolean,
  sentAt: Schema.DateTimeUtc,
  /** When the patient first opened it; null while unread. */
  readAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** A patient's answer to one message. */
export class MessageReply extends Schema.Class<MessageReply>("MessageReply")({
  id: MessageReplyId,
  clinicId: ClinicId,
  patientId: PatientId,
  /** The message it answers. */
  messageId: MessageId,
  body: Schema.String,
  sentAt: Schema.DateTimeUtc
}) {}

/** A message with its replies, oldest reply first: what the patient reads and staff review. */
export class MessageThread extends Schema.Class<MessageThread>("MessageThread")({
  message: Message,
  replies: Schema.Array(MessageReply)
}) {}

/**
 * One page of a patient's messages, newest first. `nextCursor` fetches the next (older) page;
 * it is null on the last page.
 */
export class MessagePage extends Schema.Class<MessagePage>("MessagePage")({
  messages: Schema.Array(Message),
  nextCursor: Schema.NullOr(Schema.String)
}) {}

/** Which text of a message or reply failed validation. */
export const MessageTextField = Schema.Literals(["subject", "body"])
export type MessageTextField = typeof MessageTextField.Type

/** A subject or body is empty (only blanks) or too long. */
export class MessageTextInvalid extends Schema.TaggedError<MessageTextInvalid>()("MessageTextInvalid", {
  field: MessageTextField,
  problem: Schema.Literals(["empty", "too-long"]),
  maxLength: Schema.Int,
  /** The length given, in characters. */
  length: Schema.Int
}) {
  override get message() {
    return this.problem === "empty"
      ? `The ${this.field} is empty. Write something before sending.`
      : `The ${this.field} is too long: ${this.length} characters, at most ${this.maxLength}. Shorten it and send again.`
  }
}

/** The clinic does not take replies to this message. */
export class ReplyNotAllowed extends Schema.TaggedError<ReplyNotAllowed>()("ReplyNotAllowed", {
  messageId: MessageId
}) {
  override get message() {
    return "The clinic does not take replies to this message. To reach the clinic, call it or use another message that allows replies."
  }
}

/** A page cursor that this service did not hand out (altered, truncated or from another listing). */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {}) {
  override get message() {
    return "This page link is not valid. Reload the list from its first page."
  }
}

/** A page size outside what the listing serves. */
export class InvalidPageSize extends Schema.TaggedError<InvalidPageSize>()("InvalidPageSize", {
  limit: Schema.Number,
  max: Schema.Int
}) {
  override get message() {
    return `A page holds 1 to ${this.max} entries; ${this.limit} was asked for. Ask for a whole number in that range.`
  }
}

/** Characters in a text as a person counts them (Unicode code points, not UTF-16 units). */
export const textLength = (text: string): number => Array.from(text).length

/** Checks a subject or body: not blank, at most `maxLength` characters. */
export const checkText = (
  field: MessageTextField,
  text: string,
  maxLength: number
): MessageTextInvalid | undefined => {
  const length = textLength(text)
  if (text.trim().length === 0) return new MessageTextInvalid({ field, problem: "empty", maxLength, length })
  if (length > maxLength) return new MessageTextInvalid({ field, problem: "too-long", maxLength, length })
  return undefined
}
