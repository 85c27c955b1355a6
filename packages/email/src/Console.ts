/**
 * A development `EmailSender` that prints each message to the log instead of sending it.
 */
import { Delivery } from "@careportal/domain"
import { DateTime, Effect, Layer } from "effect"
import { messageIdFor } from "./Smtp.ts"

const format = (message: Delivery.EmailMessage): string => {
  const calendar = message.calendar
  return [
    `email to ${message.to} from ${message.fromName}`,
    `subject: ${message.subject}`,
    `message-id: ${messageIdFor(message.idempotencyKey)}`,
    ...(calendar === undefined
      ? []
      : [
          `calendar: ${calendar.method} ${calendar.summary} (${DateTime.formatIso(calendar.start)} – ${DateTime.formatIso(calendar.end)})`
        ]),
    "",
    message.text
  ].join("\n")
}

/**
 * Prints every email (recipient, subject, text with its links and login or access codes, the
 * calendar entry) to the log, and sends nothing. For development only: whoever reads the log
 * can use the codes and links, so a deployment must use `Smtp.layerConfig`.
 */
export const layer: Layer.Layer<Delivery.EmailSender> = Layer.succeed(
  Delivery.EmailSender,
  Delivery.EmailSender.of({
    send: Effect.fn("Console.send")(function* (message: Delivery.EmailMessage) {
      yield* Effect.logInfo(format(message))
      return new Delivery.SendReceipt({ providerId: messageIdFor(message.idempotencyKey) })
    })
  })
)
