// The examples of docs/care-features.md, kept here so that `pnpm check` proves they compile.
// Each function is one section of the guide.
import {
  AuditLog,
  Demographics,
  Ids,
  Messaging,
  Notifications,
  PreVisit,
  Scheduling,
  type Session,
  type Staff,
  Uploads,
  VirtualVisits
} from "@careportal/domain"
import { DateTime, Duration, Effect, Redacted } from "effect"

declare const me: Session.PatientPrincipal // from Authentication.authenticate(token)
declare const staff: Staff.StaffPrincipal // from the clinic's API key at the HTTP edge

// --- Messaging
export const messaging = Effect.gen(function* () {
  const messages = yield* Messaging.Messaging
  // Staff write; the patient is notified with a quick link that carries no health detail.
  const { message } = yield* messages.send(staff, {
    patientId: Ids.PatientId.make("patient-ada"),
    subject: "Your results",
    body: "Your blood work is normal.",
    replyAllowed: true
  })
  // The patient pages through their messages, newest first, and reads one (marking it read).
  const page = yield* messages.list(me, { limit: 20 })
  const thread = yield* messages.read(me, message.id)
  // Replying where the clinic disallows it fails with ReplyNotAllowed.
  yield* messages.reply(me, message.id, "Thank you!")
  return { page, thread }
})

// --- Scheduling
export const scheduling = Effect.gen(function* () {
  const scheduling = yield* Scheduling.Scheduling
  const providerId = Ids.ProviderId.make("provider-chen")
  const typeId = Ids.AppointmentTypeId.make("type-video")
  const now = yield* DateTime.now
  // Open slots in the next week: weekly hours in the clinic's zone − booked − blocked − past.
  const slots = yield* scheduling.availability(
    me,
    providerId,
    typeId,
    now,
    DateTime.addDuration(now, Duration.days(7))
  )
  const [first, second] = slots
  if (first === undefined || second === undefined) return
  // Booked directly, or requested for staff to confirm, depending on the appointment type.
  const appointment = yield* scheduling.request(me, { providerId, typeId, start: first.start })
  // Moving or cancelling is refused from 24 h before the start (ChangeWindowClosed).
  yield* scheduling.reschedule(me, appointment.id, second.start)
  yield* scheduling.cancel(me, appointment.id)
})

// --- PreVisit
export const preVisit = Effect.gen(function* () {
  const preVisit = yield* PreVisit.PreVisit
  // Staff define a questionnaire once and list its id on an appointment type.
  const questionnaire = yield* preVisit.defineQuestionnaire(staff, {
    title: "Before your visit",
    items: [
      { type: "boolean", linkId: "fever", text: "Any fever this week?", required: true },
      {
        type: "integer",
        linkId: "pain",
        text: "Pain from 0 to 10",
        required: true,
        minValue: 0,
        maxValue: 10
      }
    ]
  })
  // Booking an appointment of that type creates the task; the answers are checked item by
  // item (QuestionnaireInvalid lists every failing one) and filed into the chart at once.
  const [task] = yield* preVisit.tasksFor(me, Ids.AppointmentId.make("appointment-1"))
  if (task !== undefined) {
    yield* preVisit.respond(me, task.task.id, [
      { linkId: "fever", answer: false },
      { linkId: "pain", answer: 3 }
    ])
  }
  return questionnaire
})

// --- VirtualVisits
export const virtualVisits = Effect.gen(function* () {
  const visits = yield* VirtualVisits.VirtualVisits
  // The code from the notification is the credential: from 15 min before the start to the end.
  const join = yield* visits.join(Redacted.make("Xk7mP2qR"))
  // Staff can send a new code, which replaces the old one.
  yield* visits.resendCode(staff, join.appointmentId)
  return join.meetingUrl
})

// --- Uploads
export const uploads = (photo: Uint8Array) =>
  Effect.gen(function* () {
    const uploads = yield* Uploads.Uploads
    // Staff ask for a photo; the patient gets an upload link (3 days, single use).
    const { request } = yield* uploads.request(staff, { patientId: Ids.PatientId.make("patient-ada") })
    // JPEG, PNG or HEIC by their bytes, at most 10 MiB; filed into the chart as a photo.
    return yield* uploads.upload(me, request.id, photo, "IMG_0042.HEIC")
  })

// --- Demographics
export const demographics = Effect.gen(function* () {
  const demographics = yield* Demographics.Demographics
  // Filed into the chart as a demographics change at once.
  yield* demographics.update(me, { notificationPreference: "both" })
  // A new email becomes a login contact only once the code sent to it is entered;
  // then every other session of the patient ends.
  const { challengeId } = yield* demographics.requestContactChange(me, { email: "ada@new.example.org" })
  return yield* demographics.confirmContactChange(me, { challengeId, code: Redacted.make("Q3hT9wZa") })
})

// --- Notifications and the audit log
export const notificationsAndAudit = (clinic: Parameters<typeof Notifications.render>[1]) =>
  Effect.gen(function* () {
    const audit = yield* AuditLog.AuditLog
    // Every read and write of patient data is an event of a hash chain per clinic.
    const report = yield* audit.verify(clinic.id)
    // What a patient would read: the clinic's name, the kind of event, a time, a link.
    const render = (n: Parameters<typeof Notifications.render>[0]) => Notifications.render(n, clinic)
    return { report, render }
  })
