/**
 * The composed reference server for the browser tests, serving the built portal on a fresh
 * embedded database at a known port (so PUBLIC_URL and the allowed origin are its own
 * address), and a clinic per language set up through the staff routes. Codes are read from the
 * email and SMS the dispatcher delivered, as a patient reads their inbox.
 */
import * as net from "node:net"
import { ApiKeys, Clinic, type Delivery, Ids } from "@careportal/domain"
import { Effect, Exit, Redacted, References, Scope, TxRef } from "effect"
import { FetchHttpClient } from "effect/http"
import {
  clientFor,
  type Environment,
  embeddedEnvironment,
  type RunningServer,
  startServer
} from "../../reference-server/test/JourneySupport.ts"

/** A port nobody listens on now. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

/** The server, running until `stop`. */
export interface Portal {
  readonly server: RunningServer
  readonly baseUrl: string
  readonly stop: () => Promise<void>
}

/** Starts the server on a fresh embedded database; `extra` adds to its environment. */
export const startPortal = async (extra: Environment = {}): Promise<Portal> => {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(
    Effect.flatMap(embeddedEnvironment, (environment) =>
      startServer({
        ...environment,
        PORT: String(port),
        PUBLIC_URL: baseUrl,
        // The tests log in many times from one address.
        RATE_LIMIT_LOGIN: "1000",
        RATE_LIMIT_VERIFY: "1000",
        RATE_LIMIT_LINK_OPEN: "1000",
        RATE_LIMIT_RESEND: "1000",
        RATE_LIMIT_VISIT_JOIN: "1000",
        ...extra
      })
    ).pipe(
      Scope.provide(scope),
      // The request log of every page load would bury the test report.
      Effect.provideService(References.MinimumLogLevel, "Warn")
    )
  )
  return { server, baseUrl, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** What a patient received, newest first: the texts of their emails and SMS. */
export const inbox = (portal: Portal, to: string): ReadonlyArray<string> => {
  const emails = Effect.runSync(TxRef.get(portal.server.emails.state)) as ReadonlyArray<Delivery.EmailMessage>
  const sms = Effect.runSync(TxRef.get(portal.server.sms.state)) as ReadonlyArray<Delivery.SmsMessage>
  return [
    ...emails.filter((m) => m.to === to).map((m) => m.text),
    ...sms.filter((m) => m.to === to).map((m) => m.body)
  ].reverse()
}

/** How many messages `to` has received so far. */
export const inboxSize = (portal: Portal, to: string) => inbox(portal, to).length

/** Waits (up to 30 s) for a new message to `to` (after `since` of them) that `pick` recognises. */
export const awaitMessage = async <A>(
  portal: Portal,
  to: string,
  since: number,
  pick: (text: string) => A | undefined
): Promise<A> => {
  for (let i = 0; i < 300; i++) {
    const all = inbox(portal, to)
    const fresh = all.slice(0, Math.max(0, all.length - since))
    for (const text of fresh) {
      const found = pick(text)
      if (found !== undefined) return found
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  const emails = Effect.runSync(TxRef.get(portal.server.emails.state)) as ReadonlyArray<Delivery.EmailMessage>
  throw new Error(
    `no message to ${to} arrived within 30 s; the last emails went to ${emails
      .slice(-5)
      .map((m) => `${m.to} (${m.subject})`)
      .join(", ")}`
  )
}

/** The link and code of a notification link's message. */
export const linkIn = (text: string) => {
  const link = /(https?:\/\/\S+\/links\/[0-9a-f-]+)/.exec(text)?.[1]
  const code = /Code ?: ([A-Za-z0-9]+)/.exec(text)?.[1]
  return link === undefined || code === undefined ? undefined : { link, code }
}

/** A login code (6 digits) in a message. */
export const loginCodeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1]

/** A contact's confirmation code (8 characters, case-sensitive) in a message. */
export const confirmationCodeIn = (text: string) => /(?:code is|:) ([A-Za-z0-9]{8})\b/.exec(text)?.[1]

/** One language's clinic and patient, set up as a front desk would. */
export const seedClinic = async (portal: Portal, language: "en" | "fr") => {
  const n = language === "en" ? 1 : 2
  const clinic = new Clinic.Clinic({
    id: Ids.ClinicId.make(`clinic-browser-${language}`),
    slug: `lakeshore-${language}`,
    name: language === "en" ? "Lakeshore Family Health" : "Santé familiale Lakeshore",
    timeZone: "America/Toronto",
    languages: ["en", "fr"],
    portalUrl: "https://portal.example.org/unused"
  })
  const patient = {
    card: `${n}357 924 680`,
    dateOfBirth: "1985-12-10",
    email: `patient.${language}@example.org`,
    mobile: `+1416555012${n}`,
    given: language === "en" ? "Ada" : "Gabrielle"
  }
  return Effect.runPromise(
    Effect.gen(function* () {
      const issued = yield* Effect.gen(function* () {
        yield* (yield* Clinic.ClinicRepo).save(clinic)
        return yield* (yield* ApiKeys.ApiKeys).issue({
          clinicId: clinic.id,
          staffId: Ids.StaffId.make(`staff-browser-${language}`),
          label: "browser tests"
        })
      }).pipe(Effect.provide(portal.server.context))
      const desk = yield* clientFor(portal.baseUrl, Redacted.value(issued.key))
      const registered = yield* desk.staffPatients.register({
        payload: {
          healthCard: { idType: "ON-HCN", number: patient.card },
          legalName: { given: patient.given, family: "Lovelace" },
          dateOfBirth: patient.dateOfBirth,
          email: patient.email,
          mobile: patient.mobile,
          notificationPreference: "email",
          address: {
            line1: "10 Lake Shore Blvd W",
            city: "Toronto",
            region: "ON",
            postalCode: "M5V 1A1",
            country: "CA"
          },
          language
        }
      })
      const provider = yield* desk.staffSchedule.createProvider({
        payload: {
          name: "Dr. Okafor",
          weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "23:30" })),
          meetingUrl: "https://meet.example.org/okafor"
        }
      })
      yield* desk.staffSchedule.createProvider({
        payload: { name: "Dr. Tremblay", weeklyHours: [{ weekday: 1, start: "09:00", end: "12:00" }] }
      })
      const questionnaire = yield* desk.staffCare.defineQuestionnaire({
        payload: {
          title: language === "en" ? "Before your check-up" : "Avant votre bilan",
          items: [
            {
              type: "boolean",
              linkId: "fever",
              text: language === "en" ? "Any fever this week?" : "De la fièvre cette semaine?",
              required: true
            },
            {
              type: "integer",
              linkId: "sleep",
              text: language === "en" ? "Hours of sleep a night" : "Heures de sommeil par nuit",
              required: true,
              minValue: 0,
              maxValue: 24
            },
            {
              type: "text",
              linkId: "concerns",
              text: language === "en" ? "Anything else?" : "Autre chose?",
              required: false,
              maxLength: 500
            }
          ]
        }
      })
      const checkup = yield* desk.staffSchedule.createAppointmentType({
        payload: {
          name: language === "en" ? "Check-up" : "Bilan de santé",
          mode: "in-person",
          durationMinutes: 30,
          patientBooking: "book",
          questionnaireIds: [questionnaire.id]
        }
      })
      yield* desk.staffSchedule.createAppointmentType({
        payload: {
          name: language === "en" ? "Consultation (on request)" : "Consultation (sur demande)",
          mode: "in-person",
          durationMinutes: 30,
          patientBooking: "request",
          questionnaireIds: []
        }
      })
      const video = yield* desk.staffSchedule.createAppointmentType({
        payload: {
          name: language === "en" ? "Video check-in" : "Suivi vidéo",
          mode: "virtual",
          durationMinutes: 5,
          patientBooking: "book",
          questionnaireIds: []
        }
      })
      // Older messages first, so the newest is the one with replies allowed.
      for (let i = 1; i <= 10; i++) {
        yield* desk.staffCare.sendMessage({
          payload: {
            patientId: registered.id,
            subject: language === "en" ? `Clinic newsletter ${i}` : `Bulletin de la clinique ${i}`,
            body:
              language === "en" ? "Flu shots are available." : "Les vaccins contre la grippe sont offerts.",
            replyAllowed: false
          }
        })
      }
      const closed = yield* desk.staffCare.sendMessage({
        payload: {
          patientId: registered.id,
          subject: language === "en" ? "Holiday hours" : "Heures des Fêtes",
          body:
            language === "en"
              ? "The clinic is closed on December 25."
              : "La clinique est fermée le 25 décembre.",
          replyAllowed: false
        }
      })
      const results = yield* desk.staffCare.sendMessage({
        payload: {
          patientId: registered.id,
          subject: language === "en" ? "Your test results" : "Vos résultats d'analyse",
          body:
            language === "en"
              ? "Your blood work is normal. Reply with any question."
              : "Vos analyses sanguines sont normales. Répondez si vous avez une question.",
          replyAllowed: true
        }
      })
      if (results.link === null) return yield* Effect.die(new Error("the message's link was not issued"))
      return {
        clinic,
        patient: { ...patient, id: registered.id },
        desk,
        provider,
        checkup,
        video,
        closed,
        results: { message: results.message, link: results.link }
      }
    }).pipe(Effect.orDie, Effect.provide(FetchHttpClient.layer))
  )
}
