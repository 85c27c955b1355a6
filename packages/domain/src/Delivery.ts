/**
 * The ports through which notifications leave careportal: an email sender and an SMS sender.
 * Adapters: `@careportal/email` (SMTP via nodemailer, console) and `@careportal/sms` (a
 * Twilio-compatible HTTP API, console). The dispatcher (`Dispatcher.ts`) drives them.
 */
import { Context, Effect, Layer, Schema, TxRef } from "effect"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** A calendar invitation or cancellation attached to an appointment email (.ics). */
export class CalendarEvent extends Schema.Class<CalendarEvent>("CalendarEvent")({
  /** `REQUEST` for a booked or moved visit, `CANCEL` for a cancelled one. */
  method: Schema.Literals(["REQUEST", "CANCEL"]),
  /** Stable per appointment, so a move or a cancel updates the same calendar entry. */
  uid: Schema.String,
  /** Grows with each change of the same appointment. */
  sequence: Schema.Int,
  start: Schema.DateTimeUtc,
  end: Schema.DateTimeUtc,
  /** What the calendar shows: the clinic's name and the kind of visit, nothing more. */
  summary: Schema.String,
  /** The appointment's page in the portal. */
  url: Schema.optionalKey(Schema.String),
  /** The clinic's address or "Virtual visit"; no health detail. */
  location: Schema.optionalKey(Schema.String)
}) {}

/** An email ready to send. */
export class EmailMessage extends Schema.Class<EmailMessage>("EmailMessage")({
  to: Schema.String,
  /** The display name it comes from: the clinic's name. */
  fromName: Schema.String,
  subject: Schema.String,
  text: Schema.String,
  html: Schema.String,
  /** Sent as the Message-ID, so a provider that deduplicates never delivers it twice. */
  idempotencyKey: Schema.String,
  calendar: Schema.optionalKey(CalendarEvent)
}) {}

/** An SMS ready to send. */
export class SmsMessage extends Schema.Class<SmsMessage>("SmsMessage")({
  /** E.164. */
  to: Schema.String,
  body: Schema.String,
  /** Sent to the provider as an idempotency header. */
  idempotencyKey: Schema.String
}) {}

/** What a provider said when it accepted a message. */
export class SendReceipt extends Schema.Class<SendReceipt>("SendReceipt")({
  /** The provider's id for the message, when it gives one. */
  providerId: Schema.optionalKey(Schema.String)
}) {}

/**
 * A send that did not go through. `retryable`: a timeout, a 5xx, a 429 (with `retryAfterMs`
 * when the provider said how long), a connection refused; not retryable: the provider refused
 * the message itself (a 4xx other than 429, a rejected address).
 */
export class DeliveryFailed extends Schema.TaggedError<DeliveryFailed>()("DeliveryFailed", {
  retryable: Schema.Boolean,
  reason: Schema.String,
  retryAfterMs: Schema.optionalKey(Schema.Number)
}) {
  override get message() {
    return `${this.retryable ? "Temporary" : "Permanent"} delivery failure: ${this.reason}`
  }
}

/** Sends email. */
export class EmailSender extends Context.Service<
  EmailSender,
  {
    readonly send: (message: EmailMessage) => Effect.Effect<SendReceipt, DeliveryFailed>
  }
>()("@careportal/domain/EmailSender") {
  /** Records every message in memory (tests): see `EmailSenderMemory`. */
  static readonly layerMemory: Layer.Layer<EmailSender | EmailSenderMemory> = Layer.suspend(() =>
    memoryLayer(
      EmailSender,
      EmailSenderMemory,
      () => [],
      (state) =>
        EmailSender.of({
          send: (message) =>
            Effect.as(
              TxRef.update(state, (all) => [...all, message]),
              new SendReceipt({})
            )
        })
    )
  )
}

/** The emails the in-memory sender has sent. */
export class EmailSenderMemory extends Context.Service<
  EmailSenderMemory,
  MemoryHandle<ReadonlyArray<EmailMessage>>
>()("@careportal/domain/EmailSenderMemory") {}

/** Sends SMS. */
export class SmsSender extends Context.Service<
  SmsSender,
  {
    readonly send: (message: SmsMessage) => Effect.Effect<SendReceipt, DeliveryFailed>
  }
>()("@careportal/domain/SmsSender") {
  /** Records every message in memory (tests): see `SmsSenderMemory`. */
  static readonly layerMemory: Layer.Layer<SmsSender | SmsSenderMemory> = Layer.suspend(() =>
    memoryLayer(
      SmsSender,
      SmsSenderMemory,
      () => [],
      (state) =>
        SmsSender.of({
          send: (message) =>
            Effect.as(
              TxRef.update(state, (all) => [...all, message]),
              new SendReceipt({})
            )
        })
    )
  )
}

/** The SMS the in-memory sender has sent. */
export class SmsSenderMemory extends Context.Service<
  SmsSenderMemory,
  MemoryHandle<ReadonlyArray<SmsMessage>>
>()("@careportal/domain/SmsSenderMemory") {}
