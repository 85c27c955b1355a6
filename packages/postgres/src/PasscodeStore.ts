/**
 * `PasscodeStore` on PostgreSQL. The domain's decisions are pure functions; this store runs
 * each one inside a transaction with the rows it looks at locked, so that every process
 * sharing the database sees the rules hold:
 *
 * - `issue` serialises on the purpose and target (a transaction-scoped advisory lock), locks
 *   the codes it shows the decision, and then supersedes them and inserts the new one;
 * - `attempt` locks the challenge's newest code (`FOR UPDATE`) and the patient's failure count
 *   (an advisory lock per patient), so a code is consumed once and the five-entry lock and the
 *   per-patient throttle count every wrong entry, however many arrive at once.
 *
 * Inside a caller's unit of work each runs as a savepoint and its locks last until the outer
 * transaction ends. Codes are stored only as their HMAC.
 */
import { type Ids, Passcode, PasscodeStore } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, type Result, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  challenge_id: Schema.String,
  purpose: Schema.String,
  patient_id: Schema.NullOr(Schema.String),
  resource_kind: Schema.NullOr(Schema.String),
  resource_id: Schema.NullOr(Schema.String),
  decoy_key: Schema.NullOr(Schema.String),
  channel: Schema.String,
  code_hash: Schema.String,
  issued_at: Schema.DateTimeUtcFromDate,
  expires_at: Schema.DateTimeUtcFromDate,
  failed_attempts: Schema.Int,
  consumed_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
  superseded_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const toPasscode = (row: typeof Row.Type): Passcode.Passcode =>
  Schema.decodeUnknownSync(Passcode.Passcode)({
    id: row.id,
    challengeId: row.challenge_id,
    clinicId: row.clinic_id,
    purpose: row.purpose,
    target: {
      patientId: row.patient_id,
      ...(row.resource_kind === null ? {} : { resource: { kind: row.resource_kind, id: row.resource_id } }),
      ...(row.decoy_key === null ? {} : { decoyKey: row.decoy_key })
    },
    channel: row.channel,
    codeHash: row.code_hash,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    failedAttempts: row.failed_attempts,
    consumedAt: row.consumed_at,
    supersededAt: row.superseded_at
  })

const passcodes = (rows: ReadonlyArray<unknown>) => decodeRows(Row)(rows).map(toPasscode)
const first = (rows: ReadonlyArray<unknown>) => Option.fromUndefinedOr(passcodes(rows)[0])

const FailureRow = Schema.Struct({ at: Schema.DateTimeUtcFromDate })
const failureTimes = (rows: ReadonlyArray<unknown>) => decodeRows(FailureRow)(rows).map((row) => row.at)

const IdRow = Schema.Struct({ clinic_id: Schema.String, id: Schema.String })

const date = DateTime.toDateUtc
const orNull = (at: DateTime.Utc | null) => (at === null ? null : date(at))

