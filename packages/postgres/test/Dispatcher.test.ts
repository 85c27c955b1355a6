/**
 * The notification dispatcher on the PostgreSQL ports: two dispatchers running at once over
 * the same outbox (claims with `FOR UPDATE SKIP LOCKED`, outcomes as conditional updates)
 * deliver each of 200 due notifications exactly once, also when a third of the sends fail
 * and are retried.
 */
import { Clinic, Delivery, Dispatcher, Hasher, Ids, Notification, Outbox } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { DateTime, Duration, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as Ports from "../src/Ports.ts"
import { warmDatabase } from "./warmDatabase.ts"

/** A provider that fails about a third of its calls (retryably) and counts what it accepts by key. */
const flakyProvider = () => {
  let seed = 0x5eed
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648
  }
  const accepted = new Map<string, number>()
  const send = (message: { readonly idempotencyKey: string }) =>
    random() < 1 / 3
      ? Effect.fail(new Delivery.DeliveryFailed({ retryable: true, reason: "503 Service Unavailable" }))
      : Effect.sync(() => {
          accepted.set(message.idempotencyKey, (accepted.get(message.idempotencyKey) ?? 0) + 1)
          return new Delivery.SendReceipt({})
        })
  const senders = Layer.mergeAll(
    Layer.succeed(Delivery.EmailSender, Delivery.EmailSender.of({ send })),
    Layer.succeed(Delivery.SmsSender, Delivery.SmsSender.of({ send }))
  )
  return { accepted, senders }
}

const provider = flakyProvider()

const ports = Ports.layerPorts({ hasher: Hasher.Hasher.layerMemory }).pipe(
  Layer.provideMerge(warmDatabase(8))
)

const NOW = DateTime.makeUnsafe("2036-03-01T12:00:00.000Z")

const due = (clinicId: Ids.ClinicId, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const channel = i % 2 === 0 ? "email" : "sms"
    return new Notification.Notification({
      id: Ids.NotificationId.make(`notification-${crypto.randomUUID()}`),
      clinicId,
      patientId: Ids.PatientId.make("patient-ada"),
      channel,
      to: channel === "email" ? "ada@example.org" : "+14165550100",
      language: "en",
      template: "appointment-reminder",
      payload: new Notification.NotificationPayload({
        startsAt: DateTime.addDuration(NOW, "2 hours"),
        path: `/appointments/appointment-${i}`
      }),
      idempotencyKey: `reminder-${i}:${channel}`,
      status: "pending",
      attempts: 0,
      notBefore: DateTime.subtractDuration(NOW, Duration.seconds(i % 30)),
      createdAt: NOW
    })
  })

layer(Layer.mergeAll(ports, provider.senders), { timeout: 120_000, excludeTestServices: true })(
  "the dispatcher on PostgreSQL",
  (it) => {
    it.effect(
      "2 dispatchers running at once over 200 due notifications (a third of sends failing) deliver each exactly once",
      () =>
        Effect.gen(function* () {
          yield* TestClock.setTime(DateTime.toEpochMillis(NOW))
          yield* (yield* Clinic.ClinicRepo).save(Testing.makeClinic())
          const batch = due(Testing.clinicId, 200)
          yield* (yield* Outbox.Outbox).enqueue(batch)
          // Each dispatcher is its own instance of the service, as in two processes.
          const dispatcher = Effect.gen(function* () {
            const d = yield* Dispatcher.Dispatcher
            let sent = 0
            for (let pass = 0; pass < 100; pass++) {
              const summary = yield* d.runOnce({ batchSize: 10 })
              if (summary.claimed === 0) break
              sent += summary.sent
            }
            return sent
          }).pipe(
            // Twenty attempts: with a third of sends failing, none runs out (eight would lose
            // about one notification in 6,500, and the order of calls varies from run to run).
            Effect.provide(
              Dispatcher.Dispatcher.layer.pipe(Layer.provide(Dispatcher.policyLayer({ maxAttempts: 20 })))
            )
          )
          const perDispatcher: Array<[number, number]> = []
          const sql = yield* SqlClient.SqlClient
          const pending = Effect.map(
            sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`,
            (rows) => rows[0]?.n ?? -1
          )
          for (let round = 0; round < 20 && (yield* pending) > 0; round++) {
            perDispatcher.push(yield* Effect.all([dispatcher, dispatcher], { concurrency: 2 }))
            // The longest backoff is capped at 1 h, so every retry is due again.
            yield* TestClock.adjust("1 hour")
          }
          const [first, second] = perDispatcher.reduce(([a, b], [x, y]) => [a + x, b + y], [0, 0])
          assert.strictEqual(first + second, 200, "sent in total")
          assert.isTrue(first > 0 && second > 0, `both dispatchers delivered: ${first} and ${second}`)
          assert.isTrue(perDispatcher.length > 1, "some sends failed and were retried in a later round")
          // Exactly once each, counted by idempotency key at the provider.
          assert.strictEqual(provider.accepted.size, 200)
          assert.deepStrictEqual(
            [...provider.accepted.keys()].sort(),
            batch.map((n) => n.idempotencyKey).sort()
          )
          assert.isTrue([...provider.accepted.values()].every((c) => c === 1))
          const rows = yield* sql<{ readonly status: string; readonly n: number; readonly leased: number }>`
            SELECT status, count(*)::int AS n, count(claimed_until)::int AS leased FROM outbox GROUP BY status`
          assert.deepStrictEqual(
            rows.map((r) => [r.status, r.n, r.leased]),
            [["sent", 200, 0]]
          )
          const retried = yield* sql<{ readonly n: number }>`
            SELECT count(*)::int AS n FROM outbox WHERE attempts > 1 AND last_error = '503 Service Unavailable'`
          assert.isTrue((retried[0]?.n ?? 0) > 0, "retried rows record their last error")
        }).pipe(Effect.provide(TestClock.layer()))
    )
  }
)
