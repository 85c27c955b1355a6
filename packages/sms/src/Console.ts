/**
 * Development only: an `SmsSender` that writes each SMS (recipient and text) to the log
 * instead of sending it, so a developer running the portal locally can read login codes and
 * links there. Never use it in production: it sends nothing, and the log then holds the
 * codes that let someone into a patient's portal.
 */
import { Delivery } from "@careportal/domain"
import { Effect, Layer } from "effect"

/** Development only: "sends" by logging the recipient and the text (codes included). */
export const layer: Layer.Layer<Delivery.SmsSender> = Layer.succeed(
  Delivery.SmsSender,
  Delivery.SmsSender.of({
    send: Effect.fn("ConsoleSms.send")(function* (message: Delivery.SmsMessage) {
      yield* Effect.logInfo(`SMS to ${message.to}:\n${message.body}`).pipe(
        Effect.annotateLogs({ sender: "console (development only)", idempotencyKey: message.idempotencyKey })
      )
      return new Delivery.SendReceipt({ providerId: `console:${message.idempotencyKey}` })
    })
  })
)
