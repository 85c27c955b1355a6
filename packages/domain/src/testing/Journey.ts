/**
 * One patient's journey through every service, end to end, on one clock: the booking creates
 * the pre-visit task and the visit code, the link in a message notification opens the message,
 * the upload lands in the chart, and the audit chain holds throughout. It needs the services
 * (`Portal.layerServices`) on any ports, so the same journey runs in memory and on every
 * adapter. Run it under `TestClock` (it sets the time).
 */
import { DateTime, Duration, Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { AppointmentType, Provider, WeeklyHours } from "../Appointment.ts"
import { AuditLog } from "../AuditLog.ts"
import { Authentication } from "../Authentication.ts"
import { ChartRepo } from "../Chart.ts"
import { ClinicRepo } from "../Clinic.ts"
import { Demographics } from "../Demographics.ts"
import { Hasher } from "../Hasher.ts"
import { AppointmentTypeId, ProviderId, StaffId } from "../Ids.ts"
import { Messaging } from "../Messaging.ts"
import type { Notification } from "../Notification.ts"
import { openCode } from "../Notifications.ts"
import { Outbox } from "../Outbox.ts"
import type { Patient } from "../Patient.ts"
import { PatientRepo } from "../PatientRepo.ts"
import { PreVisit } from "../PreVisit.ts"
import { ScheduleRepo } from "../ScheduleRepo.ts"
import { Scheduling } from "../Scheduling.ts"
import { StaffPrincipal } from "../Staff.ts"
import { Uploads } from "../Uploads.ts"
import { VirtualVisits } from "../VirtualVisits.ts"
import { expect, expectEqual } from "./Contract.ts"
import { clinicId as fixtureClinicId, makeClinic, makePatient } from "./fixtures.ts"

const staff = new StaffPrincipal({ staffId: StaffId.make("staff-reception"), clinicId: fixtureClinicId })
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4])

/** The newest code sent in a notification matching `match`, opened as the patient's device would. */
const newestCode = (match: (n: Notification) => boolean) =>
  Effect.gen(function* () {
    const note = [...(yield* (yield* Outbox).all)].reverse().find(match)
    if (note === undefined) return yield* Effect.die(new Error("no such notification"))
    const code = yield* openCode(yield* Hasher, note)
    if (Option.isNone(code)) return yield* Effect.die(new Error("the notification carries no code"))
    return { note, code: code.value }
  })

/** Logs a patient in with the code their email received. */
const login = (patient: Patient) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const { challengeId } = yield* auth.startLogin({
      clinicId: patient.clinicId,
      identifier: patient.healthCard,
      contact: patient.email ?? ""
    })
    const { code } = yield* newestCode((n) => n.payload.challengeId === challengeId)
    return yield* auth.verifyLogin(challengeId, code, false)
  })

