/**
 * `AuditLog` on PostgreSQL: append-only (this module never updates or deletes an event) and
 * hash-chained per clinic exactly as the domain computes it. Appends to one clinic are
 * serialised across processes by a transaction-scoped advisory lock on the clinic, held until
 * the surrounding transaction ends, so each append reads the committed head of the chain; the
 * primary key (clinic_id, sequence) refuses a fork should the lock ever be bypassed.
 */
import { AuditEvent, AuditLog, type Ids } from "@careportal/domain"
import { DateTime, Effect, Layer, Schema } from "effect"
import { Digest } from "effect/crypto"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  sequence: Schema.Int,
  id: Schema.String,
  actor_kind: Schema.String,
  actor_id: Schema.NullOr(Schema.String),
  action: Schema.String,
  patient_id: Schema.NullOr(Schema.String),
  resource: Schema.String,
  outcome: Schema.String,
  reason: Schema.NullOr(Schema.String),
  at: Schema.DateTimeUtcFromDate,
  prev_hash: Schema.String,
  hash: Schema.String
})

// Built in the field order of `AuditEntry`, with absent optional keys left out, so an event
// read back encodes (and hashes) exactly as it was appended.
const toEvent = (row: typeof Row.Type): AuditEvent.AuditEvent =>
  Schema.decodeUnknownSync(AuditEvent.AuditEvent)({
    id: row.id,
    clinicId: row.clinic_id,
    actor: row.actor_id === null ? { kind: row.actor_kind } : { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    patientId: row.patient_id,
    resource: row.resource,
    outcome: row.outcome,
    ...(row.reason === null ? {} : { reason: row.reason }),
    at: row.at,
    sequence: row.sequence,
    prevHash: row.prev_hash,
    hash: row.hash
  })

const events = (rows: ReadonlyArray<unknown>) => decodeRows(Row)(rows).map(toEvent)

/** The largest `integer` (the `sequence` column's type): a bound above it excludes nothing. */
const MAX_SEQUENCE = 2_147_483_647

/**
 * `sequence < before` as SQL the indexes serve, or `null` when no event can match. The bound
 * sent is a whole number in `integer` range, like the column: the client types a fraction as
 * `double precision`, and comparing the column as that is a filter no index serves.
 */
const sequenceBelow = (sql: SqlClient.SqlClient, before: number | undefined) =>
  before === undefined || before > MAX_SEQUENCE
    ? sql``
    : before <= 1 || Number.isNaN(before)
      ? null
      : sql`AND sequence < ${Math.ceil(before)}`

/** A page size as `LIMIT` takes it: whole, none below 1, no limit (`null`) for infinity. */
const rowLimit = (limit: number): number | null =>
  limit === Number.POSITIVE_INFINITY ? null : Number.isNaN(limit) ? 0 : Math.max(0, Math.trunc(limit))

const Head = Schema.Struct({ sequence: Schema.Int, hash: Schema.String })

/** Audit events in the `audit_events` table, hashed with Web Crypto's SHA-256. */
export const layer: Layer.Layer<AuditLog.AuditLog, never, SqlClient.SqlClient> = Layer.effect(
  AuditLog.AuditLog,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const digest = yield* Digest.Digest
    return AuditLog.AuditLog.of({
      append: Effect.fn("AuditLog.append")(function* (entry: AuditEvent.AuditEntry) {
        return yield* orDie(
          sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`SELECT true AS locked FROM pg_advisory_xact_lock(hashtext(${`audit:${entry.clinicId}`}))`
              const head = decodeRows(Head)(
                yield* sql`
                  SELECT sequence, hash FROM audit_events WHERE clinic_id = ${entry.clinicId}
                  ORDER BY sequence DESC LIMIT 1
                `
              )[0]
              const prevHash = head?.hash ?? AuditEvent.GENESIS_HASH
              const sequence = (head?.sequence ?? 0) + 1
              const hash = yield* AuditEvent.chainHash(digest, prevHash, sequence, entry)
              const event = new AuditEvent.AuditEvent({ ...entry, sequence, prevHash, hash })
              yield* sql`
                INSERT INTO audit_events (clinic_id, sequence, id, actor_kind, actor_id, action, patient_id, resource,
                  outcome, reason, at, prev_hash, hash)
                VALUES (${event.clinicId}, ${sequence}, ${event.id}, ${event.actor.kind}, ${event.actor.id ?? null},
                  ${event.action}, ${event.patientId}, ${event.resource}, ${event.outcome}, ${event.reason ?? null},
                  ${DateTime.toDate(event.at)}, ${prevHash}, ${hash})
              `
              return event
            })
          )
        )
      }),
      all: orDie(sql`SELECT * FROM audit_events ORDER BY position`.pipe(Effect.map(events))),
      list: Effect.fn("AuditLog.list")(function* (filter: {
        readonly clinicId: Ids.ClinicId
        readonly patientId?: Ids.PatientId
      }) {
        const patient = filter.patientId === undefined ? sql`` : sql`AND patient_id = ${filter.patientId}`
        return events(
          yield* orDie(
            sql`SELECT * FROM audit_events WHERE clinic_id = ${filter.clinicId} ${patient} ORDER BY sequence`
          )
        )
      }),
      // Served by an index scan read backwards, stopping after `limit` rows: the primary key
      // (clinic_id, sequence) for a clinic's log, audit_events_patient (clinic_id, patient_id,
      // sequence) for one patient's.
      page: Effect.fn("AuditLog.page")(function* (filter: AuditLog.AuditPageFilter) {
        const below = sequenceBelow(sql, filter.before)
        const limit = rowLimit(filter.limit)
        if (below === null || limit === 0) return []
        const patient = filter.patientId === undefined ? sql`` : sql`AND patient_id = ${filter.patientId}`
        return events(
          yield* orDie(sql`
            SELECT * FROM audit_events WHERE clinic_id = ${filter.clinicId} ${patient} ${below}
            ORDER BY sequence DESC LIMIT ${limit}
          `)
        )
      }),
      verify: Effect.fn("AuditLog.verify")(function* (clinicId: Ids.ClinicId) {
        const chain = events(
          yield* orDie(sql`SELECT * FROM audit_events WHERE clinic_id = ${clinicId} ORDER BY sequence`)
        )
        return yield* AuditEvent.verifyChain(digest, chain)
      })
    })
  })
).pipe(Layer.provide(Digest.layerWebCrypto))
