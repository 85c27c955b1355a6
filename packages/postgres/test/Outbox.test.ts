/**
 * `Outbox` on PostgreSQL: the contract cases, and the Postgres-only proofs of the claim:
 * four dispatchers claiming 1,000 due rows over several connections claim each row exactly
 * once, and a claim passes over rows another open transaction has locked instead of waiting.
 */
import { Ids, Notification, Outbox } from "@careportal/domain"
import { OutboxContract } from "@careportal/domain/testing"
import { assert, describe, layer } from "@effect/vitest"
import { DateTime, Deferred, Duration, Effect, Fiber, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as PgOutbox from "../src/Outbox.ts"
import { realServer, testDatabase } from "./harness.ts"
import { warmDatabase } from "./warmDatabase.ts"

// PGlite has one connection: a transaction held open there keeps every other claim waiting.
const onRealServer = await Effect.runPromise(realServer)

layer(PgOutbox.layer.pipe(Layer.provideMerge(warmDatabase(8))), { timeout: 60_000 })(
  "Outbox contract (Postgres)",
  (it) => {
    for (const c of OutboxContract) it.effect(c.name, () => c.run)
  }
)

const NOW = DateTime.makeUnsafe("2035-01-01T12:00:00.000Z")

const due = (clinicId: Ids.ClinicId, count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      new Notification.Notification({
        id: Ids.NotificationId.make(`notification-${crypto.randomUUID()}`),
        clinicId,
        patientId: Ids.PatientId.make(`patient-${i % 17}`),
        channel: i % 2 === 0 ? "email" : "sms",
        to: i % 2 === 0 ? "ada@example.org" : "+14165550100",
        language: "en",
        template: "appointment-reminder",
        payload: new Notification.NotificationPayload({ startsAt: NOW, path: `/appointments/${i}` }),
        idempotencyKey: `reminder-${i}`,
        status: "pending",
        attempts: 0,
        // Spread over the last ten minutes, several sharing an instant.
        notBefore: DateTime.subtractDuration(NOW, Duration.seconds((i * 7) % 600)),
        createdAt: NOW
      })
  )

// Each describe has its own fresh schema, so only these tests' rows are in the outbox.
describe("Outbox claim under concurrency (Postgres)", () => {
  layer(PgOutbox.layer.pipe(Layer.provideMerge(warmDatabase(8))), { timeout: 60_000 })(
    "four dispatchers",
    (it) => {
      it.effect("4 dispatchers claiming 1,000 due rows in batches of 50 claim each row exactly once", () =>
        Effect.gen(function* () {
          const outbox = yield* Outbox.Outbox
          const clinicId = Ids.ClinicId.make(`clinic-${crypto.randomUUID()}`)
          const rows = due(clinicId, 1_000)
          for (let i = 0; i < rows.length; i += 250) yield* outbox.enqueue(rows.slice(i, i + 250))
          // Bounded, so that a claim handing out rows twice fails the test instead of looping.
          const dispatcher = Effect.gen(function* () {
            const batches: Array<ReadonlyArray<Notification.Notification>> = []
            for (let round = 0; round < 40; round++) {
              const batch = yield* outbox.claim({ now: NOW, limit: 50, leaseFor: Duration.minutes(10) })
              if (batch.length === 0) break
              batches.push(batch)
            }
            return batches
          })
          const perDispatcher = yield* Effect.all([dispatcher, dispatcher, dispatcher, dispatcher], {
            concurrency: 4
          })
          const batches = perDispatcher.flat()
          const claimed = batches.flat()
          const ids = claimed.map((n) => n.id)
          assert.strictEqual(claimed.length, 1_000, "claims in total")
          assert.strictEqual(new Set(ids).size, 1_000, "distinct rows claimed")
          assert.deepStrictEqual([...ids].sort(), rows.map((n) => n.id).sort())
          const until = DateTime.addDuration(NOW, Duration.minutes(10))
          for (const n of claimed) {
            assert.isTrue(n.claimedUntil !== undefined && DateTime.Equivalence(n.claimedUntil, until))
          }
          // Every batch is at most the limit and comes out oldest first.
          for (const batch of batches) {
            assert.isTrue(batch.length <= 50)
            const times = batch.map((n) => DateTime.toEpochMillis(n.notBefore))
            assert.deepStrictEqual(
              times,
              [...times].sort((a, b) => a - b)
            )
          }
          // Nothing is left to claim while the leases run.
          assert.deepStrictEqual(
            yield* outbox.claim({ now: NOW, limit: 50, leaseFor: Duration.minutes(10) }),
            []
          )
        })
      )
    }
  )

  layer(PgOutbox.layer.pipe(Layer.provideMerge(testDatabase({ maxConnections: 4 }))), { timeout: 60_000 })(
    "skip locked",
    (it) => {
      it.effect.skipIf(!onRealServer)(
        "a claim passes over rows locked by another dispatcher's open transaction instead of waiting (real PostgreSQL only)",
        () =>
          TestClock.withLive(
            Effect.gen(function* () {
              const outbox = yield* Outbox.Outbox
              const sql = yield* SqlClient.SqlClient
              const clinicId = Ids.ClinicId.make(`clinic-${crypto.randomUUID()}`)
              const rows = due(clinicId, 20)
              yield* outbox.enqueue(rows)
              const firstClaimed = yield* Deferred.make<ReadonlyArray<Notification.Notification>>()
              const release = yield* Deferred.make<void>()
              // A dispatcher whose transaction stays open after claiming, holding its rows' locks.
              const holder = yield* Effect.forkChild(
                sql.withTransaction(
                  Effect.gen(function* () {
                    const mine = yield* outbox.claim({ now: NOW, limit: 10, leaseFor: Duration.minutes(10) })
                    yield* Deferred.succeed(firstClaimed, mine)
                    yield* Deferred.await(release)
                    return mine
                  })
                )
              )
              const first = yield* Deferred.await(firstClaimed)
              assert.strictEqual(first.length, 10)
              // Without SKIP LOCKED this claim would wait for the holder, and time out.
              const second = yield* outbox
                .claim({ now: NOW, limit: 10, leaseFor: Duration.minutes(10) })
                .pipe(Effect.timeout("3 seconds"))
              assert.strictEqual(second.length, 10)
              const overlap = second.filter((n) => first.some((m) => m.id === n.id))
              assert.deepStrictEqual(overlap, [])
              yield* Deferred.succeed(release, undefined)
              yield* Fiber.join(holder)
              assert.deepStrictEqual(
                yield* outbox.claim({ now: NOW, limit: 10, leaseFor: Duration.minutes(10) }),
                []
              )
            })
          )
      )
    }
  )
})
