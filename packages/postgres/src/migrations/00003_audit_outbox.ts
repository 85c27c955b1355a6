/**
 * Sessions, the audit chain and the outbox. Each table is keyed by clinic (the clinic id leads
 * the primary key); `position` columns record insertion order, which the ports' "in the order
 * recorded" lists follow.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // Only the SHA-256 of a session token is stored.
  yield* sql`
    CREATE TABLE sessions (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      patient_id text NOT NULL,
      token_hash text NOT NULL,
      origin text NOT NULL CHECK (origin IN ('login', 'quick-link', 'upload-link')),
      stay_logged_in boolean NOT NULL,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      PRIMARY KEY (clinic_id, id)
    )
  `
  // Every request authenticates by token hash. (On a sharded cluster this unique index would
  // have to include clinic_id; the port looks sessions up by hash alone.)
  yield* sql`CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash)`
  yield* sql`CREATE INDEX sessions_id ON sessions (id)`
  // A patient's live sessions: the session list and "end all other sessions".
  yield* sql`CREATE INDEX sessions_patient_live ON sessions (patient_id, position) WHERE revoked_at IS NULL`

  // The chain is one sequence per clinic; the primary key (clinic_id, sequence) is the second
  // line of defence against a fork, after the per-clinic advisory lock the appender takes.
  yield* sql`
    CREATE TABLE audit_events (
      clinic_id text NOT NULL,
      sequence integer NOT NULL CHECK (sequence >= 1),
      position bigint GENERATED ALWAYS AS IDENTITY,
      id text NOT NULL,
      actor_kind text NOT NULL CHECK (actor_kind IN ('patient', 'staff', 'system', 'anonymous')),
      actor_id text,
      action text NOT NULL,
      patient_id text,
      resource text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
      reason text,
      at timestamptz NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      CONSTRAINT audit_events_clinic_sequence PRIMARY KEY (clinic_id, sequence)
    )
  `
  yield* sql`CREATE INDEX audit_events_patient ON audit_events (clinic_id, patient_id, sequence)`
  yield* sql`CREATE INDEX audit_events_position ON audit_events (position)`

  // "to" is a reserved word: the address is `recipient`.
  yield* sql`
    CREATE TABLE outbox (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      patient_id text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('email', 'sms')),
      recipient text NOT NULL,
      language text NOT NULL CHECK (language IN ('en', 'fr')),
      template text NOT NULL,
      payload jsonb NOT NULL,
      idempotency_key text NOT NULL,
      group_key text,
      status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'withdrawn')),
      attempts integer NOT NULL,
      not_before timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      claimed_until timestamptz,
      PRIMARY KEY (clinic_id, id)
    )
  `
  // The dispatchers' claim: pending rows by due time (ties in enqueue order).
  yield* sql`CREATE INDEX outbox_due ON outbox (status, not_before, position)`
  yield* sql`CREATE INDEX outbox_group ON outbox (group_key) WHERE group_key IS NOT NULL`
  yield* sql`CREATE INDEX outbox_patient ON outbox (clinic_id, patient_id)`
  yield* sql`CREATE INDEX outbox_position ON outbox (position)`
})
