/**
 * The domain side of notifications: which channels a notification goes to, its idempotency
 * key, when it may be sent, and how it reads. Delivery (SMTP, SMS, retries) is the
 * dispatcher's job; this module decides what is sent and guarantees it carries no health
 * detail.
 */
import { Context, DateTime, Effect, Layer, Redacted } from "effect"
import type { Clinic } from "./Clinic.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import type { Hasher } from "./Hasher.ts"
import { NotificationId } from "./Ids.ts"
import { Notification, type NotificationPayload, type NotificationTemplate } from "./Notification.ts"
import { Outbox } from "./Outbox.ts"
import type { DeliveryChannel } from "./Passcode.ts"
import type { Patient } from "./Patient.ts"

/** What to queue for one patient. */
export interface QueueRequest {
  readonly patient: Patient
  readonly template: NotificationTemplate
  readonly payload: NotificationPayload
  /** The notification's own key; each channel's idempotency key is `${key}:${channel}`. */
  readonly key: string
  /** Not before this instant (default: now). */
  readonly notBefore?: DateTime.Utc
  /** Notifications withdrawn together share a group key. */
  readonly groupKey?: string
  /** Channels to use instead of the patient's preference (a login code goes where it was asked). */
  readonly channel?: DeliveryChannel
}

/** Queues notifications in the outbox, one per channel. */
export class Notifications extends Context.Service<
  Notifications,
  {
    /**
     * Records one notification per channel: the patient's preference (`both` gives two), or
     * the channel asked for; a channel without a contact on file is skipped and, when the
     * preference cannot be met at all, whichever contact exists is used. Returns what was
     * queued (nothing when the patient has no contact at all).
     */
    readonly queue: (request: QueueRequest) => Effect.Effect<ReadonlyArray<Notification>>
    /** Withdraws the pending notifications of a group (reminders of a moved or cancelled visit). */
    readonly withdraw: (groupKey: string) => Effect.Effect<number>
  }
>()("@careportal/domain/Notifications") {
  /** On the `Outbox` and `CodeGenerator` ports. */
  static readonly layer: Layer.Layer<Notifications, never, Outbox | CodeGenerator> = Layer.effect(
    Notifications,
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const generator = yield* CodeGenerator
      const queue = Effect.fn("Notifications.queue")(function* (request: QueueRequest) {
        const now = yield* DateTime.now
        const notifications: Array<Notification> = []
        for (const { channel, to } of destinations(request.patient, request.channel)) {
          notifications.push(
            new Notification({
              id: NotificationId.make(yield* generator.uuid),
              clinicId: request.patient.clinicId,
              patientId: request.patient.id,
              channel,
              to,
              language: request.patient.language,
              template: request.template,
              payload: request.payload,
              idempotencyKey: `${request.key}:${channel}`,
              ...(request.groupKey === undefined ? {} : { groupKey: request.groupKey }),
              status: "pending",
              attempts: 0,
              notBefore: request.notBefore ?? now,
              createdAt: now
            })
          )
        }
        yield* outbox.enqueue(notifications)
        return notifications
      })
      return Notifications.of({
        queue,
        withdraw: Effect.fn("Notifications.withdraw")(function* (groupKey: string) {
          return yield* outbox.withdraw(groupKey)
        })
      })
    })
  )
}

/**
 * The addresses a notification goes to: the requested channels (or the preference) where a
 * contact exists; if none does, whichever contact exists.
 */
export const destinations = (
  patient: Patient,
  channel: DeliveryChannel = patient.notificationPreference
): ReadonlyArray<{ readonly channel: "email" | "sms"; readonly to: string }> => {
  const pick = (c: DeliveryChannel) => {
    const out: Array<{ readonly channel: "email" | "sms"; readonly to: string }> = []
    if ((c === "email" || c === "both") && patient.email !== undefined)
      out.push({ channel: "email", to: patient.email })
    if ((c === "sms" || c === "both") && patient.mobile !== undefined)
      out.push({ channel: "sms", to: patient.mobile })
    return out
  }
  const wanted = pick(channel)
  return wanted.length > 0 ? wanted : pick("both").slice(0, 1)
}

/** A rendered message: what the patient reads. */
export interface RenderedMessage {
  readonly subject: string
  readonly text: string
}

const formatTime = (clinic: Clinic, instant: DateTime.Utc, language: "en" | "fr"): string => {
  const zoned = DateTime.makeZonedUnsafe(instant, { timeZone: clinic.timeZone })
  return DateTime.format(zoned, {
    locale: language === "fr" ? "fr-CA" : "en-CA",
    dateStyle: "full",
    timeStyle: "short"
  })
}

