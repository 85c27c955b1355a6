/**
 * The care records: chart entries, questionnaire definitions, pre-visit tasks with their
 * responses, and virtual-visit codes. Each table is keyed by clinic (the clinic id leads the
 * primary key); `position` columns record insertion order, which the ports' "in creation
 * order" / "newest first" lists follow (timestamps tie: many records share one instant).
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // `content` is `json`, not `jsonb`: the chart keeps what was filed exactly as it was filed
  // (jsonb would reorder its keys and merge duplicates).
  yield* sql`
    CREATE TABLE chart_entries (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      patient_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('questionnaire-response', 'photo', 'demographics-change')),
      source_kind text NOT NULL CHECK (source_kind IN ('patient', 'staff', 'system', 'anonymous')),
      source_id text,
      origin text NOT NULL,
      content json NOT NULL,
      filed_at timestamptz NOT NULL,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX chart_entries_id ON chart_entries (id)`
  // A patient's chart, newest filed first.
  yield* sql`CREATE INDEX chart_entries_patient ON chart_entries (patient_id, position)`

  yield* sql`
    CREATE TABLE questionnaires (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      title text NOT NULL,
      items jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE INDEX questionnaires_id ON questionnaires (id)`
  yield* sql`CREATE INDEX questionnaires_clinic ON questionnaires (clinic_id, position)`

  yield* sql`
    CREATE TABLE pre_visit_tasks (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      patient_id text NOT NULL,
      appointment_id text NOT NULL,
      questionnaire_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
      created_at timestamptz NOT NULL,
      completed_at timestamptz,
      cancelled_at timestamptz,
      PRIMARY KEY (clinic_id, id)
    )
  `
  // At most one task per questionnaire and appointment, whatever its status: concurrent
  // bookings' `addTasks` meet here (ON CONFLICT DO NOTHING), not in a check before insert.
  // An appointment belongs to one clinic, so leading with the clinic loses nothing.
  yield* sql`
    CREATE UNIQUE INDEX pre_visit_tasks_one_per_questionnaire
    ON pre_visit_tasks (clinic_id, appointment_id, questionnaire_id)
  `
  yield* sql`CREATE INDEX pre_visit_tasks_id ON pre_visit_tasks (id)`
  yield* sql`CREATE INDEX pre_visit_tasks_appointment ON pre_visit_tasks (appointment_id, position)`

  // One response per task: the task's conditional completion decides, this key backs it up.
  yield* sql`
    CREATE TABLE questionnaire_responses (
      clinic_id text NOT NULL,
      task_id text NOT NULL,
      questionnaire_id text NOT NULL,
      appointment_id text NOT NULL,
      patient_id text NOT NULL,
      answers jsonb NOT NULL,
      authored_at timestamptz NOT NULL,
      chart_entry_id text NOT NULL,
      PRIMARY KEY (clinic_id, task_id)
    )
  `
  yield* sql`CREATE INDEX questionnaire_responses_task ON questionnaire_responses (task_id)`

  // A code is stored only as its HMAC, looked up by it before its clinic is known, so the
  // hash is unique across clinics. (On a sharded cluster this unique index would have to
  // include clinic_id, or move to a reference table from hash to clinic.)
  yield* sql`
    CREATE TABLE visit_codes (
      clinic_id text NOT NULL,
      id text NOT NULL,
      position bigint GENERATED ALWAYS AS IDENTITY,
      appointment_id text NOT NULL,
      patient_id text NOT NULL,
      code_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'superseded', 'revoked')),
      issued_at timestamptz NOT NULL,
      ended_at timestamptz,
      PRIMARY KEY (clinic_id, id)
    )
  `
  yield* sql`CREATE UNIQUE INDEX visit_codes_hash ON visit_codes (code_hash)`
  // The last line of defence behind the per-appointment lock that `issue` and `revoke` take.
  yield* sql`
    CREATE UNIQUE INDEX visit_codes_one_active ON visit_codes (clinic_id, appointment_id)
    WHERE status = 'active'
  `
  yield* sql`CREATE INDEX visit_codes_appointment ON visit_codes (appointment_id, position)`
})
