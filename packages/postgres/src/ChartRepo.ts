/**
 * `ChartRepo` on PostgreSQL. An entry's `content` is stored as `json` text, so it reads back
 * exactly as filed (key order included); the chart lists in filing order, newest first.
 */
import { Chart, type Ids } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  kind: Schema.String,
  source_kind: Schema.String,
  source_id: Schema.NullOr(Schema.String),
  origin: Schema.String,
  content: Schema.Unknown,
  filed_at: Schema.DateTimeUtcFromDate
})

const toEntry = (row: typeof Row.Type): Chart.ChartEntry =>
  Schema.decodeUnknownSync(Chart.ChartEntry)({
    id: row.id,
    clinicId: row.clinic_id,
    patientId: row.patient_id,
    kind: row.kind,
    source: { kind: row.source_kind, ...(row.source_id === null ? {} : { id: row.source_id }) },
    origin: row.origin,
    content: row.content,
    filedAt: row.filed_at
  })

const entries = (rows: ReadonlyArray<unknown>) => decodeRows(Row)(rows).map(toEntry)

/** Chart entries in the `chart_entries` table. */
export const layer: Layer.Layer<Chart.ChartRepo, never, SqlClient.SqlClient> = Layer.effect(
  Chart.ChartRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const columns = sql`clinic_id, id, patient_id, kind, source_kind, source_id, origin, content, filed_at`
    return Chart.ChartRepo.of({
      file: (entry) =>
        orDie(
          sql`
            INSERT INTO chart_entries (clinic_id, id, patient_id, kind, source_kind, source_id, origin, content, filed_at)
            VALUES (${entry.clinicId}, ${entry.id}, ${entry.patientId}, ${entry.kind}, ${entry.source.kind},
              ${entry.source.id ?? null}, ${entry.origin}, ${JSON.stringify(entry.content)}::json,
              ${DateTime.toDateUtc(entry.filedAt)})
          `.pipe(Effect.asVoid)
        ),
      // The first filed, as in memory, should two clinics ever hold the same id.
      findById: (id: Ids.ChartEntryId) =>
        orDie(
          sql`SELECT ${columns} FROM chart_entries WHERE id = ${id} ORDER BY position LIMIT 1`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(entries(rows)[0]))
          )
        ),
      listByPatient: (patientId) =>
        orDie(
          sql`SELECT ${columns} FROM chart_entries WHERE patient_id = ${patientId} ORDER BY position DESC`.pipe(
            Effect.map(entries)
          )
        )
    })
  })
)
