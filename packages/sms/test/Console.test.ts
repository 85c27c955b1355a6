/**
 * The development console sender: each SMS's recipient and full text (its code included)
 * reach the log, where a developer reads them; nothing is sent anywhere.
 */
import { Delivery } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import * as Console from "../src/Console.ts"

describe("Console.layer", () => {
  it.effect("logs the recipient and the text of every SMS, and answers a receipt", () =>
    Effect.gen(function* () {
      const logged: Array<{ readonly level: string; readonly message: string }> = []
      const capture = Logger.make((options) => {
        logged.push({ level: options.logLevel, message: String(options.message) })
      })
      const first = new Delivery.SmsMessage({
        to: "+16475550123",
        body: "Northside Clinic: your code is 4F7K-9QMZ",
        idempotencyKey: "n-1:sms"
      })
      const second = new Delivery.SmsMessage({
        to: "+14165550999",
        body: "Northside Clinic: a new message https://portal.example/l/abc",
        idempotencyKey: "n-2:sms"
      })
      const receipts = yield* Effect.gen(function* () {
        const sms = yield* Delivery.SmsSender
        return [yield* sms.send(first), yield* sms.send(second)]
      }).pipe(Effect.provide(Console.layer), Effect.provide(Logger.layer([capture])))
      assert.deepStrictEqual(receipts, [
        new Delivery.SendReceipt({ providerId: "console:n-1:sms" }),
        new Delivery.SendReceipt({ providerId: "console:n-2:sms" })
      ])
      assert.strictEqual(logged.length, 2)
      const [one, two] = logged
      for (const [entry, message] of [
        [one, first],
        [two, second]
      ] as const) {
        assert.strictEqual(entry?.level, "Info")
        assert.include(entry?.message, message.to)
        assert.include(entry?.message, message.body)
      }
    })
  )
})
