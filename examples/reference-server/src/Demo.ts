/**
 * The demo clinic the reference server starts with: Toronto West Family Health (`toronto-west`),
 * two providers with weekly hours, three appointment types (one virtual, one with a pre-visit
 * questionnaire), Ada Lovelace (health card ON-HCN 1234-567-890, ada@example.org) with a message
 * from the clinic and an upcoming appointment. Every step checks before it writes, so seeding
 * twice changes nothing.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import {
  ApiKeys,
  Appointment,
  AppointmentRepo,
  Clinic,
  Ids,
  MessageRepo,
  Messaging,
  PatientRepo,
  PreVisit,
  ScheduleRepo,
  Scheduling,
  Staff
} from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { DateTime, Effect, Option, Redacted } from "effect"
import * as Environment from "./Environment.ts"

/** The demo clinic's slug, as typed at login. */
export const CLINIC_SLUG = "toronto-west"

/** The seeded patient, as the README's login uses her. */
export const patient = Testing.makePatient()

const clinicId = Testing.clinicId
const staff = new Staff.StaffPrincipal({ staffId: Ids.StaffId.make("staff-reception"), clinicId })
const drChen = Ids.ProviderId.make("provider-chen")
const drOkafor = Ids.ProviderId.make("provider-okafor")
const videoFollowUp = Ids.AppointmentTypeId.make("type-video-follow-up")
const newPatientVisit = Ids.AppointmentTypeId.make("type-new-patient")
const inPersonFollowUp = Ids.AppointmentTypeId.make("type-in-person-follow-up")
const QUESTIONNAIRE_TITLE = "Before your first visit"

const weekdays = (start: string, end: string) =>
  [1, 2, 3, 4, 5].map((weekday) => new Appointment.WeeklyHours({ weekday, start, end }))

/** 14:00 in Toronto on the first weekday at least two days from now (Dr. Okafor's afternoon). */
const upcomingSlot = Effect.gen(function* () {
  const now = yield* DateTime.now
  let day = DateTime.setParts(
    DateTime.setZone(DateTime.add(now, { days: 2 }), DateTime.zoneMakeNamedUnsafe("America/Toronto")),
    { hour: 14, minute: 0, second: 0, millisecond: 0 }
  )
  while (DateTime.getPart(day, "weekDay") === 0 || DateTime.getPart(day, "weekDay") === 6) {
    day = DateTime.add(day, { days: 1 })
  }
  return DateTime.toUtc(day)
})

