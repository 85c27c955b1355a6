/**
 * `Outbox` on PostgreSQL. Dispatchers claim due rows with `FOR UPDATE SKIP LOCKED`: a claim
 * locks the rows it picks and passes over rows another claim holds, and a row that a claim
 * committed meanwhile is re-checked on locking and left out, so two dispatchers never hold the
 * same row while its lease runs.
 */

import type { Ids } from "@careportal/domain"
import { Notification, Outbox } from "@careportal/domain"
import { Array as Arr, DateTime, type Duration, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  channel: Schema.String,
  recipient: Schema.String,
  language: Schema.String,
  template: Schema.String,
  payload: Schema.Unknown,
  idempotency_key: Schema.String,
  group_key: Schema.NullOr(Schema.String),
  status: Schema.String,
  attempts: Schema.Int,
  not_before: Schema.DateTimeUtcFromDate,
  created_at: Schema.DateTimeUtcFromDate,
  claimed_until: Schema.NullOr(Schema.DateTimeUtcFromDate),
  last_error: Schema.NullOr(Schema.String),
  sent_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

/** The payload as JSON (instants as ISO strings): the form kept in the `payload` column. */
const PayloadJson = Schema.toCodecJson(Notification.NotificationPayload)
const encodePayload = Schema.encodeSync(PayloadJson)
const decodePayload = Schema.decodeUnknownSync(PayloadJson)

const toNotification = (row: typeof Row.Type): Notification.Notification =>
  Schema.decodeUnknownSync(Notification.Notification)({
    id: row.id,
    clinicId: row.clinic_id,
    patientId: row.patient_id,
    channel: row.channel,
    to: row.recipient,
    language: row.language,
    template: row.template,
    payload: decodePayload(row.payload),
    idempotencyKey: row.idempotency_key,
    ...(row.group_key === null ? {} : { groupKey: row.group_key }),
    status: row.status,
    attempts: row.attempts,
    notBefore: row.not_before,
    createdAt: row.created_at,
    ...(row.claimed_until === null ? {} : { claimedUntil: row.claimed_until }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.sent_at === null ? {} : { sentAt: row.sent_at })
  })

const notifications = (rows: ReadonlyArray<unknown>) => decodeRows(Row)(rows).map(toNotification)

const changed = (rows: ReadonlyArray<unknown>) => rows.length > 0

/** The outbox in the `outbox` table. */
export const layer: Layer.Layer<Outbox.Outbox, never, SqlClient.SqlClient> = Layer.effect(
  Outbox.Outbox,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const date = DateTime.toDate
    return Outbox.Outbox.of({
      // One multi-row INSERT: all of them or none.
      enqueue: Effect.fn("Outbox.enqueue")(function* (batch: ReadonlyArray<Notification.Notification>) {
        const rows = batch.map(
          (n): Record<string, unknown> => ({
            clinic_id: n.clinicId,
            id: n.id,
            patient_id: n.patientId,
            channel: n.channel,
            recipient: n.to,
            language: n.language,
            template: n.template,
            payload: JSON.stringify(encodePayload(n.payload)),
            idempotency_key: n.idempotencyKey,
            group_key: n.groupKey ?? null,
            status: n.status,
            attempts: n.attempts,
            not_before: date(n.notBefore),
            created_at: date(n.createdAt),
            claimed_until: n.claimedUntil === undefined ? null : date(n.claimedUntil),
            last_error: n.lastError ?? null,
            sent_at: n.sentAt === undefined ? null : date(n.sentAt)
          })
        )
        if (!Arr.isArrayNonEmpty(rows)) return
        yield* orDie(sql`INSERT INTO outbox ${sql.insert(rows)}`)
      }),
      all: orDie(sql`SELECT * FROM outbox ORDER BY position`.pipe(Effect.map(notifications))),
      listByPatient: Effect.fn("Outbox.listByPatient")(function* (
        clinicId: Ids.ClinicId,
        patientId: Ids.PatientId,
        options: { readonly limit: number }
      ) {
        const limit = Math.max(0, Math.floor(options.limit))
        if (limit === 0) return []
        return notifications(
          yield* orDie(sql`
            SELECT * FROM outbox WHERE clinic_id = ${clinicId} AND patient_id = ${patientId}
            ORDER BY created_at DESC, position DESC
            LIMIT ${limit}
          `)
        )
      }),
      // Keyset paging on `outbox_clinic_recent` / `outbox_clinic_status_recent` (migration
      // 00011): each page is one range scan of the index, whatever the size of the outbox.
      listByClinic: Effect.fn("Outbox.listByClinic")(function* (
        clinicId: Ids.ClinicId,
        query: Outbox.ClinicNotificationQuery
      ) {
        const limit = Math.max(0, Math.floor(query.limit))
        if (limit === 0) return []
        const { status, after } = query
        return notifications(
          yield* orDie(sql`
            SELECT * FROM outbox
            WHERE clinic_id = ${clinicId}
              ${status === undefined ? sql`` : sql`AND status = ${status}`}
              ${
                after === undefined
                  ? sql``
                  : sql`AND (created_at, id COLLATE "C") < (${date(after.createdAt)}, ${after.id})`
              }
            ORDER BY created_at DESC, id COLLATE "C" DESC
            LIMIT ${limit}
          `)
        )
      }),
      withdraw: Effect.fn("Outbox.withdraw")(function* (groupKey: string) {
        const withdrawn = yield* orDie(sql`
          UPDATE outbox SET status = 'withdrawn' WHERE group_key = ${groupKey} AND status = 'pending' RETURNING id
        `)
        return withdrawn.length
      }),
      claim: Effect.fn("Outbox.claim")(function* (options: {
        readonly now: DateTime.Utc
        readonly limit: number
        readonly leaseFor: Duration.Duration
      }) {
        const limit = Math.max(0, Math.floor(options.limit))
        if (limit === 0) return []
        const now = date(options.now)
        const until = date(DateTime.addDuration(options.now, options.leaseFor))
        return notifications(
          yield* orDie(sql`
            WITH due AS MATERIALIZED (
              SELECT clinic_id, id FROM outbox
              WHERE status = 'pending' AND not_before <= ${now} AND (claimed_until IS NULL OR claimed_until <= ${now})
              ORDER BY not_before, position
              LIMIT ${limit}
              FOR UPDATE SKIP LOCKED
            ), claimed AS (
              UPDATE outbox AS o SET claimed_until = ${until}
              FROM due WHERE o.clinic_id = due.clinic_id AND o.id = due.id
              RETURNING o.*
            )
            SELECT * FROM claimed ORDER BY not_before, position
          `)
        )
      }),
      find: Effect.fn("Outbox.find")(function* (ref: Outbox.NotificationRef) {
        return Arr.head(
          notifications(
            yield* orDie(sql`SELECT * FROM outbox WHERE clinic_id = ${ref.clinicId} AND id = ${ref.id}`)
          )
        )
      }),
      findByIdempotencyKey: Effect.fn("Outbox.findByIdempotencyKey")(function* (
        clinicId: Ids.ClinicId,
        idempotencyKey: string
      ) {
        return Arr.head(
          notifications(
            yield* orDie(sql`
              SELECT * FROM outbox WHERE clinic_id = ${clinicId} AND idempotency_key = ${idempotencyKey}
              ORDER BY position LIMIT 1
            `)
          )
        )
      }),
      // Each outcome is one conditional UPDATE: a concurrent one waits for the row lock and then
      // re-checks the condition, so of two dispatchers only the first changes the row.
      markSent: Effect.fn("Outbox.markSent")(function* (ref: Outbox.NotificationRef, sentAt: DateTime.Utc) {
        return changed(
          yield* orDie(sql`
            UPDATE outbox SET status = 'sent', sent_at = ${date(sentAt)}, attempts = attempts + 1, claimed_until = NULL
            WHERE clinic_id = ${ref.clinicId} AND id = ${ref.id} AND status = 'pending' RETURNING id
          `)
        )
      }),
      scheduleRetry: Effect.fn("Outbox.scheduleRetry")(function* (
        ref: Outbox.NotificationRef,
        retry: { readonly attempts: number; readonly notBefore: DateTime.Utc; readonly lastError: string }
      ) {
        return changed(
          yield* orDie(sql`
            UPDATE outbox
            SET attempts = attempts + 1, not_before = ${date(retry.notBefore)}, last_error = ${retry.lastError},
              claimed_until = NULL
            WHERE clinic_id = ${ref.clinicId} AND id = ${ref.id} AND status = 'pending' AND attempts = ${retry.attempts}
            RETURNING id
          `)
        )
      }),
      markDead: Effect.fn("Outbox.markDead")(function* (ref: Outbox.NotificationRef, lastError: string) {
        return changed(
          yield* orDie(sql`
            UPDATE outbox SET status = 'dead', last_error = ${lastError}, attempts = attempts + 1, claimed_until = NULL
            WHERE clinic_id = ${ref.clinicId} AND id = ${ref.id} AND status = 'pending' RETURNING id
          `)
        )
      }),
      release: Effect.fn("Outbox.release")(function* (
        ref: Outbox.NotificationRef,
        claimedUntil: DateTime.Utc
      ) {
        return changed(
          yield* orDie(sql`
            UPDATE outbox SET claimed_until = NULL
            WHERE clinic_id = ${ref.clinicId} AND id = ${ref.id} AND status = 'pending'
              AND claimed_until = ${date(claimedUntil)}
            RETURNING id
          `)
        )
      })
    })
  })
)
