/**
 * `AppointmentRepo` on PostgreSQL. No double booking is the table's exclusion constraint
 * (`appointments_no_double_booking`: one provider, overlapping half-open ranges, active
 * statuses), not a check before the write, so it holds however many processes book at once;
 * its violation answers `SlotTaken`. A patient's and a provider's lists are by start time,
 * ties in insertion order (a re-save keeps its place); the clinic's list comes in pages by start
 * then id (`id COLLATE "C"`, code-point order), walking the index `appointments_clinic_listing`
 * (migration 00010), as the in-memory repository's do.
 */
import { Appointment, AppointmentRepo, CareErrors, type Ids } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  provider_id: Schema.String,
  type_id: Schema.String,
  mode: Schema.String,
  start_at: Schema.DateTimeUtcFromDate,
  end_at: Schema.DateTimeUtcFromDate,
  status: Schema.String,
  created_at: Schema.DateTimeUtcFromDate,
  updated_at: Schema.DateTimeUtcFromDate
})

const appointments = (rows: ReadonlyArray<unknown>) =>
  decodeRows(Row)(rows).map((row) =>
    Schema.decodeUnknownSync(Appointment.Appointment)({
      id: row.id,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      providerId: row.provider_id,
      typeId: row.type_id,
      mode: row.mode,
      start: row.start_at,
      end: row.end_at,
      status: row.status,
      createdAt: row.created_at,
      updatedAt: row.updated_at
    })
  )

/** Whether a failed statement broke the no-double-booking constraint (SQLSTATE 23P01). */
const isDoubleBooking = (error: unknown): boolean => {
  if (!SqlError.isSqlError(error)) return false
  const cause: unknown = error.reason.cause
  return (
    typeof cause === "object" &&
    cause !== null &&
    (cause as { code?: unknown }).code === "23P01" &&
    (cause as { constraint?: unknown }).constraint === "appointments_no_double_booking"
  )
}

const date = DateTime.toDateUtc

/** Appointments in the `appointments` table. */
export const layer: Layer.Layer<AppointmentRepo.AppointmentRepo, never, SqlClient.SqlClient> = Layer.effect(
  AppointmentRepo.AppointmentRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return AppointmentRepo.AppointmentRepo.of({
      // In a savepoint: inside a caller's unit of work the refused insert rolls back alone, and
      // the caller can go on (or roll back) as it chooses.
      save: (a) =>
        sql
          .withTransaction(
            // The exclusion constraint decides; the per-provider lock only makes conflicting
            // bookings queue instead of deadlocking on each other's uncommitted rows (which
            // concurrent inserts under an exclusion constraint can do).
            sql`SELECT pg_advisory_xact_lock(hashtext('appointments'), hashtext(${a.providerId}))`.pipe(
              Effect.andThen(sql`
              INSERT INTO appointments (clinic_id, id, patient_id, provider_id, type_id, mode, start_at, end_at, status,
                created_at, updated_at)
              VALUES (${a.clinicId}, ${a.id}, ${a.patientId}, ${a.providerId}, ${a.typeId}, ${a.mode}, ${date(a.start)},
                ${date(a.end)}, ${a.status}, ${date(a.createdAt)}, ${date(a.updatedAt)})
              ON CONFLICT (clinic_id, id) DO UPDATE SET patient_id = EXCLUDED.patient_id,
                provider_id = EXCLUDED.provider_id, type_id = EXCLUDED.type_id, mode = EXCLUDED.mode,
                start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, status = EXCLUDED.status,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
            `)
            )
          )
          .pipe(
            Effect.asVoid,
            Effect.catch((error) =>
              isDoubleBooking(error) ? Effect.fail(new CareErrors.SlotTaken()) : Effect.die(error)
            )
          ),
      findById: (id: Ids.AppointmentId) =>
        orDie(
          sql`SELECT * FROM appointments WHERE id = ${id}`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(appointments(rows)[0]))
          )
        ),
      listByPatient: (patientId) =>
        orDie(
          sql`SELECT * FROM appointments WHERE patient_id = ${patientId} ORDER BY start_at, position`.pipe(
            Effect.map(appointments)
          )
        ),
      listActiveByProvider: (providerId, from, to) =>
        orDie(
          sql`
            SELECT * FROM appointments
            WHERE provider_id = ${providerId} AND status IN ('requested', 'booked')
              AND start_at < ${date(to)} AND end_at > ${date(from)}
            ORDER BY start_at, position
          `.pipe(Effect.map(appointments))
        ),
      listByClinic: (q) =>
        orDie(
          sql`
            SELECT * FROM appointments
            WHERE clinic_id = ${q.clinicId}
              ${q.status === undefined ? sql`` : sql`AND status = ${q.status}`}
              ${q.providerId === undefined ? sql`` : sql`AND provider_id = ${q.providerId}`}
              ${q.patientId === undefined ? sql`` : sql`AND patient_id = ${q.patientId}`}
              ${q.from === undefined ? sql`` : sql`AND start_at >= ${date(q.from)}`}
              ${q.to === undefined ? sql`` : sql`AND start_at < ${date(q.to)}`}
              ${
                q.after === undefined
                  ? sql``
                  : sql`AND (start_at, id COLLATE "C") > (${date(q.after.start)}, ${q.after.id})`
              }
            ORDER BY start_at, id COLLATE "C"
            LIMIT ${Math.max(0, Math.floor(q.limit))}
          `.pipe(Effect.map(appointments))
        )
    })
  })
)
