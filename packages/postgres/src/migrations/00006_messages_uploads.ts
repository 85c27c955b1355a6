/**
 * Secure messages with their replies, upload requests, and uploaded files. Message and
 * upload-request ids are `COLLATE "C"`: listings break ties by id in code-point order, as the
 * domain does, whatever the database's default collation.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  yield* sql`
    CREATE TABLE messages (
      clinic_id text NOT NULL,
      id text COLLATE "C" NOT NULL,
      patient_id text NOT NULL,
      sender_id text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      reply_allowed boolean NOT NULL,
      sent_at timestamptz NOT NULL,
      read_at timestamptz,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX messages_id ON messages (id)`
  // A patient's messages paged newest first by (sent_at, id): the keyset walks this index.
  yield* sql`CREATE INDEX messages_patient ON messages (clinic_id, patient_id, sent_at DESC, id DESC)`

  yield* sql`
    CREATE TABLE message_replies (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      patient_id text NOT NULL,
      message_id text NOT NULL,
      body text NOT NULL,
      sent_at timestamptz NOT NULL,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX message_replies_message ON message_replies (message_id, position)`

  yield* sql`
    CREATE TABLE upload_requests (
      clinic_id text NOT NULL,
      id text COLLATE "C" NOT NULL,
      patient_id text NOT NULL,
      requested_by text NOT NULL,
      note text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      chart_entry_id text,
      cancelled_at timestamptz,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX upload_requests_id ON upload_requests (id)`
  yield* sql`
    CREATE INDEX upload_requests_patient ON upload_requests (clinic_id, patient_id, created_at DESC, id DESC)
  `

  // Keyed by id alone: the FileStore port names no clinic (a chart entry refers to its file).
  yield* sql`
    CREATE TABLE files (
      id text PRIMARY KEY,
      content_type text NOT NULL,
      bytes bytea NOT NULL
    )
  `
  // Photos are compressed already: store them out of line without trying to compress them again.
  yield* sql`ALTER TABLE files ALTER COLUMN bytes SET STORAGE EXTERNAL`
})
