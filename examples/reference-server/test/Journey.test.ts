/**
 * A patient's whole journey through the composed reference server, over HTTP through the client
 * derived from the contract, on a real port: login with the code the dispatcher emailed (stay
 * logged in), messages and a reply, availability, book, reschedule, cancel, book a visit with a
 * questionnaire and answer it (into the chart), open an upload link with the code it texted and
 * upload a PNG (into the chart), change address and email (with the code sent to the new
 * address), list sessions, log out. The clinic set it up through the staff routes with its API key,
 * and at the end reads the result through them: the chart, the notifications (without their
 * codes), the audit chain, the appointments. The same journey runs on a fresh embedded database
 * and in a fresh schema of the real PostgreSQL.
 */
import { Chart, type Delivery, FileStore } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Option, Redacted, References, type Scope, TxRef } from "effect"
import { FetchHttpClient } from "effect/http"
import {
  awaitDelivery,
  awaitInbox,
  clientFor,
  clinic,
  codeIn,
  type Environment,
  embeddedEnvironment,
  eventually,
  mark,
  postgresEnvironment,
  type RunningServer,
  type Seeded,
  seedClinic,
  startServer,
  UPLOAD_NOTE,
  WELCOME
} from "./JourneySupport.ts"

/** A real 1×1 PNG: the server recognises photos by their bytes, and the chart keeps these. */
const PNG = Uint8Array.from(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "base64"
  )
)

const iso = (d: DateTime.Utc) => DateTime.formatIso(d)

/** The `error` tag of a failure the client decoded. */
const errorTag = (e: unknown): string =>
  typeof e === "object" && e !== null && "error" in e ? String((e as { error: unknown }).error) : String(e)

