import { Chart, Ids, Patient, PatientRepo, Scheduling } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import {
  checkupId,
  loginAs,
  MEETING_URL,
  newestVisitCode,
  problemPaths,
  providerId,
  rawJson,
  seedSchedule,
  videoId
} from "./CareSupport.ts"
import {
  ada,
  bearerClient,
  client,
  codeFor,
  cookieClient,
  errorTag,
  grace,
  seed,
  staff,
  TestServer
} from "./support.ts"

const setup = Effect.andThen(seed, seedSchedule)

/** Dr. Chen's open slots of a type starting between `fromHours` and `toHours` from now. */
const slotsAhead = (token: string, typeId: typeof checkupId, fromHours: number, toHours: number) =>
  Effect.gen(function* () {
    const now = yield* DateTime.now
    return yield* (yield* bearerClient(token)).availability.slots({
      params: { id: providerId },
      query: {
        type: typeId,
        from: DateTime.addDuration(now, Duration.hours(fromHours)),
        to: DateTime.addDuration(now, Duration.hours(toHours))
      }
    })
  })

const iso = (d: DateTime.Utc) => DateTime.formatIso(d)

describe("appointments, tasks, visits and demographics through the derived client", () => {
  it.live("journey: availability, book, reschedule, cancel, book another, answer its questionnaire", () =>
    Effect.gen(function* () {
      yield* setup
      const token = yield* loginAs(ada)
      const me = yield* bearerClient(token)

      const slots = yield* slotsAhead(token, checkupId, 48, 72)
      assert.isAtLeast(slots.length, 3)
      const [first, second, third] = slots
      if (first === undefined || second === undefined || third === undefined) return assert.fail("no slots")
      assert.strictEqual(first.end.epochMilliseconds - first.start.epochMilliseconds, 30 * 60_000)

      const booked = yield* me.appointments.request({
        payload: { providerId, typeId: checkupId, start: first.start }
      })
      assert.strictEqual(booked.status, "booked")
      assert.strictEqual(iso(booked.start), iso(first.start))
      assert.strictEqual(booked.patientId, ada.id)
      // The booked slot is no longer offered.
      const after = yield* slotsAhead(token, checkupId, 48, 72)
      assert.notInclude(
        after.map((s) => iso(s.start)),
        iso(first.start)
      )
      const taken = yield* Effect.flip(
        me.appointments.request({ payload: { providerId, typeId: checkupId, start: first.start } })
      )
      assert.strictEqual(errorTag(taken), "SlotUnavailable")

      const moved = yield* me.appointments.reschedule({
        params: { id: booked.id },
        payload: { start: second.start }
      })
      assert.strictEqual(iso(moved.start), iso(second.start))
      assert.strictEqual(
        iso((yield* me.appointments.read({ params: { id: booked.id } })).start),
        iso(second.start)
      )

      const cancelled = yield* me.appointments.cancel({ params: { id: booked.id } })
      assert.strictEqual(cancelled.status, "cancelled")
      const again = yield* Effect.flip(me.appointments.cancel({ params: { id: booked.id } }))
      assert.strictEqual(errorTag(again), "AppointmentNotChangeable")
      assert.strictEqual((again as { status?: unknown }).status, "cancelled")

      const another = yield* me.appointments.request({
        payload: { providerId, typeId: checkupId, start: third.start }
      })
      const upcoming = yield* me.appointments.list({ query: { when: "upcoming" } })
      assert.deepStrictEqual(
        upcoming.map((a) => [a.id, a.status]),
        [
          [booked.id, "cancelled"],
          [another.id, "booked"]
        ]
      )
      assert.deepStrictEqual(yield* me.appointments.list({ query: { when: "past" } }), [])

      const tasks = yield* me.tasks.list({ params: { id: another.id } })
      assert.strictEqual(tasks.length, 1)
      const task = tasks[0]
      if (task === undefined) return assert.fail("no task")
      assert.strictEqual(task.task.status, "open")
      assert.deepStrictEqual(
        task.questionnaire.items.map((i) => i.linkId),
        ["fever", "concerns"]
      )

      const bad = yield* rawJson(
        HttpClientRequest.post(`/v1/tasks/${task.task.id}/response`).pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyJsonUnsafe({ answers: [{ linkId: "fever", answer: "yes" }] })
        )
      )
      assert.strictEqual(bad.status, 422)
      assert.strictEqual(bad.body.error, "QuestionnaireInvalid")
      assert.deepStrictEqual(
        (bad.body.items as ReadonlyArray<{ linkId: string; problem: string }>).map((i) => [
          i.linkId,
          i.problem
        ]),
        [["fever", "wrong-type"]]
      )
      assert.include(String(bad.body.message), "fever")
      const missing = yield* Effect.flip(
        me.tasks.respond({
          params: { id: task.task.id },
          payload: { answers: [{ linkId: "concerns", answer: "x" }] }
        })
      )
      assert.strictEqual(errorTag(missing), "QuestionnaireInvalid")
      assert.deepStrictEqual(
        (missing as { items: ReadonlyArray<{ linkId: string; problem: string }> }).items.map((i) => [
          i.linkId,
          i.problem
        ]),
        [["fever", "required"]]
      )
      assert.deepStrictEqual(yield* (yield* Chart.ChartRepo).listByPatient(ada.id), [])

      const response = yield* me.tasks.respond({
        params: { id: task.task.id },
        payload: { answers: [{ linkId: "fever", answer: false }] }
      })
      assert.deepStrictEqual(
        response.answers.map((a) => [a.linkId, a.answer]),
        [["fever", false]]
      )
      const chart = yield* (yield* Chart.ChartRepo).listByPatient(ada.id)
      assert.deepStrictEqual(
        chart.map((e) => [e.id, e.kind, e.origin]),
        [[response.chartEntryId, "questionnaire-response", `task:${task.task.id}`]]
      )
      const twice = yield* Effect.flip(
        me.tasks.respond({
          params: { id: task.task.id },
          payload: { answers: [{ linkId: "fever", answer: true }] }
        })
      )
      assert.strictEqual(errorTag(twice), "TaskAlreadyCompleted")
      assert.strictEqual((yield* me.tasks.list({ params: { id: another.id } }))[0]?.task.status, "completed")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a cancel or move inside 24 hours answers 409 ChangeWindowClosed", () =>
    Effect.gen(function* () {
      yield* setup
      const token = yield* loginAs(ada)
      const me = yield* bearerClient(token)
      const [soon] = yield* slotsAhead(token, checkupId, 2, 20)
      const [later] = yield* slotsAhead(token, checkupId, 48, 72)
      if (soon === undefined || later === undefined) return assert.fail("no slots")
      const booked = yield* me.appointments.request({
        payload: { providerId, typeId: checkupId, start: soon.start }
      })
      const res = yield* rawJson(
        HttpClientRequest.post(`/v1/appointments/${booked.id}/cancel`).pipe(
          HttpClientRequest.bearerToken(token)
        )
      )
      assert.strictEqual(res.status, 409)
      assert.strictEqual(res.body.error, "ChangeWindowClosed")
      assert.strictEqual(res.body.windowMinutes, 1440)
      assert.strictEqual(res.body.startsAt, iso(soon.start))
      const move = yield* Effect.flip(
        me.appointments.reschedule({ params: { id: booked.id }, payload: { start: later.start } })
      )
      assert.strictEqual(errorTag(move), "ChangeWindowClosed")
      assert.strictEqual((yield* me.appointments.read({ params: { id: booked.id } })).status, "booked")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("an empty or too long availability range answers 400 AvailabilityRangeInvalid", () =>
    Effect.gen(function* () {
      yield* setup
      const token = yield* loginAs(ada)
      const empty = yield* Effect.flip(slotsAhead(token, checkupId, 5, 5))
      assert.strictEqual(errorTag(empty), "AvailabilityRangeInvalid")
      assert.strictEqual((empty as { reason?: unknown }).reason, "empty")
      const now = yield* DateTime.now
      const tooLong = yield* rawJson(
        HttpClientRequest.get(`/v1/providers/${providerId}/availability`).pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.setUrlParams({
            type: checkupId,
            from: iso(now),
            to: iso(DateTime.addDuration(now, Duration.days(90)))
          })
        )
      )
      assert.strictEqual(tooLong.status, 400)
      assert.strictEqual(tooLong.body.error, "AvailabilityRangeInvalid")
      assert.strictEqual(tooLong.body.reason, "too-long")
      const unknown = yield* Effect.flip(
        (yield* bearerClient(token)).availability.slots({
          params: { id: Ids.ProviderId.make("provider-nobody") },
          query: { type: checkupId, from: now, to: DateTime.addDuration(now, Duration.days(1)) }
        })
      )
      assert.strictEqual(errorTag(unknown), "NotFound")
      assert.strictEqual((unknown as { kind?: unknown }).kind, "provider")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("patient A reaching B's appointment or task answers 404, like a missing one", () =>
    Effect.gen(function* () {
      yield* setup
      const graceToken = yield* loginAs(grace)
      const [slot] = yield* slotsAhead(graceToken, checkupId, 48, 72)
      if (slot === undefined) return assert.fail("no slots")
      const gracesClient = yield* bearerClient(graceToken)
      const graces = yield* gracesClient.appointments.request({
        payload: { providerId, typeId: checkupId, start: slot.start }
      })
      const [gracesTask] = yield* gracesClient.tasks.list({ params: { id: graces.id } })
      if (gracesTask === undefined) return assert.fail("no task")

      const adaToken = yield* loginAs(ada)
      const me = yield* bearerClient(adaToken)
      const missingId = Ids.AppointmentId.make("no-such-appointment")
      const foreign = yield* Effect.flip(me.appointments.read({ params: { id: graces.id } }))
      const missing = yield* Effect.flip(me.appointments.read({ params: { id: missingId } }))
      assert.deepStrictEqual(foreign, missing)
      assert.strictEqual(errorTag(foreign), "NotFound")
      const attempts: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
        me.appointments.cancel({ params: { id: graces.id } }),
        me.appointments.reschedule({ params: { id: graces.id }, payload: { start: slot.end } }),
        me.tasks.list({ params: { id: graces.id } }),
        me.tasks.respond({
          params: { id: gracesTask.task.id },
          payload: { answers: [{ linkId: "fever", answer: false }] }
        })
      ]
      for (const attempt of attempts) {
        const e = yield* Effect.flip(attempt)
        assert.strictEqual(errorTag(e), "NotFound")
      }
      const res = yield* rawJson(
        HttpClientRequest.get(`/v1/appointments/${graces.id}/tasks`).pipe(
          HttpClientRequest.bearerToken(adaToken)
        )
      )
      assert.strictEqual(res.status, 404)
      assert.deepStrictEqual(yield* me.appointments.list({ query: {} }), [])
      // Grace's appointment and task are untouched.
      assert.strictEqual(
        (yield* gracesClient.appointments.read({ params: { id: graces.id } })).status,
        "booked"
      )
      assert.strictEqual(
        (yield* gracesClient.tasks.list({ params: { id: graces.id } }))[0]?.task.status,
        "open"
      )
    }).pipe(Effect.provide(TestServer()))
  )

  it.live(
    "a virtual visit: the code from the outbox joins when open, not before, not after; no session needed",
    () =>
      Effect.gen(function* () {
        yield* setup
        const api = yield* client
        const scheduling = yield* Scheduling.Scheduling
        const now = yield* DateTime.now

        // Staff book a video visit starting in a minute: it opens 15 minutes before its start.
        const soon = yield* scheduling.book(staff, {
          patientId: ada.id,
          providerId,
          typeId: videoId,
          start: DateTime.addDuration(now, Duration.minutes(1))
        })
        const code = yield* newestVisitCode
        const joined = yield* api.visits.join({ payload: { code } })
        assert.deepStrictEqual(
          [joined.appointmentId, joined.meetingUrl, iso(joined.startsAt)],
          [soon.id, MEETING_URL, iso(soon.start)]
        )

        const wrong = yield* rawJson(
          HttpClientRequest.post("/v1/virtual-visits/join").pipe(
            HttpClientRequest.bodyJsonUnsafe({
              code: code.toLowerCase() === code ? "ABCDEFGH" : code.toLowerCase()
            })
          )
        )
        assert.strictEqual(wrong.status, 404)
        assert.strictEqual(wrong.body.error, "AccessCodeInvalid")

        // A visit the patient books two days ahead is not open yet.
        const token = yield* loginAs(ada)
        const [slot] = yield* slotsAhead(token, videoId, 48, 72)
        if (slot === undefined) return assert.fail("no slots")
        const later = yield* (yield* bearerClient(token)).appointments.request({
          payload: { providerId, typeId: videoId, start: slot.start }
        })
        const laterCode = yield* newestVisitCode
        assert.notStrictEqual(laterCode, code)
        const early = yield* rawJson(
          HttpClientRequest.post("/v1/virtual-visits/join").pipe(
            HttpClientRequest.bodyJsonUnsafe({ code: laterCode })
          )
        )
        assert.strictEqual(early.status, 409)
        assert.strictEqual(early.body.error, "VisitNotOpenYet")
        assert.strictEqual(early.body.startsAt, iso(later.start))
        assert.strictEqual(
          early.body.opensAt,
          iso(DateTime.subtractDuration(later.start, Duration.minutes(15)))
        )

        // Once the clinic marks the first visit completed, its code answers 410.
        yield* scheduling.complete(staff, soon.id)
        const ended = yield* rawJson(
          HttpClientRequest.post("/v1/virtual-visits/join").pipe(HttpClientRequest.bodyJsonUnsafe({ code }))
        )
        assert.strictEqual(ended.status, 410)
        assert.strictEqual(ended.body.error, "VisitEnded")
        assert.strictEqual(ended.body.endedAt, iso(soon.end))
      }).pipe(Effect.provide(TestServer()))
  )

  it.live("demographics: read, update, refused address, change of email with the code", () =>
    Effect.gen(function* () {
      yield* setup
      const token = yield* loginAs(ada)
      const me = yield* bearerClient(token)

      const mine = yield* me.me.read()
      assert.deepStrictEqual(
        [mine.legalName.family, mine.healthCard.maskedNumber, mine.email, mine.language],
        ["Lovelace", "*******890", "ada@example.org", "en"]
      )

      const updated = yield* me.me.update({
        payload: {
          language: "fr",
          address: {
            line1: " 2 Queen St E ",
            city: "Toronto",
            region: "ON",
            postalCode: "m5c1r6",
            country: "CA"
          }
        }
      })
      assert.strictEqual(updated.language, "fr")
      assert.strictEqual(updated.address?.line1, "2 Queen St E")
      assert.strictEqual(updated.address?.postalCode, "M5C 1R6")
      const chart = yield* (yield* Chart.ChartRepo).listByPatient(ada.id)
      assert.deepStrictEqual(
        chart.map((e) => e.kind),
        ["demographics-change"]
      )

      const refused = yield* rawJson(
        HttpClientRequest.patch("/v1/me").pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyJsonUnsafe({
            address: { line1: "", city: "Toronto", region: "ON", postalCode: "12345", country: "CA" }
          })
        )
      )
      assert.strictEqual(refused.status, 400)
      assert.strictEqual(refused.body.error, "AddressInvalid")
      assert.deepStrictEqual(refused.body.problems, [
        { field: "line1", problem: "empty" },
        { field: "postalCode", problem: "implausible" }
      ])

      const unchanged = yield* Effect.flip(me.me.changeContact({ payload: { email: "ada@example.org" } }))
      assert.strictEqual(errorTag(unchanged), "ContactUnchanged")
      const unreadable = yield* Effect.flip(me.me.changeContact({ payload: { email: "not an email" } }))
      assert.strictEqual(errorTag(unreadable), "ContactInvalid")

      const sent = yield* me.me.changeContact({ payload: { email: "ada.new@example.org" } })
      const code = yield* codeFor(sent.challengeId)
      const resend = yield* rawJson(
        HttpClientRequest.post(`/v1/me/contacts/${sent.challengeId}/resend`).pipe(
          HttpClientRequest.bearerToken(token)
        )
      )
      assert.strictEqual(resend.status, 429)
      assert.strictEqual(resend.body.error, "ResendTooSoon")
      const foreignResend = yield* Effect.flip(
        me.me.resendContactCode({ params: { challengeId: Ids.ChallengeId.make("no-such") } })
      )
      assert.strictEqual(errorTag(foreignResend), "ContactChangeNotFound")
      const wrongCode = code === "000000" ? "111111" : "000000"
      const wrong = yield* Effect.flip(
        me.me.verifyContact({ payload: { challengeId: sent.challengeId, code: wrongCode } })
      )
      assert.strictEqual(errorTag(wrong), "PasscodeInvalid")
      assert.strictEqual((wrong as { attemptsLeft?: unknown }).attemptsLeft, 4)
      const unknown = yield* Effect.flip(
        me.me.verifyContact({ payload: { challengeId: Ids.ChallengeId.make("no-such"), code } })
      )
      assert.strictEqual(errorTag(unknown), "ContactChangeNotFound")
      const changed = yield* me.me.verifyContact({ payload: { challengeId: sent.challengeId, code } })
      assert.strictEqual(changed.email, "ada.new@example.org")
      assert.strictEqual((yield* me.me.read()).email, "ada.new@example.org")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a preference without its contact answers 409 PreferenceNeedsContact; no session answers 401", () =>
    Effect.gen(function* () {
      yield* setup
      const { mobile: _mobile, ...fields } = Testing.makePatient({
        id: Ids.PatientId.make("patient-lin"),
        healthCard: new Patient.HealthCardIdentifier({ idType: "ON-HCN", number: "5550001111" }),
        email: Patient.EmailAddress.make("lin@example.org"),
        notificationPreference: "email"
      })
      const lin = new Patient.Patient(fields)
      yield* (yield* PatientRepo.PatientRepo).save(lin)
      const token = yield* loginAs(lin)
      const res = yield* rawJson(
        HttpClientRequest.patch("/v1/me").pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyJsonUnsafe({ notificationPreference: "sms" })
        )
      )
      assert.strictEqual(res.status, 409)
      assert.strictEqual(res.body.error, "PreferenceNeedsContact")
      assert.deepStrictEqual([res.body.preference, res.body.missing], ["sms", "mobile"])
      assert.strictEqual((yield* (yield* bearerClient(token)).me.read()).notificationPreference, "email")
      // Through the cookie, a change needs the portal's Origin.
      const csrf = yield* Effect.flip(
        (yield* cookieClient(token, "https://evil.example")).me.update({ payload: { language: "fr" } })
      )
      assert.strictEqual(errorTag(csrf), "OriginRefused")
      const viaCookie = yield* (yield* cookieClient(token)).me.update({ payload: { language: "fr" } })
      assert.strictEqual(viaCookie.language, "fr")
      for (const request of [
        HttpClientRequest.get("/v1/me"),
        HttpClientRequest.get("/v1/appointments"),
        HttpClientRequest.get(`/v1/appointments/some-id/tasks`)
      ]) {
        const anonymous = yield* rawJson(request)
        assert.strictEqual(anonymous.status, 401)
        assert.strictEqual(anonymous.body.error, "SessionExpired")
      }
    }).pipe(Effect.provide(TestServer()))
  )
})

describe("the care routes' bad input and OpenAPI document", () => {
  it.live("every care endpoint given a malformed body or query answers 400 naming the field", () =>
    Effect.gen(function* () {
      yield* setup
      const token = yield* loginAs(ada)
      const cases: ReadonlyArray<readonly [HttpClientRequest.HttpClientRequest, ReadonlyArray<string>]> = [
        [
          HttpClientRequest.post("/v1/appointments").pipe(
            HttpClientRequest.bodyJsonUnsafe({ providerId, typeId: checkupId, start: "tomorrow" })
          ),
          ["payload", "start"]
        ],
        [
          HttpClientRequest.post("/v1/appointments").pipe(
            HttpClientRequest.bodyJsonUnsafe({ typeId: checkupId, start: "2030-01-01T10:00:00Z" })
          ),
          ["payload", "providerId"]
        ],
        [
          HttpClientRequest.post("/v1/appointments/some-id/reschedule").pipe(
            HttpClientRequest.bodyJsonUnsafe({ start: 5 })
          ),
          ["payload", "start"]
        ],
        [
          HttpClientRequest.get("/v1/appointments").pipe(HttpClientRequest.setUrlParams({ when: "soon" })),
          ["query", "when"]
        ],
        [
          HttpClientRequest.get(`/v1/providers/${providerId}/availability`).pipe(
            HttpClientRequest.setUrlParams({ type: checkupId, from: "yesterday", to: "2030-01-01T00:00:00Z" })
          ),
          ["query", "from"]
        ],
        [
          HttpClientRequest.post("/v1/tasks/some-task/response").pipe(
            HttpClientRequest.bodyJsonUnsafe({ answers: "fever" })
          ),
          ["payload", "answers"]
        ],
        [
          HttpClientRequest.post("/v1/virtual-visits/join").pipe(
            HttpClientRequest.bodyJsonUnsafe({ code: 12345678 })
          ),
          ["payload", "code"]
        ],
        [
          HttpClientRequest.patch("/v1/me").pipe(HttpClientRequest.bodyJsonUnsafe({ language: "de" })),
          ["payload", "language"]
        ],
        [
          HttpClientRequest.post("/v1/me/contacts/verify").pipe(
            HttpClientRequest.bodyJsonUnsafe({ challengeId: "some-challenge" })
          ),
          ["payload", "code"]
        ]
      ]
      for (const [request, path] of cases) {
        const res = yield* rawJson(request.pipe(HttpClientRequest.bearerToken(token)))
        assert.strictEqual(res.status, 400, `${request.method} ${request.url}`)
        assert.deepStrictEqual(problemPaths(res.body)[0], path, `${request.method} ${request.url}`)
      }
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("/openapi.json lists the care routes with their error statuses", () =>
    Effect.gen(function* () {
      const res = yield* rawJson(HttpClientRequest.get("/openapi.json"))
      const paths = res.body.paths as Record<string, Record<string, { responses: object }>>
      for (const path of [
        "/v1/providers/{id}/availability",
        "/v1/appointments",
        "/v1/appointments/{id}",
        "/v1/appointments/{id}/reschedule",
        "/v1/appointments/{id}/cancel",
        "/v1/appointments/{id}/tasks",
        "/v1/tasks/{id}/response",
        "/v1/virtual-visits/join",
        "/v1/me",
        "/v1/me/contacts",
        "/v1/me/contacts/verify"
      ]) {
        assert.property(paths, path)
      }
      assert.deepStrictEqual(Object.keys(paths["/v1/tasks/{id}/response"]?.post?.responses ?? {}), [
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "422",
        "500"
      ])
      assert.deepStrictEqual(Object.keys(paths["/v1/virtual-visits/join"]?.post?.responses ?? {}), [
        "200",
        "400",
        "404",
        "409",
        "410",
        "429",
        "500"
      ])
    }).pipe(Effect.provide(TestServer()))
  )
})
