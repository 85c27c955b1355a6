/**
 * `VirtualVisitStore` on PostgreSQL. A code is stored only as its HMAC, unique across every
 * clinic (the code a patient types is found by hash alone). Issuing and revoking take a
 * transaction-scoped advisory lock on the appointment, so they run one at a time per
 * appointment: a later issue always sees, and supersedes, the code an earlier one made active.
 * A partial unique index (one active code per appointment) backs the lock up.
 */

import { type Ids, VirtualVisit } from "@careportal/domain"
import { Data, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  appointment_id: Schema.String,
  patient_id: Schema.String,
  code_hash: Schema.String,
  status: Schema.String,
  issued_at: Schema.DateTimeUtcFromDate,
  ended_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const codes = (rows: ReadonlyArray<unknown>) =>
  decodeRows(Row)(rows).map((row) =>
    Schema.decodeUnknownSync(VirtualVisit.VisitCode)({
      id: row.id,
      appointmentId: row.appointment_id,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      codeHash: row.code_hash,
      status: row.status,
      issuedAt: row.issued_at,
      endedAt: row.ended_at
    })
  )

/** Another code already has the hash: roll back what `issue` wrote (its savepoint, inside a unit). */
class HashTaken extends Data.TaggedError("HashTaken")<{}> {}

/** Visit codes in the `visit_codes` table. */
export const layer: Layer.Layer<VirtualVisit.VirtualVisitStore, never, SqlClient.SqlClient> = Layer.effect(
  VirtualVisit.VirtualVisitStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const columns = sql`clinic_id, id, appointment_id, patient_id, code_hash, status, issued_at, ended_at`
    // Held until the (outer) transaction ends; the key pair keeps these locks apart from others'.
    const lockAppointment = (appointmentId: Ids.AppointmentId) =>
      sql`SELECT pg_advisory_xact_lock(hashtext('visit_codes'), hashtext(${appointmentId}))`

    return VirtualVisit.VirtualVisitStore.of({
      issue: (code) =>
        orDie(
          sql
            .withTransaction(
              Effect.gen(function* () {
                yield* lockAppointment(code.appointmentId)
                yield* sql`
                  UPDATE visit_codes SET status = 'superseded', ended_at = ${DateTime.toDateUtc(code.issuedAt)}
                  WHERE appointment_id = ${code.appointmentId} AND status = 'active'
                `
                const inserted = yield* sql`
                  INSERT INTO visit_codes (clinic_id, id, appointment_id, patient_id, code_hash, status, issued_at, ended_at)
                  VALUES (${code.clinicId}, ${code.id}, ${code.appointmentId}, ${code.patientId}, ${code.codeHash},
                    ${code.status}, ${DateTime.toDateUtc(code.issuedAt)},
                    ${code.endedAt === null ? null : DateTime.toDateUtc(code.endedAt)})
                  ON CONFLICT (code_hash) DO NOTHING
                  RETURNING id
                `
                if (inserted.length === 0) return yield* new HashTaken()
                return true
              })
            )
            .pipe(Effect.catchTag("HashTaken", () => Effect.succeed(false)))
        ),
      findByHash: (hash) =>
        orDie(
          sql`SELECT ${columns} FROM visit_codes WHERE code_hash = ${hash}`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(codes(rows)[0]))
          )
        ),
      revoke: (appointmentId, at) =>
        orDie(
          sql.withTransaction(
            Effect.gen(function* () {
              yield* lockAppointment(appointmentId)
              return yield* sql`
                WITH revoked AS (
                  UPDATE visit_codes SET status = 'revoked', ended_at = ${DateTime.toDateUtc(at)}
                  WHERE appointment_id = ${appointmentId} AND status = 'active'
                  RETURNING position, ${columns}
                )
                SELECT ${columns} FROM revoked ORDER BY position
              `.pipe(Effect.map(codes))
            })
          )
        ),
      listByAppointment: (appointmentId) =>
        orDie(
          sql`SELECT ${columns} FROM visit_codes WHERE appointment_id = ${appointmentId} ORDER BY position`.pipe(
            Effect.map(codes)
          )
        )
    })
  })
)