/** The journey; fails with a `ContractViolation` (or a service's error) where it goes wrong. */
export const patientJourney = Effect.gen(function* () {
  // Monday 2026-07-06, 08:00 in Toronto (12:00Z).
  yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-07-06T12:00:00Z")))
  yield* (yield* ClinicRepo).save(makeClinic())
  const patient = makePatient()
  yield* (yield* PatientRepo).save(patient)
  const schedule = yield* ScheduleRepo
  const providerId = ProviderId.make("provider-chen")
  yield* schedule.saveProvider(
    new Provider({
      id: providerId,
      clinicId: fixtureClinicId,
      name: "Dr. Chen",
      weeklyHours: [1, 2, 3, 4, 5].map(
        (weekday) => new WeeklyHours({ weekday, start: "09:00", end: "12:00" })
      ),
      meetingUrl: "https://meet.example.org/dr-chen"
    })
  )
  const questionnaire = yield* (yield* PreVisit).defineQuestionnaire(staff, {
    title: "Before your visit",
    items: [
      { type: "boolean", linkId: "fever", text: "Any fever this week?", required: true },
      { type: "text", linkId: "concerns", text: "Anything else?", required: false, maxLength: 500 }
    ]
  })
  const typeId = AppointmentTypeId.make("type-video")
  yield* schedule.saveType(
    new AppointmentType({
      id: typeId,
      clinicId: fixtureClinicId,
      name: "Video follow-up",
      mode: "virtual",
      durationMinutes: 30,
      patientBooking: "book",
      questionnaireIds: [questionnaire.id]
    })
  )

  // Log in, find a slot two days ahead, book it.
  const grant = yield* login(patient)
  const me = grant.principal
  const scheduling = yield* Scheduling
  const now = yield* DateTime.now
  const slots = yield* scheduling.availability(
    me,
    providerId,
    typeId,
    DateTime.addDuration(now, Duration.days(2)),
    DateTime.addDuration(now, Duration.days(3))
  )
  const slot = slots[0]
  if (slot === undefined) return
  // Wednesday 09:00 in Toronto is 13:00Z in summer.
  yield* expectEqual(
    DateTime.formatIso(slot.start),
    "2026-07-08T13:00:00.000Z",
    "Wednesday 09:00 in Toronto is 13:00Z in summer"
  )
  const booked = yield* scheduling.request(me, { providerId, typeId, start: slot.start })
  yield* expectEqual(booked.status, "booked", "a bookable type books directly")

  // The booking created the pre-visit task; answering files it into the chart.
  const [task] = yield* (yield* PreVisit).tasksFor(me, booked.id)
  if (task === undefined) return
  yield* (yield* PreVisit).respond(me, task.task.id, [{ linkId: "fever", answer: false }])
  const chart = yield* (yield* ChartRepo).listByPatient(patient.id)
  yield* expectEqual(
    chart.map((e) => e.kind),
    ["questionnaire-response"],
    "the response is in the chart"
  )

  // The visit code is queued for 5 min before the start and joins from 15 min before.
  const visit = yield* newestCode((n) => n.template === "virtual-visit-code")
  yield* expectEqual(
    DateTime.toEpochMillis(visit.note.notBefore),
    DateTime.toEpochMillis(slot.start) - Duration.toMillis(Duration.minutes(5)),
    "the visit code is queued 5 min before the start"
  )
  const visits = yield* VirtualVisits
  const early = yield* Effect.flip(visits.join(visit.code))
  yield* expectEqual(early._tag, "VisitNotOpenYet", "too early to join")
  yield* TestClock.setTime(DateTime.toEpochMillis(slot.start) - Duration.toMillis(Duration.minutes(15)))
  const joined = yield* visits.join(visit.code)
  yield* expectEqual(joined.meetingUrl, "https://meet.example.org/dr-chen", "join gives the meeting room")

  // A message from the clinic: its notification's link and code open it, with the date of birth.
  const messaging = yield* Messaging
  const sent = yield* messaging.send(staff, {
    patientId: patient.id,
    subject: "Your results",
    body: "Your blood work is normal.",
    replyAllowed: true
  })
  const link = sent.link
  if (link === null) return
  const message = yield* newestCode((n) => n.payload.path === `/links/${link.linkId}`)
  const auth = yield* Authentication
  const opened = yield* auth.openLink(link.linkId, message.code, patient.dateOfBirth, false)
  yield* expectEqual(opened.target.id, sent.message.id, "the link opens its message")
  const thread = yield* messaging.read(opened.grant.principal, sent.message.id)
  yield* expectEqual(thread.message.body, "Your blood work is normal.", "the message reads back")
  yield* messaging.reply(opened.grant.principal, sent.message.id, "Thank you!")

  // An upload request: the photo lands in the chart, where staff see it.
  const uploads = yield* Uploads
  const requested = yield* uploads.request(staff, { patientId: patient.id })
  yield* uploads.upload(me, requested.request.id, PNG, "rash.jpg")
  const kinds = (yield* (yield* ChartRepo).listByPatient(patient.id)).map((e) => e.kind).sort()
  yield* expectEqual(kinds, ["photo", "questionnaire-response"], "the photo is in the chart")

  // Demographics: a preference change is filed too.
  yield* (yield* Demographics).update(me, { notificationPreference: "sms" })
  yield* expectEqual(
    (yield* (yield* ChartRepo).listByPatient(patient.id)).length,
    3,
    "the demographics change is in the chart"
  )

  // Every step left an audit event, and the chain verifies.
  const report = yield* (yield* AuditLog).verify(fixtureClinicId)
  yield* expectEqual(report._tag, "Intact", "the audit chain verifies")
  const actions = new Set((yield* (yield* AuditLog).all).map((e) => e.action))
  for (const action of [
    "login.succeeded",
    "appointment.booked",
    "task.responded",
    "visit.joined",
    "message.sent",
    "link.opened",
    "message.read",
    "message.replied",
    "photo.uploaded",
    "demographics.updated"
  ]) {
    yield* expect(actions.has(action), `the audit log has ${action}`)
  }
})
