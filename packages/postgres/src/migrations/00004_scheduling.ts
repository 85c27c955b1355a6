/**
 * Providers with their weekly hours, appointment types, blocked periods and appointments.
 * Each table is keyed by clinic (the clinic id leads the primary key); `position` columns
 * record insertion order, which ties in the ports' lists follow (a re-save keeps its place).
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // The exclusion constraint below compares provider ids (text) with `=` in a GiST index,
  // which needs btree_gist. It goes into `public`, not the first schema of the search path:
  // an extension belongs to one schema, and a schema dropped later (a tenant's, a test run's)
  // would take the extension with it, and every other schema's constraint too. Migrations run
  // in one transaction; the lock keeps two migrating processes from creating it at once.
  yield* sql`SELECT true AS locked FROM pg_advisory_xact_lock(hashtext('careportal:create-extension'))`
  yield* sql`CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public`

  yield* sql`
    CREATE TABLE providers (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      name text NOT NULL,
      weekly_hours jsonb NOT NULL,
      meeting_url text,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX providers_id ON providers (id)`
  yield* sql`CREATE INDEX providers_clinic ON providers (clinic_id, position)`

  yield* sql`
    CREATE TABLE appointment_types (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      name text NOT NULL,
      mode text NOT NULL CHECK (mode IN ('in-person', 'virtual')),
      duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
      patient_booking text NOT NULL CHECK (patient_booking IN ('book', 'request')),
      questionnaire_ids jsonb NOT NULL,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX appointment_types_id ON appointment_types (id)`
  yield* sql`CREATE INDEX appointment_types_clinic ON appointment_types (clinic_id, position)`

  // A blocked period names only its provider; it belongs to the provider's clinic.
  yield* sql`
    CREATE TABLE blocked_periods (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      provider_id text NOT NULL,
      start_at timestamptz NOT NULL,
      end_at timestamptz NOT NULL,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX blocked_periods_id ON blocked_periods (id)`
  yield* sql`CREATE INDEX blocked_periods_provider ON blocked_periods (provider_id, start_at)`

  // No double booking: two active appointments of one provider never overlap, whoever writes
  // them and however concurrently. The range is half-open, so back-to-back slots do not clash.
  // The clinic takes part so the constraint still holds on a cluster distributed by clinic (a
  // provider belongs to one clinic, so it excludes nothing more).
  yield* sql`
    CREATE TABLE appointments (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      patient_id text NOT NULL,
      provider_id text NOT NULL,
      type_id text NOT NULL,
      mode text NOT NULL CHECK (mode IN ('in-person', 'virtual')),
      start_at timestamptz NOT NULL,
      end_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('requested', 'booked', 'cancelled', 'completed')),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (clinic_id, id),
      CONSTRAINT appointments_start_before_end CHECK (start_at < end_at),
      CONSTRAINT appointments_no_double_booking EXCLUDE USING gist (
        clinic_id WITH =,
        provider_id WITH =,
        tstzrange(start_at, end_at, '[)') WITH &&
      ) WHERE (status IN ('requested', 'booked'))
    )
  `
  yield* sql`CREATE INDEX appointments_id ON appointments (id)`
  // A provider's diary (availability, blocked-period conflicts).
  yield* sql`CREATE INDEX appointments_provider ON appointments (provider_id, start_at)`
  yield* sql`CREATE INDEX appointments_patient ON appointments (patient_id, start_at)`
  yield* sql`CREATE INDEX appointments_clinic ON appointments (clinic_id, start_at)`
})
