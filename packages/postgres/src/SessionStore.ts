/**
 * `SessionStore` on PostgreSQL. Every change is one conditional `UPDATE`, so concurrent
 * requests cannot un-revoke a session, move its last activity backwards or end it twice.
 */
import { type Ids, Session, SessionStore } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  patient_id: Schema.String,
  token_hash: Schema.String,
  origin: Schema.String,
  stay_logged_in: Schema.Boolean,
  created_at: Schema.DateTimeUtcFromDate,
  last_seen_at: Schema.DateTimeUtcFromDate,
  expires_at: Schema.DateTimeUtcFromDate,
  revoked_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const toSession = (row: typeof Row.Type): Session.Session =>
  Schema.decodeUnknownSync(Session.Session)({
    id: row.id,
    clinicId: row.clinic_id,
    patientId: row.patient_id,
    tokenHash: row.token_hash,
    origin: row.origin,
    stayLoggedIn: row.stay_logged_in,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at
  })

const sessions = (rows: ReadonlyArray<unknown>) => decodeRows(Row)(rows).map(toSession)
const one = (rows: ReadonlyArray<unknown>) => Option.fromUndefinedOr(sessions(rows)[0])

/** Sessions in the `sessions` table. */
export const layer: Layer.Layer<SessionStore.SessionStore, never, SqlClient.SqlClient> = Layer.effect(
  SessionStore.SessionStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const date = DateTime.toDate
    return SessionStore.SessionStore.of({
      // Like the in-memory store, creating a session with an existing id replaces it.
      create: Effect.fn("SessionStore.create")(function* (session: Session.Session) {
        yield* orDie(sql`
          INSERT INTO sessions (clinic_id, id, patient_id, token_hash, origin, stay_logged_in, created_at,
            last_seen_at, expires_at, revoked_at)
          VALUES (${session.clinicId}, ${session.id}, ${session.patientId}, ${session.tokenHash}, ${session.origin},
            ${session.stayLoggedIn}, ${date(session.createdAt)}, ${date(session.lastSeenAt)},
            ${date(session.expiresAt)}, ${session.revokedAt === null ? null : date(session.revokedAt)}::timestamptz)
          ON CONFLICT (clinic_id, id) DO UPDATE SET patient_id = EXCLUDED.patient_id, token_hash = EXCLUDED.token_hash,
            origin = EXCLUDED.origin, stay_logged_in = EXCLUDED.stay_logged_in, created_at = EXCLUDED.created_at,
            last_seen_at = EXCLUDED.last_seen_at, expires_at = EXCLUDED.expires_at, revoked_at = EXCLUDED.revoked_at
        `)
      }),
      findByTokenHash: Effect.fn("SessionStore.findByTokenHash")(function* (hash: Session.TokenHash) {
        return one(yield* orDie(sql`SELECT * FROM sessions WHERE token_hash = ${hash}`))
      }),
      findById: Effect.fn("SessionStore.findById")(function* (id: Ids.SessionId) {
        return one(yield* orDie(sql`SELECT * FROM sessions WHERE id = ${id} ORDER BY position LIMIT 1`))
      }),
      // Never on a revoked session, never backwards: both conditions are re-checked on the
      // locked row, so a concurrent revoke or a later touch wins.
      touch: Effect.fn("SessionStore.touch")(function* (id: Ids.SessionId, at: DateTime.Utc) {
        yield* orDie(sql`
          UPDATE sessions SET last_seen_at = ${date(at)}
          WHERE id = ${id} AND revoked_at IS NULL AND last_seen_at < ${date(at)}
        `)
      }),
      revoke: Effect.fn("SessionStore.revoke")(function* (id: Ids.SessionId, at: DateTime.Utc) {
        const ended = yield* orDie(sql`
          UPDATE sessions SET revoked_at = ${date(at)} WHERE id = ${id} AND revoked_at IS NULL RETURNING id
        `)
        return ended.length > 0
      }),
      listByPatient: Effect.fn("SessionStore.listByPatient")(function* (patientId: Ids.PatientId) {
        return sessions(
          yield* orDie(sql`
            SELECT * FROM sessions WHERE patient_id = ${patientId} AND revoked_at IS NULL ORDER BY position
          `)
        )
      }),
      revokeAllExcept: Effect.fn("SessionStore.revokeAllExcept")(function* (
        patientId: Ids.PatientId,
        keep: Option.Option<Ids.SessionId>,
        at: DateTime.Utc
      ) {
        const except = Option.match(keep, { onNone: () => sql``, onSome: (id) => sql`AND id <> ${id}` })
        const ended = yield* orDie(sql`
          UPDATE sessions SET revoked_at = ${date(at)}
          WHERE patient_id = ${patientId} AND revoked_at IS NULL ${except}
          RETURNING id
        `)
        return ended.length
      })
    })
  })
)