/** The journey, from the login page to the logout, against a server `seedClinic` set up. */
const journey = (server: RunningServer, seeded: Seeded) =>
  Effect.gen(function* () {
    const { baseUrl, emails, sms } = server
    const { patient } = seeded
    const inside = <A, E>(effect: Effect.Effect<A, E, Chart.ChartRepo | FileStore.FileStore>) =>
      Effect.provide(effect, server.context)
    const chart = inside(Effect.flatMap(Chart.ChartRepo, (repo) => repo.listByPatient(patient.id)))
    const anonymous = yield* clientFor(baseUrl)

    // The front desk's typing, normalised when the clinic registered the patient.
    assert.deepStrictEqual(
      [
        patient.clinicId,
        patient.healthCard.idType,
        patient.healthCard.number,
        patient.email,
        patient.mobile,
        patient.notificationPreference
      ],
      [clinic.id, "ON-HCN", "2468013579", "mary@example.org", "+14165550123", "both"]
    )

    // Login: the code arrives by email through the dispatcher; stay logged in.
    const beforeLogin = yield* mark(emails)
    const challenge = yield* anonymous.auth.login({
      payload: {
        clinic: clinic.slug,
        identifier: { idType: "ON-HCN", number: "2468-013-579" },
        contact: "Mary@Example.org"
      }
    })
    const loginCode = yield* awaitDelivery(
      emails,
      beforeLogin,
      "the login code",
      (m: Delivery.EmailMessage) =>
        m.to === patient.email ? codeIn(m.text, "portal login code is") : undefined
    )
    const [session, verifyResponse] = yield* anonymous.auth.verify({
      params: { challengeId: challenge.challengeId },
      payload: { code: loginCode, stayLoggedIn: true },
      responseMode: "decoded-and-response"
    })
    assert.strictEqual(verifyResponse.status, 200)
    assert.deepStrictEqual(
      [session.session.origin, session.session.stayLoggedIn, session.session.current],
      ["login", true, true]
    )
    const cookie = String(verifyResponse.headers["set-cookie"])
    assert.strictEqual(cookie.split(";")[0], `careportal_session=${session.token}`)
    assert.match(cookie, /;\s*Max-Age=2592000(;|$)/)
    assert.match(cookie, /;\s*HttpOnly(;|$)/)
    assert.match(cookie, /;\s*SameSite=Lax(;|$)/)
    assert.match(cookie, /;\s*Path=\/(;|$)/)
    const me = yield* clientFor(baseUrl, session.token)

    // Messages: the clinic's one, read, replied to; the reply is in the thread.
    const page = yield* me.messages.list({ query: {} })
    assert.deepStrictEqual(
      page.messages.map((m) => [m.id, m.subject, m.replyAllowed, m.readAt]),
      [[seeded.messageId, WELCOME.subject, true, null]]
    )
    const thread = yield* me.messages.read({ params: { id: seeded.messageId } })
    assert.deepStrictEqual([thread.message.body, thread.replies], [WELCOME.body, []])
    const reply = yield* me.messages.reply({
      params: { id: seeded.messageId },
      payload: { body: "Thank you. Should I repeat it next year?" }
    })
    assert.deepStrictEqual(
      [reply.messageId, reply.patientId, reply.body],
      [seeded.messageId, patient.id, "Thank you. Should I repeat it next year?"]
    )
    const replied = yield* me.messages.read({ params: { id: seeded.messageId } })
    assert.deepStrictEqual(
      replied.replies.map((r) => [r.id, r.body]),
      [[reply.id, "Thank you. Should I repeat it next year?"]]
    )
    assert.isNotNull(replied.message.readAt)

    // Availability two to four days ahead: beyond the 24-hour change window.
    const now = yield* DateTime.now
    const slotsOf = (type: typeof seeded.followUpTypeId) =>
      me.availability.slots({
        params: { id: seeded.providerId },
        query: {
          type,
          from: DateTime.addDuration(now, Duration.hours(48)),
          to: DateTime.addDuration(now, Duration.hours(96))
        }
      })
    const slots = yield* slotsOf(seeded.followUpTypeId)
    const [first, second] = slots
    if (first === undefined || second === undefined) return assert.fail("fewer than two slots")
    assert.strictEqual(first.end.epochMilliseconds - first.start.epochMilliseconds, 30 * 60_000)

    // Book, reschedule, cancel.
    const booked = yield* me.appointments.request({
      payload: { providerId: seeded.providerId, typeId: seeded.followUpTypeId, start: first.start }
    })
    assert.deepStrictEqual(
      [booked.status, booked.patientId, booked.providerId, booked.typeId, iso(booked.start)],
      ["booked", patient.id, seeded.providerId, seeded.followUpTypeId, iso(first.start)]
    )
    assert.notInclude(
      (yield* slotsOf(seeded.followUpTypeId)).map((s) => iso(s.start)),
      iso(first.start)
    )
    const moved = yield* me.appointments.reschedule({
      params: { id: booked.id },
      payload: { start: second.start }
    })
    assert.deepStrictEqual(
      [moved.id, moved.status, iso(moved.start)],
      [booked.id, "booked", iso(second.start)]
    )
    const read = yield* me.appointments.read({ params: { id: booked.id } })
    assert.strictEqual(iso(read.start), iso(second.start))
    const freed = (yield* slotsOf(seeded.followUpTypeId)).map((s) => iso(s.start))
    assert.include(freed, iso(first.start))
    assert.notInclude(freed, iso(second.start))
    const cancelled = yield* me.appointments.cancel({ params: { id: booked.id } })
    assert.deepStrictEqual([cancelled.id, cancelled.status], [booked.id, "cancelled"])
    // Each change reached the patient's email as a calendar entry of the one appointment.
    const uid = `appointment-${booked.id}@careportal`
    const entries = yield* awaitInbox(emails, "the three calendar entries", (all) => {
      const mine = all.filter((m) => m.calendar?.uid === uid)
      return mine.length >= 3 ? mine : undefined
    })
    assert.deepStrictEqual(
      entries.map((m) => [m.to, m.calendar?.method, iso(m.calendar?.start ?? now)]).sort(),
      [
        [patient.email, "REQUEST", iso(first.start)],
        [patient.email, "REQUEST", iso(second.start)],
        [patient.email, "CANCEL", iso(second.start)]
      ].sort()
    )

    // Book another, with a questionnaire: its task, the answer, the chart entry.
    const [checkupSlot] = yield* slotsOf(seeded.checkupTypeId)
    if (checkupSlot === undefined) return assert.fail("no check-up slot")
    const checkup = yield* me.appointments.request({
      payload: { providerId: seeded.providerId, typeId: seeded.checkupTypeId, start: checkupSlot.start }
    })
    assert.deepStrictEqual([checkup.status, checkup.typeId], ["booked", seeded.checkupTypeId])
    const upcoming = yield* me.appointments.list({ query: { when: "upcoming" } })
    assert.deepStrictEqual(
      upcoming.map((a) => [a.id, a.status]).sort(),
      [
        [booked.id, "cancelled"],
        [checkup.id, "booked"]
      ].sort()
    )
    const tasks = yield* me.tasks.list({ params: { id: checkup.id } })
    const task = tasks[0]
    if (task === undefined || tasks.length !== 1) return assert.fail(`one task expected, got ${tasks.length}`)
    assert.deepStrictEqual(
      [task.task.status, task.questionnaire.id, task.questionnaire.items.map((i) => i.linkId)],
      ["open", seeded.questionnaireId, ["fever", "concerns"]]
    )
    assert.deepStrictEqual(yield* chart, [])
    const response = yield* me.tasks.respond({
      params: { id: task.task.id },
      payload: {
        answers: [
          { linkId: "fever", answer: false },
          { linkId: "concerns", answer: "A cough at night" }
        ]
      }
    })
    assert.deepStrictEqual(
      response.answers.map((a) => [a.linkId, a.answer]),
      [
        ["fever", false],
        ["concerns", "A cough at night"]
      ]
    )
    const answered = yield* chart
    assert.deepStrictEqual(
      answered.map((e) => [e.id, e.kind, e.patientId, e.clinicId, e.origin]),
      [[response.chartEntryId, "questionnaire-response", patient.id, clinic.id, `task:${task.task.id}`]]
    )
    assert.deepStrictEqual(answered[0]?.content, {
      questionnaireId: seeded.questionnaireId,
      taskId: task.task.id,
      appointmentId: checkup.id,
      answers: [
        { linkId: "fever", answer: false },
        { linkId: "concerns", answer: "A cough at night" }
      ]
    })
    assert.strictEqual((yield* me.tasks.list({ params: { id: checkup.id } }))[0]?.task.status, "completed")

    // The upload link the clinic texted: open it with its code and the date of birth, upload a PNG.
    const linkCode = yield* awaitDelivery(sms, 0, "the upload link's code", (m: Delivery.SmsMessage) =>
      m.to === patient.mobile && m.body.includes(`/links/${seeded.uploadLinkId}`)
        ? codeIn(m.body, "Code:")
        : undefined
    )
    const link = yield* anonymous.links.describe({ params: { linkId: seeded.uploadLinkId } })
    assert.deepStrictEqual([link.purpose, link.status], ["upload-link", "active"])
    const opened = yield* anonymous.links.open({
      params: { linkId: seeded.uploadLinkId },
      payload: { code: linkCode, dateOfBirth: patient.dateOfBirth, stayLoggedIn: false }
    })
    assert.deepStrictEqual(
      [opened.purpose, opened.target.kind, opened.target.id, opened.session.origin],
      ["upload-link", "upload-request", seeded.uploadRequestId, "upload-link"]
    )
    assert.strictEqual(
      (yield* anonymous.links.describe({ params: { linkId: seeded.uploadLinkId } })).status,
      "used"
    )
    const viaLink = yield* clientFor(baseUrl, opened.token)
    const request = yield* viaLink.uploads.describe({ params: { id: seeded.uploadRequestId } })
    assert.deepStrictEqual([request.note, request.state], [UPLOAD_NOTE, "open"])
    const form = new FormData()
    form.append("photo", new Blob([PNG], { type: "image/png" }), "rash.png")
    const filed = yield* viaLink.uploads.upload({ params: { id: seeded.uploadRequestId }, payload: form })
    assert.deepStrictEqual([filed.contentType, filed.size], ["image/png", PNG.length])
    const photo = (yield* chart).find((e) => e.id === filed.chartEntryId)
    assert.deepStrictEqual(
      [photo?.kind, photo?.patientId, photo?.origin, photo?.content],
      [
        "photo",
        patient.id,
        `upload-request:${seeded.uploadRequestId}`,
        { fileId: filed.fileId, contentType: "image/png", size: PNG.length, fileName: "rash.png" }
      ]
    )
    const stored = yield* inside(Effect.flatMap(FileStore.FileStore, (files) => files.get(filed.fileId)))
    assert.deepStrictEqual(
      Option.map(stored, (f) => [f.contentType, [...f.bytes]]),
      Option.some(["image/png", [...PNG]])
    )
    assert.strictEqual(
      (yield* viaLink.uploads.describe({ params: { id: seeded.uploadRequestId } })).state,
      "used"
    )

    // Two sessions now: this one and the upload link's.
    assert.deepStrictEqual(
      (yield* me.sessions.list()).map((s) => [s.id, s.origin, s.stayLoggedIn, s.current]).sort(),
      [
        [session.session.id, "login", true, true],
        [opened.session.id, "upload-link", false, false]
      ].sort()
    )

    // Demographics: a new address, then a new email confirmed with the code sent to it.
    const mine = yield* me.me.read()
    assert.deepStrictEqual(
      [mine.legalName.family, mine.email, mine.mobile, mine.healthCard.maskedNumber],
      ["Seacole", patient.email, patient.mobile, "*******579"]
    )
    const readdressed = yield* me.me.update({
      payload: {
        address: {
          line1: " 2 Queen St E ",
          city: "Toronto",
          region: "ON",
          postalCode: "m5c1r6",
          country: "CA"
        }
      }
    })
    assert.deepStrictEqual(
      [readdressed.address?.line1, readdressed.address?.postalCode],
      ["2 Queen St E", "M5C 1R6"]
    )
    assert.include(
      (yield* chart).map((e) => e.kind),
      "demographics-change"
    )
    const beforeChange = yield* mark(emails)
    const change = yield* me.me.changeContact({ payload: { email: "mary.seacole@example.org" } })
    const confirmCode = yield* awaitDelivery(
      emails,
      beforeChange,
      "the new email's code",
      (m: Delivery.EmailMessage) =>
        m.to === "mary.seacole@example.org" ? codeIn(m.text, "confirmation code is") : undefined
    )
    assert.strictEqual((yield* me.me.read()).email, patient.email)
    const changed = yield* me.me.verifyContact({
      payload: { challengeId: change.challengeId, code: confirmCode }
    })
    assert.strictEqual(changed.email, "mary.seacole@example.org")
    assert.strictEqual((yield* me.me.read()).email, "mary.seacole@example.org")
    // The address being replaced hears of it.
    const notice = yield* awaitDelivery(
      emails,
      beforeChange,
      "the notice to the old email",
      (m: Delivery.EmailMessage) =>
        m.to === patient.email && m.subject.includes("email address was changed") ? m : undefined
    )
    assert.notInclude(notice.text, "mary.seacole@example.org")

    // Sessions: only this one (stay logged in, current); confirming the new email ended the others.
    const sessions = yield* me.sessions.list()
    assert.deepStrictEqual(
      sessions.map((s) => [s.id, s.origin, s.stayLoggedIn, s.current]),
      [[session.session.id, "login", true, true]]
    )
    assert.strictEqual(
      errorTag(yield* Effect.flip(viaLink.uploads.describe({ params: { id: seeded.uploadRequestId } }))),
      "SessionExpired"
    )

    // Logout: the token answers 401 from then on.
    yield* me.auth.logout()
    const after = yield* me.me.read({ responseMode: "response-only" })
    assert.strictEqual(after.status, 401)
    assert.strictEqual(((yield* after.json) as { error?: unknown }).error, "SessionExpired")
    assert.strictEqual(errorTag(yield* Effect.flip(me.sessions.list())), "SessionExpired")

    // The clinic's side, through the staff routes with its API key.
    const desk = yield* clientFor(baseUrl, Redacted.value(seeded.staffKey))
    // The chart staff read is the patient's, the questionnaire response and the photo in it.
    const staffChart = yield* desk.staffPatients.chart({ params: { id: patient.id } })
    assert.deepStrictEqual(staffChart.map((e) => e.id).toSorted(), (yield* chart).map((e) => e.id).toSorted())
    assert.deepStrictEqual(
      [response.chartEntryId, filed.chartEntryId].map((id) => {
        const entry = staffChart.find((e) => e.id === id)
        return [entry?.kind, entry?.origin]
      }),
      [
        ["questionnaire-response", `task:${task.task.id}`],
        ["photo", `upload-request:${seeded.uploadRequestId}`]
      ]
    )
    // Each code message the journey used, and the notice, show as sent (once the dispatcher has
    // recorded it), to where they went.
    const sentAs = [
      ["login-code", "email", patient.email],
      ["link-code", "sms", patient.mobile],
      ["contact-verify-code", "email", "mary.seacole@example.org"],
      ["contact-changed", "email", patient.email]
    ]
    const notifications = yield* eventually(
      "the code messages and the notice to show as sent",
      desk.staffPatients.notifications({ params: { id: patient.id }, query: { limit: 200 } }),
      (all) => {
        const sent = all.filter((n) => n.status === "sent" && n.sentAt !== null)
        const shown = sentAs.every(([template, channel, to]) =>
          sent.some((n) => n.template === template && n.channel === channel && n.to === to)
        )
        return shown ? all : undefined
      }
    )
    assert.isTrue(notifications.every((n) => n.patientId === patient.id))
    // No code in them: neither those the journey typed nor any other the senders delivered. A
    // code counts only as a whole word, so the digits of a phone number or a date are no match.
    const delivered = [
      ...(yield* TxRef.get(emails.state)).map((m) => m.text),
      ...(yield* TxRef.get(sms.state)).map((m) => m.body)
    ]
    const codes = new Set([
      loginCode,
      linkCode,
      confirmCode,
      ...delivered.flatMap((text) =>
        ["portal login code is", "confirmation code is", "Code:"].flatMap(
          (label) => codeIn(text, label) ?? []
        )
      )
    ])
    const raw = yield* desk.staffPatients.notifications({
      params: { id: patient.id },
      query: { limit: 200 },
      responseMode: "response-only"
    })
    assert.strictEqual(raw.status, 200)
    const json = yield* raw.text
    assert.isAtLeast(json.length, 2 + notifications.length)
    const leaked = [...codes].filter((code) =>
      new RegExp(`(?<![A-Za-z0-9])${code}(?![A-Za-z0-9])`).test(json)
    )
    assert.strictEqual(leaked.length, 0, "a code the senders delivered is in the notifications' JSON")
    // The audit chain of everything above is intact.
    const audit = yield* desk.staffAdmin.verifyAudit()
    if (audit.status !== "intact")
      return assert.fail(`audit chain broken at ${audit.sequence}: ${audit.problem}`)
    assert.isAbove(audit.events, 0)
    // The appointments staff see: the cancelled follow-up and the booked check-up.
    const appointments = yield* desk.staffAppointments.list({ query: { patientId: patient.id } })
    assert.isNull(appointments.nextCursor)
    assert.deepStrictEqual(
      appointments.appointments.map((a) => [a.id, a.status]).sort(),
      [
        [booked.id, "cancelled"],
        [checkup.id, "booked"]
      ].sort()
    )
  })

/** Starts the server on `environment`, seeds the clinic, runs the journey. */
const run = (environment: Effect.Effect<Environment, never, Scope.Scope>) =>
  Effect.gen(function* () {
    const server = yield* startServer(yield* environment)
    yield* journey(server, yield* seedClinic(server))
  }).pipe(
    Effect.scoped,
    Effect.provide(FetchHttpClient.layer),
    // The server's request log would bury a failure; warnings still show.
    Effect.provideService(References.MinimumLogLevel, "Warn")
  )

describe("a patient's whole journey over HTTP", () => {
  it.live("on a fresh embedded database", () => run(embeddedEnvironment), { timeout: 60_000 })
  it.live("on the real PostgreSQL, in a fresh schema", () => run(postgresEnvironment), { timeout: 60_000 })
})