/**
 * Renders a notification. It can say only: the clinic's name, the kind of event, a time in
 * the clinic's zone, a link into the portal, and — for code messages — the code, passed in
 * already opened by the dispatcher. Nothing else of the patient's record is within its reach.
 * The link is `${clinic.portalUrl}${path}`: the dispatcher passes the clinic at its
 * `PortalAddress` (`Clinic.atPortalAddress`).
 */
export const render = (
  notification: Notification,
  clinic: Clinic,
  code?: Redacted.Redacted<string>
): RenderedMessage => {
  const fr = notification.language === "fr"
  const p = notification.payload
  const link = p.path === undefined ? "" : `${clinic.portalUrl}${p.path}`
  const when = p.startsAt === undefined ? "" : formatTime(clinic, p.startsAt, notification.language)
  const codeText = code === undefined ? "" : Redacted.value(code)
  const name = clinic.name
  const lines = (...xs: ReadonlyArray<string>) => xs.filter((x) => x.length > 0).join("\n")
  switch (notification.template) {
    case "login-code":
      return fr
        ? {
            subject: `${name} : votre code de connexion`,
            text: `Votre code de connexion au portail ${name} : ${codeText}`
          }
        : { subject: `${name}: your login code`, text: `Your ${name} portal login code is ${codeText}` }
    case "contact-verify-code":
      return fr
        ? {
            subject: `${name} : confirmez votre coordonnée`,
            text: `Code de confirmation ${name} : ${codeText}`
          }
        : { subject: `${name}: confirm your contact`, text: `Your ${name} confirmation code is ${codeText}` }
    case "link-code":
      return fr
        ? {
            subject: `${name} : du nouveau dans votre portail`,
            text: lines(
              `${name} a du nouveau pour vous dans le portail.`,
              link,
              codeText && `Code : ${codeText}`
            )
          }
        : {
            subject: `${name}: something new in your portal`,
            text: lines(
              `${name} has something new for you in the portal.`,
              link,
              codeText && `Code: ${codeText}`
            )
          }
    case "virtual-visit-code":
      return fr
        ? {
            subject: `${name} : votre visite virtuelle`,
            text: lines(
              `Votre visite virtuelle avec ${name} : ${when}.`,
              link,
              codeText && `Code d'accès : ${codeText}`
            )
          }
        : {
            subject: `${name}: your virtual visit`,
            text: lines(
              `Your virtual visit with ${name}: ${when}.`,
              link,
              codeText && `Access code: ${codeText}`
            )
          }
    case "contact-changed": {
      // A security notice to the contact being replaced: no link (a notice that asks for a
      // click is what phishing looks like), no new contact, only what to do if it was not you.
      if (fr) {
        const what =
          p.contactKind === "email"
            ? "Votre adresse courriel a été modifiée"
            : p.contactKind === "mobile"
              ? "Votre numéro de cellulaire a été modifié"
              : "Vos coordonnées ont été modifiées"
        return {
          subject: `${name} : ${what.charAt(0).toLowerCase()}${what.slice(1)}`,
          text: `${what} dans le portail ${name}. Si vous n'avez pas fait ce changement, appelez ${name} sans tarder.`
        }
      }
      const what =
        p.contactKind === "email"
          ? "email address"
          : p.contactKind === "mobile"
            ? "mobile number"
            : "contact details"
      return {
        subject: `${name}: your ${what} was changed`,
        text: `The ${what} for your ${name} portal account was changed. If this wasn't you, call ${name} right away.`
      }
    }
    case "appointment-requested":
    case "appointment-booked":
    case "appointment-rescheduled":
    case "appointment-cancelled":
    case "appointment-reminder": {
      const event = fr ? FR_EVENTS[notification.template] : EN_EVENTS[notification.template]
      return {
        subject: `${name}: ${event}`,
        text: lines(fr ? `${name} — ${event} : ${when}.` : `${name} — ${event}: ${when}.`, link)
      }
    }
  }
}

const EN_EVENTS = {
  "appointment-requested": "appointment requested",
  "appointment-booked": "appointment booked",
  "appointment-rescheduled": "appointment moved",
  "appointment-cancelled": "appointment cancelled",
  "appointment-reminder": "appointment reminder"
} as const

const FR_EVENTS = {
  "appointment-requested": "rendez-vous demandé",
  "appointment-booked": "rendez-vous confirmé",
  "appointment-rescheduled": "rendez-vous déplacé",
  "appointment-cancelled": "rendez-vous annulé",
  "appointment-reminder": "rappel de rendez-vous"
} as const

/**
 * Opens the code a notification carries, for rendering it: `None` when it carries none. Only
 * the delivery step (and tests playing the patient's device) should call it.
 */
export const openCode = (hasher: Hasher["Service"], notification: Notification) => {
  const { code, codeContext } = notification.payload
  return code === undefined || codeContext === undefined
    ? Effect.succeedNone
    : Effect.asSome(hasher.open(codeContext, code))
}
