/**
 * Fault run: a provider that fails half its calls at random, and deduplicates by idempotency
 * key the way Twilio does. Half of its failures happen after it already handed the SMS to the
 * network (the answer is lost), so only the key the sender passes stops a retry from texting
 * the patient twice. 1,000 messages, each retried while the failure is retryable: every one
 * reaches the handset exactly once.
 */
import { Delivery } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Schedule } from "effect"
import * as Twilio from "../src/Twilio.ts"
import { accountSid, authToken, created, fakeProvider, formValue } from "./FakeProvider.ts"

/** mulberry32: a seeded generator, so a failing run can be replayed with its seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const messages = 1_000

describe("Twilio.layer fault run", () => {
  it.live(
    "1,000 messages through a provider failing 50 % of calls: each delivered exactly once, none lost",
    () =>
      Effect.gen(function* () {
        const seed = Number(process.env.SMS_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31))
        const next = random(seed)
        const sidByKey = new Map<string, string>()
        // What reached handsets, counted by text (unique per message), so a second send shows
        // even if it came with a different key or none.
        const handset = new Map<string, number>()
        const stats = { calls: 0, sent: 0, failedBefore: 0, lostAnswers: 0, deduplicated: 0 }
        const deliver = (key: string | undefined, body: string): string => {
          const known = key === undefined ? undefined : sidByKey.get(key)
          if (known !== undefined) {
            stats.deduplicated++
            return known
          }
          const sid = `SM${String(++stats.sent).padStart(8, "0")}`
          handset.set(body, (handset.get(body) ?? 0) + 1)
          if (key !== undefined) sidByKey.set(key, sid)
          return sid
        }
        const provider = yield* fakeProvider((request) => {
          stats.calls++
          const roll = next()
          if (roll < 0.25) {
            stats.failedBefore++
            return { status: 500, body: { code: 20500, message: "Internal Server Error" } }
          }
          const sid = deliver(request.idempotencyKey, formValue(request, "Body") ?? "")
          if (roll < 0.5) {
            stats.lostAnswers++
            return { status: 500, body: { code: 20500, message: "Internal Server Error" } }
          }
          return created(sid, request)
        })

        const outbox = Array.from(
          { length: messages },
          (_, i) =>
            new Delivery.SmsMessage({
              to: `+1647555${String(i).padStart(4, "0")}`,
              body: `Clinic: your code for notice ${i} is ${(i * 7919) % 100_000}`,
              idempotencyKey: `notification-${i}:sms`
            })
        )
        const receipts = yield* Effect.gen(function* () {
          const sms = yield* Delivery.SmsSender
          return yield* Effect.forEach(
            outbox,
            (message) =>
              sms.send(message).pipe(
                Effect.retry({
                  schedule: Schedule.max([Schedule.spaced("1 millis"), Schedule.recurs(60)]),
                  while: (error) => error.retryable
                })
              ),
            { concurrency: 32 }
          )
        }).pipe(
          Effect.provide(
            Twilio.layer({
              accountSid,
              authToken: Redacted.make(authToken),
              from: "+15005550006",
              baseUrl: provider.url,
              timeout: "5 seconds"
            })
          )
        )

        const context = `seed ${seed} (replay with SMS_FAULT_SEED=${seed}); ${JSON.stringify(stats)}`
        // The faults really happened, on both sides of the hand-off, and the key did the work.
        assert.isAbove(stats.failedBefore, 300, context)
        assert.isAbove(stats.lostAnswers, 300, context)
        assert.isAbove(stats.deduplicated, 300, context)
        assert.strictEqual(stats.calls, provider.received.length, context)
        // Every message: one key delivered, its text on a handset exactly once.
        assert.strictEqual(sidByKey.size, messages, context)
        assert.strictEqual(handset.size, messages, context)
        assert.strictEqual(stats.sent, messages, context)
        const twice = [...handset].filter(([, count]) => count !== 1)
        assert.deepStrictEqual(twice, [], context)
        // Each sender's receipt names the provider's one message for that key.
        assert.strictEqual(receipts.length, messages)
        receipts.forEach((receipt, i) => {
          assert.strictEqual(receipt.providerId, sidByKey.get(`notification-${i}:sms`), context)
        })
      }),
    20_000
  )
})
