/**
 * Clinics and patients. Every table is keyed by clinic (the clinic id leads each primary key)
 * so the schema can be distributed on clinic id (e.g. Citus) without changing queries.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE clinics (
      id text PRIMARY KEY,
      slug text NOT NULL UNIQUE,
      name text NOT NULL,
      time_zone text NOT NULL,
      languages jsonb NOT NULL,
      portal_url text NOT NULL
    )
  `
  yield* sql`
    CREATE TABLE patients (
      clinic_id text NOT NULL,
      id text NOT NULL,
      card_id_type text NOT NULL,
      card_number text NOT NULL,
      card_version_code text,
      given_name text NOT NULL,
      family_name text NOT NULL,
      date_of_birth date NOT NULL,
      email text,
      mobile text,
      notification_preference text NOT NULL CHECK (notification_preference IN ('email', 'sms', 'both')),
      address jsonb,
      language text NOT NULL CHECK (language IN ('en', 'fr')),
      PRIMARY KEY (clinic_id, id)
    )
  `
  // Login looks a patient up by the normalised card: type upper-cased, number digits only.
  yield* sql`CREATE UNIQUE INDEX patients_card ON patients (clinic_id, card_id_type, card_number)`
  yield* sql`CREATE INDEX patients_id ON patients (id)`
})
