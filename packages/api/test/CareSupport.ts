/**
 * Fixtures for the care groups' tests: a provider with hours every day of the week, an in-person
 * type with a questionnaire and a virtual type, patients logging in through the API, the newest
 * visit code from the outbox, and raw requests for what the derived client hides.
 */
import {
  Appointment,
  Hasher,
  Ids,
  Notifications,
  Outbox,
  type Patient,
  PreVisit,
  ScheduleRepo
} from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { HttpClient, type HttpClientRequest } from "effect/http"
import { client, codeFor, staff } from "./support.ts"

/** Dr. Chen, open every day 00:00–23:30 in Toronto, so slots exist whenever the tests run. */
export const providerId = Ids.ProviderId.make("provider-chen")
/** The in-person check-up, with the pre-visit questionnaire. */
export const checkupId = Ids.AppointmentTypeId.make("type-checkup")
/** The video follow-up. */
export const videoId = Ids.AppointmentTypeId.make("type-video")
/** Dr. Chen's video room. */
export const MEETING_URL = "https://meet.example.org/dr-chen"

/** Saves the provider, the questionnaire and the two types. */
export const seedSchedule = Effect.gen(function* () {
  const schedule = yield* ScheduleRepo.ScheduleRepo
  yield* schedule.saveProvider(
    new Appointment.Provider({
      id: providerId,
      clinicId: Testing.clinicId,
      name: "Dr. Chen",
      weeklyHours: [1, 2, 3, 4, 5, 6, 7].map(
        (weekday) => new Appointment.WeeklyHours({ weekday, start: "00:00", end: "23:30" })
      ),
      meetingUrl: MEETING_URL
    })
  )
  const questionnaire = yield* (yield* PreVisit.PreVisit).defineQuestionnaire(staff, {
    title: "Before your visit",
    items: [
      { type: "boolean", linkId: "fever", text: "Any fever this week?", required: true },
      { type: "text", linkId: "concerns", text: "Anything else?", required: false, maxLength: 500 }
    ]
  })
  yield* schedule.saveType(
    new Appointment.AppointmentType({
      id: checkupId,
      clinicId: Testing.clinicId,
      name: "Check-up",
      mode: "in-person",
      durationMinutes: 30,
      patientBooking: "book",
      questionnaireIds: [questionnaire.id]
    })
  )
  yield* schedule.saveType(
    new Appointment.AppointmentType({
      id: videoId,
      clinicId: Testing.clinicId,
      name: "Video follow-up",
      mode: "virtual",
      durationMinutes: 30,
      patientBooking: "book",
      questionnaireIds: []
    })
  )
})

/** A patient of the fixtures logs in through the API with the code their email received; returns the token. */
export const loginAs = (patient: Patient.Patient) =>
  Effect.gen(function* () {
    const api = yield* client
    const challenge = yield* api.auth.login({
      payload: {
        clinic: "toronto-west",
        identifier: { idType: patient.healthCard.idType, number: patient.healthCard.number },
        contact: patient.email ?? ""
      }
    })
    const code = yield* codeFor(challenge.challengeId)
    const session = yield* api.auth.verify({
      params: { challengeId: challenge.challengeId },
      payload: { code, stayLoggedIn: false }
    })
    return session.token
  })

/** The newest virtual-visit code in the outbox, as the patient's device reads it. */
export const newestVisitCode = Effect.gen(function* () {
  const note = [...(yield* (yield* Outbox.Outbox).all)]
    .reverse()
    .find((n) => n.template === "virtual-visit-code")
  if (note === undefined) return yield* Effect.die(new Error("no visit code was sent"))
  const code = yield* Notifications.openCode(yield* Hasher.Hasher, note)
  if (Option.isNone(code)) return yield* Effect.die(new Error("the notification carries no code"))
  return Redacted.value(code.value)
})

/** The raw response of a request, body parsed as JSON: for statuses and bodies the derived client hides. */
export const rawJson = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const response = yield* (yield* HttpClient.HttpClient).execute(request)
    const text = yield* response.text
    assert.notMatch(text, /\bat [^\s]+ \(|\.ts:\d+|node:internal|stack/i)
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> }
  })

/** The paths of a 400 problem-details body's errors. */
export const problemPaths = (body: Record<string, unknown>): ReadonlyArray<ReadonlyArray<string>> =>
  (body.errors as ReadonlyArray<{ readonly path: ReadonlyArray<string> }>).map((e) => e.path)
