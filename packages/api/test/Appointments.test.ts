/**
 * Whom and what a patient can book, through the derived client on a real port:
 * `availability.providers` (`GET /v1/providers`) and `availability.appointmentTypes`
 * (`GET /v1/appointment-types`) answer the session's clinic's records only, in the shapes a
 * patient needs, and nothing without a session.
 */
import { Appointment, Clinic, Ids, Patient, PatientRepo, ScheduleRepo } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import { checkupId, loginAs, MEETING_URL, providerId, rawJson, seedSchedule, videoId } from "./CareSupport.ts"
import { ada, bearerClient, client, codeFor, cookieClient, errorTag, seed, TestServer } from "./support.ts"

const ottawaId = Ids.ClinicId.make("clinic-ottawa")

/** Lin, a patient of the Ottawa clinic. */
const lin = Testing.makePatient({
  id: Ids.PatientId.make("patient-lin"),
  clinicId: ottawaId,
  healthCard: new Patient.HealthCardIdentifier({ idType: "ON-HCN", number: "5550001111" }),
  email: Patient.EmailAddress.make("lin@example.org"),
  mobile: Patient.E164.make("+16135550100")
})

const ottawaProviderId = Ids.ProviderId.make("provider-ottawa")
const ottawaTypeId = Ids.AppointmentTypeId.make("type-ottawa")

/** Toronto's fixtures plus a second Toronto provider and an Ottawa clinic with its own provider, type and patient. */
const setup = Effect.gen(function* () {
  yield* seed
  yield* seedSchedule
  const schedule = yield* ScheduleRepo.ScheduleRepo
  yield* schedule.saveProvider(
    new Appointment.Provider({
      id: Ids.ProviderId.make("provider-abara"),
      clinicId: Testing.clinicId,
      name: "Dr. Abara",
      weeklyHours: []
    })
  )
  yield* (yield* Clinic.ClinicRepo).save(
    Testing.makeClinic({ id: ottawaId, slug: "ottawa", name: "Ottawa Family Health" })
  )
  yield* schedule.saveProvider(
    new Appointment.Provider({
      id: ottawaProviderId,
      clinicId: ottawaId,
      name: "Dr. Aaron",
      weeklyHours: [new Appointment.WeeklyHours({ weekday: 1, start: "09:00", end: "12:00" })],
      meetingUrl: "https://meet.example.org/dr-aaron"
    })
  )
  yield* schedule.saveType(
    new Appointment.AppointmentType({
      id: ottawaTypeId,
      clinicId: ottawaId,
      name: "A first visit",
      mode: "in-person",
      durationMinutes: 45,
      patientBooking: "request",
      questionnaireIds: []
    })
  )
  yield* (yield* PatientRepo.PatientRepo).save(lin)
})

/** Lin logs in to the Ottawa portal; returns the token. */
const loginLin = Effect.gen(function* () {
  const api = yield* client
  const challenge = yield* api.auth.login({
    payload: {
      clinic: "ottawa",
      identifier: { idType: lin.healthCard.idType, number: lin.healthCard.number },
      contact: lin.email ?? ""
    }
  })
  const code = yield* codeFor(challenge.challengeId)
  const session = yield* api.auth.verify({
    params: { challengeId: challenge.challengeId },
    payload: { code, stayLoggedIn: false }
  })
  return session.token
})

