/**
 * `UploadRepo` on PostgreSQL. `findById` locks the request's row (`FOR UPDATE`) until the
 * caller's transaction ends: `Uploads` reads a request, decides whether it is still open, and
 * saves it used or cancelled in one unit of work, so concurrent uploads (or an upload and a
 * cancellation) of one request run one after the other, and the later one sees the request
 * closed. Outside a transaction the lock lasts only for the statement.
 */

import { type Ids, Upload, UploadRepo } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  requested_by: Schema.String,
  note: Schema.NullOr(Schema.String),
  created_at: Schema.DateTimeUtcFromDate,
  expires_at: Schema.DateTimeUtcFromDate,
  used_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
  chart_entry_id: Schema.NullOr(Schema.String),
  cancelled_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const requests = (rows: ReadonlyArray<unknown>) =>
  decodeRows(Row)(rows).map((row) =>
    Schema.decodeUnknownSync(Upload.UploadRequest)({
      id: row.id,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      requestedBy: row.requested_by,
      note: row.note,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      chartEntryId: row.chart_entry_id,
      cancelledAt: row.cancelled_at
    })
  )

const nullableDate = (at: DateTime.Utc | null) => (at === null ? null : DateTime.toDateUtc(at))

/** Upload requests in the `upload_requests` table. */
export const layer: Layer.Layer<UploadRepo.UploadRepo, never, SqlClient.SqlClient> = Layer.effect(
  UploadRepo.UploadRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const columns = sql`clinic_id, id, patient_id, requested_by, note, created_at, expires_at, used_at, chart_entry_id, cancelled_at`

    return UploadRepo.UploadRepo.of({
      save: (r) =>
        orDie(
          sql`
            INSERT INTO upload_requests (clinic_id, id, patient_id, requested_by, note, created_at, expires_at, used_at,
              chart_entry_id, cancelled_at)
            VALUES (${r.clinicId}, ${r.id}, ${r.patientId}, ${r.requestedBy}, ${r.note}, ${DateTime.toDateUtc(r.createdAt)},
              ${DateTime.toDateUtc(r.expiresAt)}, ${nullableDate(r.usedAt)}, ${r.chartEntryId}, ${nullableDate(r.cancelledAt)})
            ON CONFLICT (clinic_id, id) DO UPDATE SET patient_id = EXCLUDED.patient_id,
              requested_by = EXCLUDED.requested_by, note = EXCLUDED.note, created_at = EXCLUDED.created_at,
              expires_at = EXCLUDED.expires_at, used_at = EXCLUDED.used_at, chart_entry_id = EXCLUDED.chart_entry_id,
              cancelled_at = EXCLUDED.cancelled_at
          `.pipe(Effect.asVoid)
        ),
      findById: (id: Ids.UploadRequestId) =>
        orDie(
          sql`SELECT ${columns} FROM upload_requests WHERE id = ${id} LIMIT 1 FOR UPDATE`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(requests(rows)[0]))
          )
        ),
      listByPatient: (clinicId, patientId) =>
        orDie(
          sql`
            SELECT ${columns} FROM upload_requests WHERE clinic_id = ${clinicId} AND patient_id = ${patientId}
            ORDER BY created_at DESC, id COLLATE "C" DESC
          `.pipe(Effect.map(requests))
        )
    })
  })
)
