/**
 * The development console sender: it prints what a developer needs to follow a login or a
 * link — recipient, subject, the text with its code and link, the calendar entry — and sends
 * nothing.
 */
import { Delivery } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Logger } from "effect"
import * as Console from "../src/Console.ts"

describe("Console.layer", () => {
  it.effect("logs recipient, subject, text (code and link) and the calendar summary", () =>
    Effect.gen(function* () {
      const logged: Array<string> = []
      const capture = Logger.layer([
        Logger.make(({ message }) => {
          logged.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
        })
      ])
      const receipt = yield* Effect.gen(function* () {
        const sender = yield* Delivery.EmailSender
        return yield* sender.send(
          new Delivery.EmailMessage({
            to: "p1234@example.org",
            fromName: "Toronto West Family Health",
            subject: "Toronto West Family Health: your virtual visit",
            text: "Your virtual visit.\nhttps://portal.example.org/toronto-west/visits/v1\nAccess code: Xy7Kp3Qm",
            html: "<p>Your virtual visit.</p>",
            idempotencyKey: "visit:v1:code:email",
            calendar: new Delivery.CalendarEvent({
              method: "REQUEST",
              uid: "appointment-v1@careportal",
              sequence: 0,
              start: DateTime.makeUnsafe("2026-03-08T14:30:00Z"),
              end: DateTime.makeUnsafe("2026-03-08T15:00:00Z"),
              summary: "Toronto West Family Health: virtual visit"
            })
          })
        )
      }).pipe(Effect.provide(Layer.merge(Console.layer, capture)))
      assert.lengthOf(logged, 1)
      const line = logged[0] ?? ""
      for (const part of [
        "p1234@example.org",
        "Toronto West Family Health: your virtual visit",
        "https://portal.example.org/toronto-west/visits/v1",
        "Access code: Xy7Kp3Qm",
        "Toronto West Family Health: virtual visit",
        "2026-03-08T14:30:00.000Z"
      ]) {
        assert.include(line, part)
      }
      assert.strictEqual(receipt.providerId, "<visit=3Av1=3Acode=3Aemail@careportal>")
    })
  )
})