/** Passcodes in `passcodes`, wrong entries in `passcode_failures`. */
export const layer: Layer.Layer<PasscodeStore.PasscodeStore, never, SqlClient.SqlClient> = Layer.effect(
  PasscodeStore.PasscodeStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const columns = sql`clinic_id, id, challenge_id, purpose, patient_id, resource_kind, resource_id, decoy_key,
      channel, code_hash, issued_at, expires_at, failed_attempts, consumed_at, superseded_at`

    // Held until the (outer) transaction ends; the first key keeps these apart from other locks.
    const lockTarget = (key: string) =>
      sql`SELECT true AS locked FROM pg_advisory_xact_lock(hashtext('passcodes'), hashtext(${key}))`
    const lockPatientFailures = (patientId: Ids.PatientId) =>
      sql`SELECT true AS locked FROM pg_advisory_xact_lock(hashtext('passcode_failures'), hashtext(${patientId}))`

    const newest = (challengeId: Ids.ChallengeId, lock = sql``) =>
      sql`SELECT ${columns} FROM passcodes WHERE challenge_id = ${challengeId} ORDER BY position DESC LIMIT 1 ${lock}`

    /**
     * Locks the challenge's newest code. A code issued while this waited for the lock is newer
     * than the one it locked (the wait re-reads the locked row, not the ordering), so it checks
     * and, if so, locks again: what it answers is the newest code, locked.
     */
    const lockNewest = (challengeId: Ids.ChallengeId) =>
      Effect.gen(function* () {
        while (true) {
          const locked = first(yield* newest(challengeId, sql`FOR UPDATE`))
          if (Option.isNone(locked)) return locked
          const latest = decodeRows(IdRow)(
            yield* sql`SELECT clinic_id, id FROM passcodes WHERE challenge_id = ${challengeId} ORDER BY position DESC LIMIT 1`
          )[0]
          if (latest?.id === locked.value.id && latest.clinic_id === locked.value.clinicId) return locked
        }
      })

    const insert = (p: Passcode.Passcode) =>
      sql`
        INSERT INTO passcodes (clinic_id, id, challenge_id, purpose, target_key, patient_id, resource_kind, resource_id,
          decoy_key, channel, code_hash, issued_at, expires_at, failed_attempts, consumed_at, superseded_at)
        VALUES (${p.clinicId}, ${p.id}, ${p.challengeId}, ${p.purpose}, ${Passcode.targetKey(p.purpose, p.target)},
          ${p.target.patientId}, ${p.target.resource?.kind ?? null}, ${p.target.resource?.id ?? null},
          ${p.target.decoyKey ?? null}, ${p.channel}, ${p.codeHash}, ${date(p.issuedAt)}, ${date(p.expiresAt)},
          ${p.failedAttempts}, ${orNull(p.consumedAt)}::timestamptz, ${orNull(p.supersededAt)}::timestamptz)
      `

    return PasscodeStore.PasscodeStore.of({
      issue: <R>(request: PasscodeStore.IssueRequest<R>) =>
        orDie(
          sql.withTransaction(
            Effect.gen(function* () {
              const key = Passcode.targetKey(request.purpose, request.target)
              yield* lockTarget(key)
              // Locked as well: an attempt running now on one of them finishes first, so the
              // decision sees each code as it stands.
              const recent = passcodes(
                yield* sql`
                  SELECT ${columns} FROM passcodes
                  WHERE target_key = ${key} AND issued_at > ${date(request.windowStart)}
                  ORDER BY position FOR UPDATE
                `
              )
              const current = Option.isSome(request.challengeId)
                ? yield* lockNewest(request.challengeId.value)
                : Option.none<Passcode.Passcode>()
              const decision: Result.Result<Passcode.Passcode, R> = request.decide({ recent, current })
              if (decision._tag === "Failure") return decision
              const issued = decision.success
              yield* sql`
                UPDATE passcodes SET superseded_at = ${date(issued.issuedAt)}
                WHERE target_key = ${key} AND consumed_at IS NULL AND superseded_at IS NULL
              `
              yield* insert(issued)
              return decision
            })
          )
        ),

      latest: (challengeId) => orDie(newest(challengeId).pipe(Effect.map(first))),

      attempt: ({ challengeId, now, failureWindowStart, decide }) =>
        orDie(
          sql.withTransaction(
            Effect.gen(function* () {
              const found = yield* lockNewest(challengeId)
              if (Option.isNone(found)) return Option.none()
              const passcode = found.value
              const patientId = passcode.target.patientId
              // One counter per patient across all their challenges: concurrent attempts on
              // different codes of one patient take turns, so none misses another's failure.
              const failures =
                patientId === null
                  ? []
                  : yield* Effect.andThen(
                      lockPatientFailures(patientId),
                      sql`
                        SELECT at FROM passcode_failures
                        WHERE patient_id = ${patientId} AND at > ${date(failureWindowStart)}
                        ORDER BY position
                      `.pipe(Effect.map(failureTimes))
                    )
              const { verdict, result } = decide(passcode, failures)
              if (verdict === "consume") {
                yield* sql`
                  UPDATE passcodes SET consumed_at = ${date(now)}
                  WHERE clinic_id = ${passcode.clinicId} AND id = ${passcode.id}
                `
              } else if (verdict === "fail") {
                yield* sql`
                  UPDATE passcodes SET failed_attempts = failed_attempts + 1
                  WHERE clinic_id = ${passcode.clinicId} AND id = ${passcode.id}
                `
                if (patientId !== null) {
                  yield* sql`
                    INSERT INTO passcode_failures (clinic_id, patient_id, passcode_id, at)
                    VALUES (${passcode.clinicId}, ${patientId}, ${passcode.id}, ${date(now)})
                  `
                }
              }
              return Option.some(result)
            })
          )
        ),

      patientFailures: (patientId, since) =>
        orDie(
          sql`
            SELECT at FROM passcode_failures WHERE patient_id = ${patientId} AND at > ${date(since)} ORDER BY position
          `.pipe(Effect.map(failureTimes))
        ),

      latestFor: (purpose, target) =>
        orDie(
          sql`
            SELECT ${columns} FROM passcodes WHERE target_key = ${Passcode.targetKey(purpose, target)}
            ORDER BY position DESC LIMIT 1
          `.pipe(Effect.map(first))
        ),

      retire: (challengeId, at) =>
        orDie(
          sql.withTransaction(
            Effect.gen(function* () {
              const found = yield* lockNewest(challengeId)
              if (Option.isNone(found)) return found
              const passcode = found.value
              if (passcode.consumedAt !== null || passcode.supersededAt !== null) return found
              return first(
                yield* sql`
                  UPDATE passcodes SET consumed_at = ${date(at)}
                  WHERE clinic_id = ${passcode.clinicId} AND id = ${passcode.id}
                  RETURNING ${columns}
                `
              )
            })
          )
        ),

      // One statement: each row is re-checked once locked, so concurrent calls retire a code once.
      retireAllFor: (patientId, purposes, at) =>
        purposes.length === 0
          ? Effect.succeed([])
          : orDie(
              sql`
                WITH retired AS (
                  UPDATE passcodes SET consumed_at = ${date(at)}
                  WHERE patient_id = ${patientId} AND purpose IN ${sql.in(purposes)}
                    AND consumed_at IS NULL AND superseded_at IS NULL
                  RETURNING position, ${columns}
                )
                SELECT ${columns} FROM retired ORDER BY position
              `.pipe(Effect.map(passcodes))
            )
    })
  })
)