describe("the providers and appointment types a patient chooses from", () => {
  it.live("a patient lists their clinic's providers by name, as { id, name } only", () =>
    Effect.gen(function* () {
      yield* setup
      const token = yield* loginAs(ada)
      const providers = yield* (yield* bearerClient(token)).availability.providers()
      assert.deepStrictEqual(providers, [
        { id: Ids.ProviderId.make("provider-abara"), name: "Dr. Abara" },
        { id: providerId, name: "Dr. Chen" }
      ])
      // On the wire too: no weekly hours, no meeting link, nothing of the Ottawa clinic.
      const res = yield* rawJson(
        HttpClientRequest.get("/v1/providers").pipe(HttpClientRequest.bearerToken(token))
      )
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(res.body, [
        { id: "provider-abara", name: "Dr. Abara" },
        { id: "provider-chen", name: "Dr. Chen" }
      ] as unknown as Record<string, unknown>)
      const text = JSON.stringify(res.body)
      for (const hidden of ["weeklyHours", MEETING_URL, "clinicId", "provider-ottawa", "Dr. Aaron"]) {
        assert.notInclude(text, hidden)
      }
      // What the list hands out is what availability takes.
      const from = DateTime.add(yield* DateTime.now, { days: 2 })
      const slots = yield* (yield* bearerClient(token)).availability.slots({
        params: { id: providers[1]?.id ?? providerId },
        query: { type: checkupId, from, to: DateTime.add(from, { days: 1 }) }
      })
      assert.isAbove(slots.length, 0)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a patient lists their clinic's appointment types by name, without questionnaires", () =>
    Effect.gen(function* () {
      yield* setup
      const token = yield* loginAs(ada)
      const types = yield* (yield* cookieClient(token)).availability.appointmentTypes()
      assert.deepStrictEqual(types, [
        { id: checkupId, name: "Check-up", mode: "in-person", durationMinutes: 30, patientBooking: "book" },
        { id: videoId, name: "Video follow-up", mode: "virtual", durationMinutes: 30, patientBooking: "book" }
      ])
      const res = yield* rawJson(
        HttpClientRequest.get("/v1/appointment-types").pipe(HttpClientRequest.bearerToken(token))
      )
      assert.strictEqual(res.status, 200)
      for (const type of res.body as unknown as ReadonlyArray<Record<string, unknown>>) {
        assert.deepStrictEqual(Object.keys(type).sort(), [
          "durationMinutes",
          "id",
          "mode",
          "name",
          "patientBooking"
        ])
      }
      assert.notInclude(JSON.stringify(res.body), "type-ottawa")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a patient of another clinic sees only that clinic's providers and types", () =>
    Effect.gen(function* () {
      yield* setup
      const linApi = yield* bearerClient(yield* loginLin)
      assert.deepStrictEqual(yield* linApi.availability.providers(), [
        { id: ottawaProviderId, name: "Dr. Aaron" }
      ])
      assert.deepStrictEqual(yield* linApi.availability.appointmentTypes(), [
        {
          id: ottawaTypeId,
          name: "A first visit",
          mode: "in-person",
          durationMinutes: 45,
          patientBooking: "request"
        }
      ])
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("without a session both answer 401 SessionExpired", () =>
    Effect.gen(function* () {
      yield* setup
      const anonymous = yield* client
      assert.strictEqual(errorTag(yield* Effect.flip(anonymous.availability.providers())), "SessionExpired")
      assert.strictEqual(
        errorTag(yield* Effect.flip(anonymous.availability.appointmentTypes())),
        "SessionExpired"
      )
      const stale = yield* bearerClient("not-a-session-token")
      assert.strictEqual(errorTag(yield* Effect.flip(stale.availability.providers())), "SessionExpired")
      for (const path of ["/v1/providers", "/v1/appointment-types"]) {
        const res = yield* rawJson(HttpClientRequest.get(path))
        assert.strictEqual(res.status, 401, path)
        assert.strictEqual(res.body.error, "SessionExpired", path)
      }
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("/openapi.json documents both routes under the availability group", () =>
    Effect.gen(function* () {
      const res = yield* rawJson(HttpClientRequest.get("/openapi.json"))
      const paths = res.body.paths as Record<
        string,
        Record<string, { summary?: string; tags?: ReadonlyArray<string>; responses: object }>
      >
      for (const path of ["/v1/providers", "/v1/appointment-types"]) {
        const get = paths[path]?.get
        assert.isDefined(get, path)
        assert.deepStrictEqual(get?.tags, ["availability"], path)
        assert.isTrue((get?.summary ?? "").length > 0, path)
        assert.includeMembers(Object.keys(get?.responses ?? {}), ["200", "401"], path)
      }
    }).pipe(Effect.provide(TestServer()))
  )
})
