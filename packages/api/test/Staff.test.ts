/**
 * The clinic side through the derived client: a clinic API key sets up a schedule, registers a
 * patient, books, messages and asks for a photo; the patient's answers reach the chart; keys
 * are scoped to their clinic, stored hashed, and stop working when revoked.
 */
import { ApiKeyStore, ApiKeys, AuditLog, Clinic, Ids } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Redacted, TxRef } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { Api } from "../src/Contract.ts"
import { problemPaths, rawJson } from "./CareSupport.ts"
import { ada, bearerClient, errorTag, login, seed, TestServer } from "./support.ts"

/** The derived client calling with a clinic API key. */
const staffClient = (key: string) =>
  HttpApiClient.make(Api, { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(key)) })

/** A second clinic, to prove keys stay within theirs. */
const otherClinicId = Ids.ClinicId.make("clinic-ottawa")

/** The fixtures' clinic and patients, a second clinic, and a key for each. */
const setup = Effect.gen(function* () {
  yield* seed
  yield* (yield* Clinic.ClinicRepo).save(
    Testing.makeClinic({ id: otherClinicId, slug: "ottawa", name: "Ottawa Family Health" })
  )
  const keys = yield* ApiKeys.ApiKeys
  const reception = yield* keys.issue({
    clinicId: Testing.clinicId,
    staffId: Ids.StaffId.make("reception"),
    label: "front desk"
  })
  const ottawa = yield* keys.issue({
    clinicId: otherClinicId,
    staffId: Ids.StaffId.make("ottawa-desk"),
    label: "Ottawa front desk"
  })
  return { key: Redacted.value(reception.key), otherKey: Redacted.value(ottawa.key) }
})

const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "23:30" }))

type StaffClient = Effect.Success<ReturnType<typeof staffClient>>

/**
 * The schedule the booking tests start from: the pre-visit questionnaire, a provider open
 * around the clock (`provider`: name, meeting link), and an in-person check-up that requires
 * the questionnaire.
 */
const defineSchedule = (
  clinic: StaffClient,
  provider: { readonly name: string; readonly meetingUrl?: string }
) =>
  Effect.gen(function* () {
    const questionnaire = yield* clinic.staffCare.defineQuestionnaire({
      payload: {
        title: "Before your visit",
        items: [{ type: "boolean", linkId: "fever", text: "Any fever this week?", required: true }]
      }
    })
    const created = yield* clinic.staffSchedule.createProvider({
      payload: { ...provider, weeklyHours: hours }
    })
    const checkup = yield* clinic.staffSchedule.createAppointmentType({
      payload: {
        name: "Check-up",
        mode: "in-person",
        durationMinutes: 30,
        patientBooking: "book",
        questionnaireIds: [questionnaire.id]
      }
    })
    return { questionnaire, provider: created, checkup }
  })

/** The open slots of the provider for the type between `fromHours` and `toHours` after `now`. */
const slotsAhead = (
  clinic: StaffClient,
  options: {
    readonly provider: Ids.ProviderId
    readonly type: Ids.AppointmentTypeId
    readonly now: DateTime.Utc
    readonly fromHours: number
    readonly toHours: number
  }
) =>
  clinic.staffSchedule.availability({
    params: { id: options.provider },
    query: {
      type: options.type,
      from: DateTime.addDuration(options.now, Duration.hours(options.fromHours)),
      to: DateTime.addDuration(options.now, Duration.hours(options.toHours))
    }
  })

