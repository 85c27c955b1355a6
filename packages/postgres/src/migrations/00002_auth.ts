/**
 * Passcodes and the wrong entries counted against each patient. A code is stored only as its
 * HMAC. `position` records issue order: "newest" and "oldest first" follow it, as the domain's
 * store does (many codes can share one instant).
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // `target_key` is the domain's `targetKey(purpose, target)`: "same purpose and target" is
  // one equality, for supersession and send limits alike.
  yield* sql`
    CREATE TABLE passcodes (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      challenge_id text NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('login-otp', 'quick-link', 'upload-link', 'contact-verify')),
      target_key text NOT NULL,
      patient_id text,
      resource_kind text CHECK (resource_kind IN ('message', 'upload-request', 'contact')),
      resource_id text,
      decoy_key text,
      channel text NOT NULL CHECK (channel IN ('email', 'sms', 'both')),
      code_hash text NOT NULL,
      issued_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      failed_attempts integer NOT NULL CHECK (failed_attempts >= 0),
      consumed_at timestamptz,
      superseded_at timestamptz,
      PRIMARY KEY (clinic_id, id),
      CHECK ((resource_kind IS NULL) = (resource_id IS NULL))
    )
  `
  // A challenge's newest code: every verification, resend and link lookup.
  yield* sql`CREATE INDEX passcodes_challenge ON passcodes (challenge_id, position DESC)`
  // The recent codes of a purpose and target (send limits, supersession).
  yield* sql`CREATE INDEX passcodes_target ON passcodes (target_key, issued_at)`
  // The newest code of a purpose and target (e.g. an upload request's link).
  yield* sql`CREATE INDEX passcodes_target_newest ON passcodes (target_key, position DESC)`
  // A patient's live codes, retired together when a login contact changes.
  yield* sql`
    CREATE INDEX passcodes_patient_live ON passcodes (patient_id, purpose)
    WHERE consumed_at IS NULL AND superseded_at IS NULL
  `

  // One row per wrong entry of a patient, across all their challenges (the hourly throttle).
  yield* sql`
    CREATE TABLE passcode_failures (
      clinic_id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      patient_id text NOT NULL,
      passcode_id text NOT NULL,
      at timestamptz NOT NULL,
      PRIMARY KEY (clinic_id, position)
    )
  `
  yield* sql`CREATE INDEX passcode_failures_patient ON passcode_failures (patient_id, at)`
})
