/**
 * `MessageRepo` on PostgreSQL. A patient's messages are paged newest first by the keyset
 * (sent_at, id), ids compared in code-point order (`COLLATE "C"`) as the domain compares
 * them, along the index `messages_patient`; replies list in the order written.
 */

import { type Ids, Message, MessageRepo } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const MessageRow = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  sender_id: Schema.String,
  subject: Schema.String,
  body: Schema.String,
  reply_allowed: Schema.Boolean,
  sent_at: Schema.DateTimeUtcFromDate,
  read_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const ReplyRow = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  message_id: Schema.String,
  body: Schema.String,
  sent_at: Schema.DateTimeUtcFromDate
})

const messages = (rows: ReadonlyArray<unknown>) =>
  decodeRows(MessageRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Message.Message)({
      id: row.id,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      senderId: row.sender_id,
      subject: row.subject,
      body: row.body,
      replyAllowed: row.reply_allowed,
      sentAt: row.sent_at,
      readAt: row.read_at
    })
  )

const replies = (rows: ReadonlyArray<unknown>) =>
  decodeRows(ReplyRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Message.MessageReply)({
      id: row.id,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      messageId: row.message_id,
      body: row.body,
      sentAt: row.sent_at
    })
  )

/**
 * A page size as `Array.slice(0, limit)` reads it: truncated, none for NaN, all for +∞.
 * (A negative size, which the listing never asks for, reads as none.)
 */
const rowLimit = (limit: number): number | null =>
  limit === Number.POSITIVE_INFINITY ? null : Number.isNaN(limit) ? 0 : Math.max(0, Math.trunc(limit))

/** Messages and replies in the `messages` and `message_replies` tables. */
export const layer: Layer.Layer<MessageRepo.MessageRepo, never, SqlClient.SqlClient> = Layer.effect(
  MessageRepo.MessageRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const columns = sql`clinic_id, id, patient_id, sender_id, subject, body, reply_allowed, sent_at, read_at`
    const newestFirst = sql`ORDER BY sent_at DESC, id COLLATE "C" DESC`

    return MessageRepo.MessageRepo.of({
      save: (message) =>
        orDie(
          sql`
            INSERT INTO messages (clinic_id, id, patient_id, sender_id, subject, body, reply_allowed, sent_at, read_at)
            VALUES (${message.clinicId}, ${message.id}, ${message.patientId}, ${message.senderId}, ${message.subject},
              ${message.body}, ${message.replyAllowed}, ${DateTime.toDateUtc(message.sentAt)},
              ${message.readAt === null ? null : DateTime.toDateUtc(message.readAt)})
            ON CONFLICT (clinic_id, id) DO UPDATE SET patient_id = EXCLUDED.patient_id, sender_id = EXCLUDED.sender_id,
              subject = EXCLUDED.subject, body = EXCLUDED.body, reply_allowed = EXCLUDED.reply_allowed,
              sent_at = EXCLUDED.sent_at, read_at = EXCLUDED.read_at
          `.pipe(Effect.asVoid)
        ),
      findById: (id: Ids.MessageId) =>
        orDie(
          sql`SELECT ${columns} FROM messages WHERE id = ${id} LIMIT 1`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(messages(rows)[0]))
          )
        ),
      pageByPatient: (clinicId, patientId, after, limit) =>
        orDie(
          sql`
            SELECT ${columns} FROM messages
            WHERE clinic_id = ${clinicId} AND patient_id = ${patientId}
            ${Option.match(after, {
              onNone: () => sql``,
              onSome: (key) =>
                sql`AND (sent_at, id COLLATE "C") < (${DateTime.toDateUtc(key.sentAt)}, ${key.id} COLLATE "C")`
            })}
            ${newestFirst}
            LIMIT ${rowLimit(limit)}
          `.pipe(Effect.map(messages))
        ),
      listByPatient: (clinicId, patientId) =>
        orDie(
          sql`
            SELECT ${columns} FROM messages WHERE clinic_id = ${clinicId} AND patient_id = ${patientId} ${newestFirst}
          `.pipe(Effect.map(messages))
        ),
      saveReply: (reply) =>
        orDie(
          sql`
            INSERT INTO message_replies (clinic_id, id, patient_id, message_id, body, sent_at)
            VALUES (${reply.clinicId}, ${reply.id}, ${reply.patientId}, ${reply.messageId}, ${reply.body},
              ${DateTime.toDateUtc(reply.sentAt)})
          `.pipe(Effect.asVoid)
        ),
      listReplies: (messageId) =>
        orDie(
          sql`
            SELECT clinic_id, id, patient_id, message_id, body, sent_at FROM message_replies
            WHERE message_id = ${messageId} ORDER BY position
          `.pipe(Effect.map(replies))
        )
    })
  })
)