describe("the staff side through the derived client", () => {
  it.live("a key sets up the schedule, registers a patient, books, messages, asks for a photo", () =>
    Effect.gen(function* () {
      const { key } = yield* setup
      const clinic = yield* staffClient(key)

      const { questionnaire, provider, checkup } = yield* defineSchedule(clinic, {
        name: "Dr. Okafor",
        meetingUrl: "https://meet.example.org/okafor"
      })
      assert.strictEqual(questionnaire.clinicId, Testing.clinicId)
      const video = yield* clinic.staffSchedule.createAppointmentType({
        payload: { name: "Video", mode: "virtual", durationMinutes: 20, patientBooking: "request" }
      })
      assert.deepStrictEqual(
        (yield* clinic.staffSchedule.providers()).map((p) => p.name),
        ["Dr. Okafor"]
      )
      assert.deepStrictEqual((yield* clinic.staffSchedule.appointmentTypes()).map((t) => t.name).toSorted(), [
        "Check-up",
        "Video"
      ])

      // Registration normalises what the front desk typed.
      const mary = yield* clinic.staffPatients.register({
        payload: {
          healthCard: { idType: "on-hcn", number: "5555 444 333" },
          legalName: { given: "Mary", family: "Somerville" },
          dateOfBirth: "1980-12-26",
          email: " Mary@Example.org ",
          mobile: "(416) 555-0123"
        }
      })
      assert.strictEqual(mary.healthCard.number, "5555444333")
      assert.strictEqual(mary.healthCard.idType, "ON-HCN")
      assert.strictEqual(mary.email, "mary@example.org")
      assert.strictEqual(mary.mobile, "+14165550123")
      assert.strictEqual((yield* clinic.staffPatients.read({ params: { id: mary.id } })).id, mary.id)
      const found = yield* clinic.staffPatients.list({ query: { query: "somer" } })
      assert.deepStrictEqual(
        found.patients.map((p) => p.id),
        [mary.id]
      )

      // Book Mary two days ahead, into an open slot staff read first.
      const now = yield* DateTime.now
      const slots = yield* slotsAhead(clinic, {
        provider: provider.id,
        type: checkup.id,
        now,
        fromHours: 48,
        toHours: 72
      })
      const slot = slots[0]
      if (slot === undefined) return assert.fail("no open slot")
      const booked = yield* clinic.staffAppointments.book({
        payload: { patientId: mary.id, providerId: provider.id, typeId: checkup.id, start: slot.start }
      })
      assert.strictEqual(booked.status, "booked")
      const listed = yield* clinic.staffAppointments.list({ query: { patientId: mary.id } })
      assert.deepStrictEqual(
        listed.appointments.map((a) => a.id),
        [booked.id]
      )
      assert.isNull(listed.nextCursor)
      // The slot is no longer offered; booking it again answers 409 SlotUnavailable or SlotTaken.
      const again = yield* Effect.flip(
        clinic.staffAppointments.book({
          payload: { patientId: ada.id, providerId: provider.id, typeId: checkup.id, start: slot.start }
        })
      )
      assert.include(["SlotUnavailable", "SlotTaken"], errorTag(again))

      // A virtual type booked by staff: the access code can be sent again.
      const videoSlot = (yield* slotsAhead(clinic, {
        provider: provider.id,
        type: video.id,
        now,
        fromHours: 96,
        toHours: 120
      }))[0]
      if (videoSlot === undefined) return assert.fail("no video slot")
      const visit = yield* clinic.staffAppointments.book({
        payload: { patientId: mary.id, providerId: provider.id, typeId: video.id, start: videoSlot.start }
      })
      // The clinic's appointments in pages of one: the cursor of each reads the next.
      const firstPage = yield* clinic.staffAppointments.list({ query: { patientId: mary.id, limit: 1 } })
      assert.deepStrictEqual(
        firstPage.appointments.map((a) => a.id),
        [booked.id]
      )
      if (firstPage.nextCursor === null) return assert.fail("no second page")
      const secondPage = yield* clinic.staffAppointments.list({
        query: { patientId: mary.id, limit: 1, cursor: firstPage.nextCursor }
      })
      assert.deepStrictEqual(
        secondPage.appointments.map((a) => a.id),
        [visit.id]
      )
      assert.isNull(secondPage.nextCursor)
      // A page size out of range or a cursor the API did not hand out: 400 saying what to do.
      for (const [query, tag, message] of [
        ["limit=0", "InvalidPageSize", /^A page holds 1 to 500 entries; 0 was asked for\./],
        ["limit=501", "InvalidPageSize", /^A page holds 1 to 500 entries; 501 was asked for\./],
        ["cursor=not-a-cursor", "InvalidCursor", /Reload the list from its first page/]
      ] as const) {
        const refused = yield* rawJson(
          HttpClientRequest.get(`/v1/staff/appointments?${query}`).pipe(HttpClientRequest.bearerToken(key))
        )
        assert.strictEqual(refused.status, 400, query)
        assert.strictEqual(refused.body.error, tag, query)
        assert.match(String(refused.body.message), message)
      }
      const resent = yield* clinic.staffAppointments.resendVisitCode({ params: { id: visit.id } })
      assert.strictEqual(resent.appointmentId, visit.id)
      const cancelled = yield* clinic.staffAppointments.cancel({ params: { id: visit.id } })
      assert.strictEqual(cancelled.status, "cancelled")
      const noCode = yield* Effect.flip(
        clinic.staffAppointments.resendVisitCode({ params: { id: visit.id } })
      )
      assert.strictEqual(errorTag(noCode), "VisitNotBooked")

      // A message and an upload request; both show on Mary's record.
      const sent = yield* clinic.staffCare.sendMessage({
        payload: { patientId: mary.id, subject: "Your results", body: "All normal.", replyAllowed: true }
      })
      assert.strictEqual(sent.message.patientId, mary.id)
      const threads = yield* clinic.staffPatients.messages({ params: { id: mary.id } })
      assert.deepStrictEqual(
        threads.map((t) => t.message.subject),
        ["Your results"]
      )
      const upload = yield* clinic.staffCare.requestUpload({
        payload: { patientId: mary.id, note: "The rash on your left arm" }
      })
      const requests = yield* clinic.staffPatients.uploadRequests({ params: { id: mary.id } })
      assert.deepStrictEqual(
        requests.map((r) => r.request.id),
        [upload.request.id]
      )
      const withdrawn = yield* clinic.staffCare.cancelUpload({ params: { id: upload.request.id } })
      assert.strictEqual(withdrawn.state, "cancelled")

      // The notifications say what went where, never a code.
      const notifications = yield* clinic.staffPatients.notifications({ params: { id: mary.id }, query: {} })
      assert.isAtLeast(notifications.length, 3)
      const raw = yield* rawJson(
        HttpClientRequest.get(`/v1/staff/patients/${mary.id}/notifications`).pipe(
          HttpClientRequest.bearerToken(key)
        )
      )
      assert.strictEqual(raw.status, 200)
      assert.notMatch(JSON.stringify(raw.body), /sealed|codeHash|ciphertext|"code"/i)

      // The audit log records the key's staff member; the chain is intact.
      const audit = yield* clinic.staffAdmin.audit({ query: { patientId: mary.id } })
      assert.isAbove(audit.events.length, 0)
      assert.isTrue(audit.events.every((e) => e.patientId === mary.id))
      assert.isTrue(audit.events.some((e) => e.actor.kind === "staff" && e.actor.id === "reception"))
      const sequences = audit.events.map((e) => e.sequence)
      assert.deepStrictEqual(
        sequences,
        sequences.toSorted((a, b) => b - a)
      )
      assert.deepStrictEqual(yield* clinic.staffAdmin.verifyAudit(), {
        status: "intact",
        events: (yield* clinic.staffAdmin.audit({ query: { limit: 500 } })).events.length
      })
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a questionnaire answered by the patient is in the chart staff read", () =>
    Effect.gen(function* () {
      const { key } = yield* setup
      const clinic = yield* staffClient(key)
      const { provider, checkup } = yield* defineSchedule(clinic, { name: "Dr. Chen" })
      const slot = (yield* slotsAhead(clinic, {
        provider: provider.id,
        type: checkup.id,
        now: yield* DateTime.now,
        fromHours: 48,
        toHours: 72
      }))[0]
      if (slot === undefined) return assert.fail("no open slot")
      const booked = yield* clinic.staffAppointments.book({
        payload: { patientId: ada.id, providerId: provider.id, typeId: checkup.id, start: slot.start }
      })
      assert.deepStrictEqual(yield* clinic.staffPatients.chart({ params: { id: ada.id } }), [])

      const me = yield* bearerClient(yield* login())
      const [view] = yield* me.tasks.list({ params: { id: booked.id } })
      if (view === undefined) return assert.fail("no pre-visit task")
      yield* me.tasks.respond({
        params: { id: view.task.id },
        payload: { answers: [{ linkId: "fever", answer: false }] }
      })
      const chart = yield* clinic.staffPatients.chart({ params: { id: ada.id } })
      assert.deepStrictEqual(
        chart.map((e) => e.kind),
        ["questionnaire-response"]
      )
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a key reaches only its clinic: another clinic's records answer 404 like missing ones", () =>
    Effect.gen(function* () {
      const { otherKey } = yield* setup
      const ottawa = yield* staffClient(otherKey)
      const calls: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
        ottawa.staffPatients.read({ params: { id: ada.id } }),
        ottawa.staffPatients.chart({ params: { id: ada.id } }),
        ottawa.staffPatients.messages({ params: { id: ada.id } }),
        ottawa.staffPatients.notifications({ params: { id: ada.id }, query: {} }),
        ottawa.staffPatients.uploadRequests({ params: { id: ada.id } }),
        ottawa.staffPatients.read({ params: { id: Ids.PatientId.make("patient-nobody") } })
      ]
      for (const call of calls) {
        const refused = yield* Effect.flip(call)
        assert.strictEqual(errorTag(refused), "NotFound")
      }
      const sendAcross = yield* Effect.flip(
        ottawa.staffCare.sendMessage({
          payload: { patientId: ada.id, subject: "Hello", body: "Hi", replyAllowed: false }
        })
      )
      assert.strictEqual(errorTag(sendAcross), "NotFound")
      assert.deepStrictEqual((yield* ottawa.staffPatients.list({ query: {} })).patients, [])
      // Ottawa's log records its own refused attempts; Toronto's records none of them.
      const ottawaLog = (yield* ottawa.staffAdmin.audit({ query: {} })).events
      assert.isTrue(ottawaLog.every((e) => e.clinicId === otherClinicId))
      const refusals = ottawaLog.filter((e) => e.actor.kind === "staff" && e.action !== "patient.listed")
      assert.strictEqual(refusals.length, calls.length + 1)
      assert.isTrue(
        refusals.every((e) => e.actor.id === "ottawa-desk" && e.outcome === "failure"),
        JSON.stringify(refusals.map((e) => [e.action, e.actor.id, e.outcome]))
      )
      const torontoLog = yield* (yield* AuditLog.AuditLog).list({ clinicId: Testing.clinicId })
      assert.isFalse(torontoLog.some((e) => e.actor.id === "ottawa-desk"))
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("no key, a wrong key, a patient's session or a revoked key answer 401 ApiKeyInvalid", () =>
    Effect.gen(function* () {
      const { key } = yield* setup
      const patientToken = yield* login()
      const path = "/v1/staff/patients"
      const answers = [
        yield* rawJson(HttpClientRequest.get(path)),
        yield* rawJson(HttpClientRequest.get(path).pipe(HttpClientRequest.bearerToken("cpk_not-a-real-key"))),
        yield* rawJson(HttpClientRequest.get(path).pipe(HttpClientRequest.bearerToken(patientToken))),
        yield* rawJson(
          HttpClientRequest.get(path).pipe(
            HttpClientRequest.setHeader("cookie", `careportal_session=${patientToken}`)
          )
        )
      ]
      for (const answer of answers) {
        assert.strictEqual(answer.status, 401)
        assert.strictEqual(answer.body.error, "ApiKeyInvalid")
        assert.match(String(answer.body.message), /Authorization: Bearer/)
      }
      // And a clinic key is no patient session.
      const asPatient = yield* rawJson(
        HttpClientRequest.get("/v1/messages").pipe(HttpClientRequest.bearerToken(key))
      )
      assert.strictEqual(asPatient.status, 401)

      // Rotation: issue a new key through the API, revoke the old one with it.
      const clinic = yield* staffClient(key)
      const issued = yield* clinic.staffAdmin.issueApiKey({
        payload: { staffId: "reception", label: "rotated" }
      })
      assert.match(issued.key, /^cpk_/)
      assert.strictEqual(issued.apiKey.prefix, issued.key.slice(0, issued.apiKey.prefix.length))
      const listed = yield* clinic.staffAdmin.apiKeys()
      assert.strictEqual(listed.length, 2)
      assert.notInclude(JSON.stringify(listed), issued.key)
      // A listed key says what it is, never its hash (read raw: the client would drop extra fields).
      const raw = yield* rawJson(
        HttpClientRequest.get("/v1/staff/api-keys").pipe(HttpClientRequest.bearerToken(key))
      )
      for (const summary of raw.body as unknown as ReadonlyArray<Record<string, unknown>>) {
        assert.deepStrictEqual(Object.keys(summary).toSorted(), [
          "createdAt",
          "id",
          "label",
          "prefix",
          "revokedAt",
          "staffId"
        ])
      }
      const old = listed.find((k) => k.label === "front desk")
      if (old === undefined) return assert.fail("the first key is not listed")
      const rotated = yield* staffClient(issued.key)
      yield* rotated.staffAdmin.revokeApiKey({ params: { id: old.id } })
      const revoked = yield* rawJson(HttpClientRequest.get(path).pipe(HttpClientRequest.bearerToken(key)))
      assert.strictEqual(revoked.status, 401)
      assert.strictEqual(revoked.body.error, "ApiKeyInvalid")
      assert.strictEqual((yield* rotated.staffPatients.list({ query: {} })).patients.length, 2)

      // Keys are stored hashed: neither key's text is anywhere in the store.
      const stored = JSON.stringify(yield* TxRef.get((yield* ApiKeyStore.ApiKeyStoreMemory).state))
      assert.notInclude(stored, key)
      assert.notInclude(stored, issued.key)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("registration lists every bad field; a card already registered answers 409 with the patient", () =>
    Effect.gen(function* () {
      const { key } = yield* setup
      const clinic = yield* staffClient(key)
      const refused = yield* Effect.flip(
        clinic.staffPatients.register({
          payload: {
            healthCard: { idType: "ON-HCN", number: "12" },
            legalName: { given: "", family: "Byron" },
            dateOfBirth: "1815-02-30",
            email: "not an email"
          }
        })
      )
      assert.strictEqual(errorTag(refused), "PatientDetailsInvalid")
      const fields = (refused as unknown as { fields: ReadonlyArray<{ field: string }> }).fields.map(
        (f) => f.field
      )
      for (const field of ["healthCard.number", "legalName.given", "dateOfBirth", "email"]) {
        assert.isTrue(
          fields.some((f) => f.startsWith(field)),
          `${field} in ${fields.join(", ")}`
        )
      }
      const duplicate = yield* Effect.flip(
        clinic.staffPatients.register({
          payload: {
            healthCard: { idType: "ON-HCN", number: "1234-567-890" },
            legalName: { given: "Ada", family: "Lovelace" },
            dateOfBirth: "1985-12-10",
            email: "ada@example.org"
          }
        })
      )
      assert.strictEqual(errorTag(duplicate), "PatientAlreadyRegistered")
      assert.strictEqual((duplicate as unknown as { patientId: string }).patientId, ada.id)
      // Nothing was registered by either attempt.
      assert.strictEqual((yield* clinic.staffPatients.list({ query: {} })).patients.length, 2)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("schedule rules answer 422 with their problems; bad JSON answers 400 naming the field", () =>
    Effect.gen(function* () {
      const { key } = yield* setup
      const clinic = yield* staffClient(key)
      const overlapping = yield* Effect.flip(
        clinic.staffSchedule.createProvider({
          payload: {
            name: "Dr. Overlap",
            weeklyHours: [
              { weekday: 1, start: "09:00", end: "12:00" },
              { weekday: 1, start: "11:00", end: "13:00" }
            ]
          }
        })
      )
      assert.strictEqual(errorTag(overlapping), "WeeklyHoursInvalid")
      const badType = yield* Effect.flip(
        clinic.staffSchedule.createAppointmentType({
          payload: { name: "Marathon", mode: "in-person", durationMinutes: 600, patientBooking: "book" }
        })
      )
      assert.strictEqual(errorTag(badType), "DurationInvalid")
      assert.deepStrictEqual(yield* clinic.staffSchedule.providers(), [])

      const malformed = yield* rawJson(
        HttpClientRequest.post("/v1/staff/providers").pipe(
          HttpClientRequest.bearerToken(key),
          HttpClientRequest.bodyJsonUnsafe({
            name: "Dr. Typo",
            weeklyHours: [{ weekday: 9, start: "nine", end: "17:00" }]
          })
        )
      )
      assert.strictEqual(malformed.status, 400)
      const paths = problemPaths(malformed.body).map((p) => p.join("."))
      assert.isTrue(
        paths.some((p) => p.includes("weeklyHours.0")),
        paths.join(", ")
      )
    }).pipe(Effect.provide(TestServer()))
  )

  it.live(
    "/openapi.json declares the clinic API key on the staff routes and the session on the patient's",
    () =>
      Effect.gen(function* () {
        yield* setup
        const doc = (yield* rawJson(HttpClientRequest.get("/openapi.json"))).body as {
          components: {
            securitySchemes: Record<
              string,
              { type: string; scheme?: string; in?: string; name?: string; description?: string }
            >
          }
          paths: Record<string, Record<string, { security?: ReadonlyArray<Record<string, unknown>> }>>
        }
        assert.strictEqual(doc.components.securitySchemes.clinicApiKey?.scheme?.toLowerCase(), "bearer")
        assert.match(doc.components.securitySchemes.clinicApiKey?.description ?? "", /pnpm staff-key/)
        const staffPaths = Object.keys(doc.paths).filter((p) => p.startsWith("/v1/staff/"))
        assert.isAtLeast(staffPaths.length, 15)
        for (const path of staffPaths) {
          for (const operation of Object.values(doc.paths[path] ?? {})) {
            assert.deepStrictEqual(operation.security, [{ clinicApiKey: [] }], path)
          }
        }
        // The patient's routes: the session as a bearer token or the cookie; the login routes: none.
        assert.strictEqual(doc.components.securitySchemes.sessionToken?.scheme?.toLowerCase(), "bearer")
        assert.deepInclude(doc.components.securitySchemes.sessionCookie, {
          type: "apiKey",
          in: "cookie",
          name: "careportal_session"
        })
        for (const [path, method] of [
          ["/v1/messages", "get"],
          ["/v1/appointments", "post"],
          ["/v1/me", "patch"],
          ["/v1/sessions", "get"],
          ["/v1/auth/logout", "post"]
        ] as const) {
          assert.deepStrictEqual(
            doc.paths[path]?.[method]?.security,
            [{ sessionToken: [] }, { sessionCookie: [] }],
            `${method} ${path}`
          )
        }
        for (const [path, method] of [
          ["/v1/auth/login", "post"],
          ["/v1/links/{linkId}/open", "post"],
          ["/v1/virtual-visits/join", "post"]
        ] as const) {
          assert.deepStrictEqual(doc.paths[path]?.[method]?.security ?? [], [], `${method} ${path}`)
        }
      }).pipe(Effect.provide(TestServer()))
  )
})
