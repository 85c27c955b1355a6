/**
 * The whole portal domain wired as the server wires it (`Testing.layerCareMemory`): one
 * patient's journey through every service, end to end, on one clock. Each step's rules have
 * their own suites; this one proves the services work together: the booking creates the
 * pre-visit task and the visit code, the link in a message notification opens the message,
 * the upload lands in the chart, and the audit chain holds throughout.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { type Appointment, AppointmentType, Provider, WeeklyHours } from "../src/Appointment.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import { ChartRepo } from "../src/Chart.ts"
import { ClinicRepo } from "../src/Clinic.ts"
import { Demographics } from "../src/Demographics.ts"
import { Hasher } from "../src/Hasher.ts"
import { AppointmentTypeId, ProviderId, StaffId } from "../src/Ids.ts"
import { Messaging } from "../src/Messaging.ts"
import { openCode } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { PreVisit } from "../src/PreVisit.ts"
import { ScheduleRepo } from "../src/ScheduleRepo.ts"
import { Scheduling } from "../src/Scheduling.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"
import { Uploads } from "../src/Uploads.ts"
import { VirtualVisits } from "../src/VirtualVisits.ts"
import { loginAs } from "./support.ts"

const staff = new StaffPrincipal({ staffId: StaffId.make("staff-reception"), clinicId: Testing.clinicId })
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4])

/** The newest code sent for a notification matching `match`, opened as the patient's device would. */
const newestCode = (
  match: (n: { readonly template: string; readonly payload: { readonly path?: string } }) => boolean
) =>
  Effect.gen(function* () {
    const note = [...(yield* (yield* Outbox).all)].reverse().find(match)
    if (note === undefined) return yield* Effect.die(new Error("no such notification"))
    const code = yield* openCode(yield* Hasher, note)
    if (Option.isNone(code)) return yield* Effect.die(new Error("the notification carries no code"))
    return { note, code: code.value }
  })

describe("the portal, end to end", () => {
  it.effect("a patient's journey through every service keeps the audit chain intact", () =>
    Effect.gen(function* () {
      // Monday 2026-07-06, 08:00 in Toronto (12:00Z).
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-07-06T12:00:00Z")))
      yield* (yield* ClinicRepo).save(Testing.makeClinic())
      const patient = Testing.makePatient()
      yield* (yield* PatientRepo).save(patient)
      const schedule = yield* ScheduleRepo
      const providerId = ProviderId.make("provider-chen")
      yield* schedule.saveProvider(
        new Provider({
          id: providerId,
          clinicId: Testing.clinicId,
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
          clinicId: Testing.clinicId,
          name: "Video follow-up",
          mode: "virtual",
          durationMinutes: 30,
          patientBooking: "book",
          questionnaireIds: [questionnaire.id]
        })
      )

      // Log in, find a slot two days ahead, book it.
      const grant = yield* loginAs(patient)
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
      assert.isDefined(slot)
      if (slot === undefined) return
      // Wednesday 09:00 in Toronto is 13:00Z in summer.
      assert.strictEqual(DateTime.formatIso(slot.start), "2026-07-08T13:00:00.000Z")
      const booked: Appointment = yield* scheduling.request(me, { providerId, typeId, start: slot.start })
      assert.strictEqual(booked.status, "booked")

      // The booking created the pre-visit task; answering files it into the chart.
      const [task] = yield* (yield* PreVisit).tasksFor(me, booked.id)
      assert.isDefined(task)
      if (task === undefined) return
      yield* (yield* PreVisit).respond(me, task.task.id, [{ linkId: "fever", answer: false }])
      const chart = yield* (yield* ChartRepo).listByPatient(patient.id)
      assert.deepStrictEqual(
        chart.map((e) => e.kind),
        ["questionnaire-response"]
      )

      // The visit code is queued for 5 min before the start and joins from 15 min before.
      const visit = yield* newestCode((n) => n.template === "virtual-visit-code")
      assert.strictEqual(
        DateTime.toEpochMillis(visit.note.notBefore),
        DateTime.toEpochMillis(slot.start) - Duration.toMillis(Duration.minutes(5))
      )
      const visits = yield* VirtualVisits
      const early = yield* Effect.flip(visits.join(visit.code))
      assert.strictEqual(early._tag, "VisitNotOpenYet")
      yield* TestClock.setTime(DateTime.toEpochMillis(slot.start) - Duration.toMillis(Duration.minutes(15)))
      const joined = yield* visits.join(visit.code)
      assert.strictEqual(joined.meetingUrl, "https://meet.example.org/dr-chen")

      // A message from the clinic: its notification's link and code open it, with the date of birth.
      const messaging = yield* Messaging
      const sent = yield* messaging.send(staff, {
        patientId: patient.id,
        subject: "Your results",
        body: "Your blood work is normal.",
        replyAllowed: true
      })
      const link = sent.link
      assert.isNotNull(link)
      if (link === null) return
      const message = yield* newestCode((n) => n.payload.path === `/links/${link.linkId}`)
      const auth = yield* Authentication
      const opened = yield* auth.openLink(link.linkId, message.code, patient.dateOfBirth, false)
      assert.strictEqual(opened.target.id, sent.message.id)
      const thread = yield* messaging.read(opened.grant.principal, sent.message.id)
      assert.strictEqual(thread.message.body, "Your blood work is normal.")
      yield* messaging.reply(opened.grant.principal, sent.message.id, "Thank you!")

      // An upload request: the photo lands in the chart, where staff see it.
      const uploads = yield* Uploads
      const requested = yield* uploads.request(staff, { patientId: patient.id })
      yield* uploads.upload(me, requested.request.id, PNG, "rash.jpg")
      const kinds = (yield* (yield* ChartRepo).listByPatient(patient.id)).map((e) => e.kind).sort()
      assert.deepStrictEqual(kinds, ["photo", "questionnaire-response"])

      // Demographics: a preference change is filed too.
      yield* (yield* Demographics).update(me, { notificationPreference: "sms" })
      assert.strictEqual((yield* (yield* ChartRepo).listByPatient(patient.id)).length, 3)

      // Every step left an audit event, and the chain verifies.
      const report = yield* (yield* AuditLog).verify(Testing.clinicId)
      assert.strictEqual(report._tag, "Intact")
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
        assert.isTrue(actions.has(action), `audit has ${action}`)
      }
    }).pipe(Effect.provide(Testing.layerCareMemory()))
  )
})