/** Seeds the demo clinic; returns what it wrote (an empty list when everything was there). */
export const seed = Effect.gen(function* () {
  const clinics = yield* Clinic.ClinicRepo
  const patients = yield* PatientRepo.PatientRepo
  const schedule = yield* ScheduleRepo.ScheduleRepo
  const appointments = yield* AppointmentRepo.AppointmentRepo
  const messages = yield* MessageRepo.MessageRepo
  const wrote: Array<string> = []

  if (Option.isNone(yield* clinics.findById(clinicId))) {
    yield* clinics.save(Testing.makeClinic({ portalUrl: `${yield* Environment.publicUrl}/${CLINIC_SLUG}` }))
    wrote.push("clinic toronto-west")
  }
  if (Option.isNone(yield* patients.findById(patient.id))) {
    yield* patients.save(patient)
    wrote.push("patient Ada Lovelace")
  }

  const providers = [
    new Appointment.Provider({
      id: drChen,
      clinicId,
      name: "Dr. Chen",
      weeklyHours: weekdays("09:00", "12:00"),
      meetingUrl: "https://meet.example.org/dr-chen"
    }),
    new Appointment.Provider({
      id: drOkafor,
      clinicId,
      name: "Dr. Okafor",
      weeklyHours: weekdays("13:00", "17:00")
    })
  ]
  for (const provider of providers) {
    if (Option.isNone(yield* schedule.findProvider(provider.id))) {
      yield* schedule.saveProvider(provider)
      wrote.push(`provider ${provider.name}`)
    }
  }

  const preVisit = yield* PreVisit.PreVisit
  const existing = (yield* preVisit.listQuestionnaires(staff)).find((q) => q.title === QUESTIONNAIRE_TITLE)
  const questionnaire =
    existing ??
    (yield* preVisit
      .defineQuestionnaire(staff, {
        title: QUESTIONNAIRE_TITLE,
        items: [
          { type: "boolean", linkId: "allergies", text: "Do you have any allergies?", required: true },
          {
            type: "text",
            linkId: "medications",
            text: "Which medications do you take?",
            required: false,
            maxLength: 500
          }
        ]
      })
      .pipe(Effect.orDie))
  if (existing === undefined) wrote.push(`questionnaire "${QUESTIONNAIRE_TITLE}"`)

  const types = [
    new Appointment.AppointmentType({
      id: videoFollowUp,
      clinicId,
      name: "Video follow-up",
      mode: "virtual",
      durationMinutes: 15,
      patientBooking: "book",
      questionnaireIds: []
    }),
    new Appointment.AppointmentType({
      id: newPatientVisit,
      clinicId,
      name: "New patient visit",
      mode: "in-person",
      durationMinutes: 45,
      patientBooking: "request",
      questionnaireIds: [questionnaire.id]
    }),
    new Appointment.AppointmentType({
      id: inPersonFollowUp,
      clinicId,
      name: "In-person follow-up",
      mode: "in-person",
      durationMinutes: 30,
      patientBooking: "book",
      questionnaireIds: [questionnaire.id]
    })
  ]
  for (const type of types) {
    if (Option.isNone(yield* schedule.findType(type.id))) {
      yield* schedule.saveType(type)
      wrote.push(`appointment type ${type.name}`)
    }
  }

  if ((yield* messages.listByPatient(clinicId, patient.id)).length === 0) {
    yield* (yield* Messaging.Messaging).send(staff, {
      patientId: patient.id,
      subject: "Welcome to the portal",
      body: "Hello Ada, your clinic now answers here. Your flu shot is due this fall; book it when it suits you.",
      replyAllowed: true
    })
    wrote.push("a message from the clinic")
  }

  const now = yield* DateTime.now
  const upcoming = (yield* appointments.listByPatient(patient.id)).filter(
    (a) => Appointment.isActive(a) && DateTime.isGreaterThan(a.start, now)
  )
  if (upcoming.length === 0) {
    const start = yield* upcomingSlot
    // Booked as the front desk would, so its pre-visit questionnaire is waiting in the portal.
    yield* (yield* Scheduling.Scheduling)
      .book(staff, { patientId: patient.id, providerId: drOkafor, typeId: inPersonFollowUp, start })
      .pipe(Effect.orDie)
    wrote.push(`an appointment with Dr. Okafor on ${DateTime.formatIso(start)}`)
  }
  return wrote
}).pipe(Effect.withSpan("Demo.seed"))

/**
 * Seeds only when the demo clinic has no providers yet: the first start of an empty embedded
 * database (or one the old login walkthrough left behind).
 */
export const seedIfEmpty = Effect.gen(function* () {
  if (Option.isSome(yield* (yield* ScheduleRepo.ScheduleRepo).findProvider(drOkafor))) return
  const wrote = yield* seed
  yield* Effect.logInfo(`demo data seeded: ${wrote.join(", ")}`)
})

/** The file of the data directory that holds the demo clinic's development API key. */
export const STAFF_KEY_FILE = "careportal-demo-staff-key"

/**
 * Issues a clinic API key for the demo clinic's front desk when the clinic has none yet, and
 * writes it to `dir/careportal-demo-staff-key` (mode 600): the key is shown once, and a log is
 * no place for it. Returns the file's path when it wrote one.
 */
export const writeStaffKeyIfNone = (dir: string) =>
  Effect.gen(function* () {
    const keys = yield* ApiKeys.ApiKeys
    if ((yield* keys.list(staff)).length > 0) return undefined
    const issued = yield* keys.issue({
      clinicId,
      staffId: Ids.StaffId.make("reception"),
      label: "demo front desk (development)"
    })
    const file = path.join(dir, STAFF_KEY_FILE)
    yield* Effect.sync(() => {
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(file, `${Redacted.value(issued.key)}\n`, { mode: 0o600 })
    })
    return file
  }).pipe(Effect.orDie, Effect.withSpan("Demo.writeStaffKeyIfNone"))
