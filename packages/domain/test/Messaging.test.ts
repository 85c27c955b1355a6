/**
 * Messaging: isolation between patients and clinics (issue 3, property 1), replies where the
 * thread allows them and only there (property 5), notifications without subject or body
 * (property 8, messages part), newest-first cursor pages, read-once marking, text validation,
 * the audit trail, and all-or-nothing sending (property 10, messages part).
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, DateTime, Effect, Exit, Layer, Redacted, Schema, TxRef } from "effect"
import { Base64Url } from "effect/encoding"
import { TestClock } from "effect/testing"
import { Actor } from "../src/AuditEvent.ts"
import { AuditLog, AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import { NotFound } from "../src/CareErrors.ts"
import { ClinicId, MessageId, PatientId, SessionId, StaffId } from "../src/Ids.ts"
import { MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH, type Message } from "../src/Message.ts"
import { MessageRepo, MessageRepoMemory } from "../src/MessageRepo.ts"
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Messaging } from "../src/Messaging.ts"
import { Notification } from "../src/Notification.ts"
import { render } from "../src/Notifications.ts"
import { Outbox, OutboxMemory } from "../src/Outbox.ts"
import { PasscodeStoreMemory } from "../src/PasscodeStore.ts"
import { HealthCardIdentifier, Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { PatientPrincipal } from "../src/Session.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"
import { freshDomain, requireCode, seedPatient } from "./support.ts"

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const otherClinicId = ClinicId.make("clinic-ottawa-east")

/** Messaging on a fresh in-memory domain. Provide it inside each property run. */
const messagingDomain = () => {
  const domain = Layer.merge(MessageRepo.layerMemory, freshDomain())
  return Messaging.layer.pipe(Layer.provideMerge(domain))
}

const staffOf = (clinicId: ClinicId, id = "staff-nurse-1") =>
  new StaffPrincipal({ staffId: StaffId.make(id), clinicId })

const staff = staffOf(Testing.clinicId)

/** The caller as `Authentication.authenticate` would hand it to a service. */
const principalOf = (patient: Pick<Patient, "id" | "clinicId">, session = "session-1") =>
  new PatientPrincipal({
    sessionId: SessionId.make(session),
    clinicId: patient.clinicId,
    patientId: patient.id
  })

/** A patient `n` of a clinic, with their own health card and contacts. */
const patientN = (n: number, clinicId: ClinicId = Testing.clinicId) =>
  Testing.makePatient({
    id: PatientId.make(`patient-${n}`),
    clinicId,
    healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: String(1_000_000_000 + n) }),
    legalName: { given: `Given${n}`, family: `Family${n}` },
    email: `p${n}@example.org` as Patient["email"] & string,
    mobile: `+1416555${String(n % 10_000).padStart(4, "0")}` as Patient["mobile"] & string
  })

const savePatient = (patient: Patient) =>
  Effect.gen(function* () {
    yield* (yield* PatientRepo).save(patient)
    return patient
  })

const send = (
  patient: Patient,
  fields: Partial<{ subject: string; body: string; replyAllowed: boolean }> = {}
) =>
  Effect.gen(function* () {
    const messaging = yield* Messaging
    return yield* messaging.send(staffOf(patient.clinicId), {
      patientId: patient.id,
      subject: fields.subject ?? "Your lab results",
      body: fields.body ?? "Your potassium is back to normal.",
      replyAllowed: fields.replyAllowed ?? true
    })
  })

const messageState = Effect.flatMap(MessageRepoMemory, (h) => TxRef.get(h.state))

const auditEvents = Effect.flatMap(AuditLogMemory, (h) => TxRef.get(h.state))

/** Every page of the caller's messages, following the cursors. */
const allPages = (principal: PatientPrincipal, limit: number) =>
  Effect.gen(function* () {
    const messaging = yield* Messaging
    const pages: Array<ReadonlyArray<Message>> = []
    let cursor: string | undefined
    for (let guard = 0; guard < 1_000; guard++) {
      const page = yield* messaging.list(principal, { cursor, limit })
      pages.push(page.messages)
      if (page.nextCursor === null) return pages
      cursor = page.nextCursor
    }
    return yield* Effect.die(new Error("paging did not end"))
  })

const assertNotFound = (error: { readonly _tag: string }, kind: NotFound["kind"]) => {
  assert.strictEqual(error._tag, "NotFound")
  assert.deepStrictEqual(error, new NotFound({ kind }))
}

// ---------------------------------------------------------------------------------------------
// Property 1: isolation
// ---------------------------------------------------------------------------------------------

describe("Messaging: a patient reaches only their own messages (property 1)", () => {
  it.effect.prop(
    "for patients A ≠ B (same or another clinic), nothing of B's is listed, readable or answerable by A: always NotFound, as for a missing id",
    {
      a: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 9_000 })),
      delta: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 900 })),
      bClinic: Schema.Literals(["same", "other"]),
      messagesOfA: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 })),
      messagesOfB: Schema.Array(Schema.Boolean).check(Schema.isBetweenLength(1, 4))
    },
    ({ a, delta, bClinic, messagesOfA, messagesOfB }) =>
      Effect.gen(function* () {
        const messaging = yield* Messaging
        const patientA = yield* savePatient(patientN(a))
        const patientB = yield* savePatient(
          patientN(a + delta, bClinic === "same" ? Testing.clinicId : otherClinicId)
        )
        const ofA: Array<MessageId> = []
        for (let i = 0; i < messagesOfA; i++) ofA.push((yield* send(patientA)).message.id)
        const ofB: Array<MessageId> = []
        for (const replyAllowed of messagesOfB) ofB.push((yield* send(patientB, { replyAllowed })).message.id)
        const before = yield* messageState
        const asA = principalOf(patientA)

        // A's listing holds exactly A's messages.
        const listed = (yield* allPages(asA, 2)).flat().map((m) => m.id)
        assert.deepStrictEqual([...listed].sort(), [...ofA].sort())

        const missing = yield* Effect.flip(messaging.read(asA, MessageId.make("no-such-message")))
        for (const id of ofB) {
          const read = yield* Effect.flip(messaging.read(asA, id))
          assertNotFound(read, "message")
          // Indistinguishable from a message that does not exist, message text included.
          assert.strictEqual(read.message, missing.message)
          assertNotFound(yield* Effect.flip(messaging.reply(asA, id, "Is this mine?")), "message")
          // An empty reply to someone else's message is still NotFound: nothing is judged first.
          assertNotFound(yield* Effect.flip(messaging.reply(asA, id, "  ")), "message")
        }
        // B's records are untouched: still unread, no reply anywhere.
        const after = yield* messageState
        for (const id of ofB) assert.deepStrictEqual(after.messages.get(id), before.messages.get(id))
        assert.deepStrictEqual(after.replies, [])

        // Staff of A's clinic reach B only when B is a patient of that clinic.
        if (bClinic === "other") {
          const staffA = staffOf(patientA.clinicId)
          assertNotFound(yield* Effect.flip(messaging.staffThread(staffA, patientB.id)), "patient")
          const stray = yield* Effect.flip(
            messaging.send(staffA, {
              patientId: patientB.id,
              subject: "Hi",
              body: "Hello",
              replyAllowed: true
            })
          )
          assertNotFound(stray, "patient")
          assert.strictEqual((yield* messageState).messages.size, ofA.length + ofB.length)
        }

        // Every refused attempt of A is audited as A's failure, none as a success on B's message.
        const events = yield* auditEvents
        const byA = events.filter((e) => e.actor.kind === "patient" && e.actor.id === patientA.id)
        for (const id of ofB) {
          const onB = byA.filter((e) => e.resource === `message:${id}`)
          assert.deepStrictEqual(
            onB.map((e) => [e.action, e.outcome, e.reason, e.patientId]),
            [
              ["message.read", "failure", "NotFound", patientA.id],
              ["message.replied", "failure", "NotFound", patientA.id],
              ["message.replied", "failure", "NotFound", patientA.id]
            ]
          )
        }
      }).pipe(Effect.provide(messagingDomain())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect("a principal of another clinic with the patient's very id sees none of their messages", () =>
    Effect.gen(function* () {
      const messaging = yield* Messaging
      const patient = yield* seedPatient()
      const sent = yield* send(patient)
      const elsewhere = principalOf({ id: patient.id, clinicId: otherClinicId })
      assert.deepStrictEqual((yield* messaging.list(elsewhere)).messages, [])
      assertNotFound(yield* Effect.flip(messaging.read(elsewhere, sent.message.id)), "message")
      assertNotFound(yield* Effect.flip(messaging.reply(elsewhere, sent.message.id, "hello")), "message")
      assertNotFound(yield* Effect.flip(messaging.staffThread(staffOf(otherClinicId), patient.id)), "patient")
      // The real clinic's view is unchanged.
      const [thread] = yield* messaging.staffThread(staff, patient.id)
      assert.strictEqual(thread?.message.readAt, null)
      assert.deepStrictEqual(thread?.replies, [])
    }).pipe(Effect.provide(messagingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Property 5: replies
// ---------------------------------------------------------------------------------------------

const ReplyText = Schema.String.check(
  Schema.isBetweenLength(1, 300),
  Schema.makeFilter((s: string) => s.trim().length > 0 || "a reply with some text")
)

describe("Messaging: replies (property 5)", () => {
  it.effect.prop(
    "a reply to a no-reply message is refused with ReplyNotAllowed and nothing is stored; an allowed one is visible to staff as written",
    { replyAllowed: Schema.Boolean, body: ReplyText, blankFirst: Schema.Boolean },
    ({ replyAllowed, body, blankFirst }) =>
      Effect.gen(function* () {
        const messaging = yield* Messaging
        const patient = yield* seedPatient()
        const me = principalOf(patient)
        const sent = yield* send(patient, { replyAllowed })
        const id = sent.message.id
        if (!replyAllowed) {
          // Whatever the text, even a blank one, the answer is that the thread takes no reply.
          for (const text of blankFirst ? ["   ", body] : [body]) {
            const refused = yield* Effect.flip(messaging.reply(me, id, text))
            assert.strictEqual(refused._tag, "ReplyNotAllowed")
            assert.strictEqual(refused._tag === "ReplyNotAllowed" && refused.messageId, id)
            assert.match(refused.message, /does not take replies/)
          }
          assert.deepStrictEqual((yield* messageState).replies, [])
          const [thread] = yield* messaging.staffThread(staff, patient.id)
          assert.deepStrictEqual(thread?.replies, [])
          assert.deepStrictEqual((yield* messaging.read(me, id)).replies, [])
          const refusals = (yield* auditEvents).filter((e) => e.action === "message.replied")
          assert.deepStrictEqual(
            refusals.map((e) => [e.outcome, e.reason]),
            (blankFirst ? [1, 2] : [1]).map(() => ["failure", "ReplyNotAllowed"])
          )
          return
        }
        yield* TestClock.adjust(5_000)
        const reply = yield* messaging.reply(me, id, body)
        assert.strictEqual(reply.body, body)
        assert.strictEqual(reply.messageId, id)
        assert.strictEqual(reply.patientId, patient.id)
        assert.strictEqual(DateTime.toEpochMillis(reply.sentAt), 5_000)
        const threads = yield* messaging.staffThread(staff, patient.id)
        assert.strictEqual(threads.length, 1)
        assert.deepStrictEqual(threads[0]?.replies, [reply])
        // The patient sees their own reply under the message too.
        assert.deepStrictEqual((yield* messaging.read(me, id)).replies, [reply])
        const replied = (yield* auditEvents).filter((e) => e.action === "message.replied")
        assert.deepStrictEqual(
          replied.map((e) => [e.outcome, e.resource, e.actor]),
          [["success", `message:${id}`, new Actor({ kind: "patient", id: patient.id })]]
        )
      }).pipe(Effect.provide(messagingDomain())),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )

  it.effect("replies stay under their own message, oldest first", () =>
    Effect.gen(function* () {
      const messaging = yield* Messaging
      const patient = yield* seedPatient()
      const me = principalOf(patient)
      const first = yield* send(patient, { subject: "First" })
      const second = yield* send(patient, { subject: "Second" })
      yield* TestClock.adjust(1_000)
      const r1 = yield* messaging.reply(me, first.message.id, "one")
      yield* TestClock.adjust(1_000)
      const r2 = yield* messaging.reply(me, second.message.id, "two")
      yield* TestClock.adjust(1_000)
      const r3 = yield* messaging.reply(me, first.message.id, "three")
      const threads = yield* messaging.staffThread(staff, patient.id)
      const byId = new Map(threads.map((t) => [t.message.id, t.replies]))
      assert.deepStrictEqual(byId.get(first.message.id), [r1, r3])
      assert.deepStrictEqual(byId.get(second.message.id), [r2])
    }).pipe(Effect.provide(messagingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Text validation
// ---------------------------------------------------------------------------------------------

describe("Messaging: subjects and bodies", () => {
  it.effect(
    "a blank or over-long body or subject is refused with MessageTextInvalid and nothing is stored",
    () =>
      Effect.gen(function* () {
        const messaging = yield* Messaging
        const patient = yield* seedPatient()
        const me = principalOf(patient)
        const sendWith = (subject: string, body: string) =>
          Effect.flip(messaging.send(staff, { patientId: patient.id, subject, body, replyAllowed: true }))

        const cases = [
          { error: yield* sendWith("Hi", ""), field: "body", problem: "empty", length: 0 },
          { error: yield* sendWith("Hi", " \n\t "), field: "body", problem: "empty", length: 4 },
          {
            error: yield* sendWith("Hi", "x".repeat(MAX_BODY_LENGTH + 1)),
            field: "body",
            problem: "too-long",
            length: MAX_BODY_LENGTH + 1
          },
          { error: yield* sendWith("  ", "Hello"), field: "subject", problem: "empty", length: 2 },
          {
            error: yield* sendWith("s".repeat(MAX_SUBJECT_LENGTH + 1), "Hello"),
            field: "subject",
            problem: "too-long",
            length: MAX_SUBJECT_LENGTH + 1
          }
        ] as const
        for (const c of cases) {
          assert.strictEqual(c.error._tag, "MessageTextInvalid")
          if (c.error._tag !== "MessageTextInvalid") continue
          assert.strictEqual(c.error.field, c.field)
          assert.strictEqual(c.error.problem, c.problem)
          assert.strictEqual(c.error.length, c.length)
        }
        assert.strictEqual((yield* messageState).messages.size, 0)
        assert.strictEqual((yield* (yield* Outbox).all).length, 0)

        // At the limits exactly it goes through; length counts characters, not UTF-16 units.
        const sent = yield* messaging.send(staff, {
          patientId: patient.id,
          subject: "s".repeat(MAX_SUBJECT_LENGTH),
          body: "🙂".repeat(MAX_BODY_LENGTH),
          replyAllowed: true
        })
        const tooLong = yield* Effect.flip(
          messaging.reply(me, sent.message.id, "é".repeat(MAX_BODY_LENGTH + 1))
        )
        assert.strictEqual(tooLong._tag, "MessageTextInvalid")
        assert.match(tooLong.message, /too long: 10001 characters, at most 10000/)
        const blank = yield* Effect.flip(messaging.reply(me, sent.message.id, "\n \n"))
        assert.strictEqual(blank._tag === "MessageTextInvalid" && blank.problem, "empty")
        assert.deepStrictEqual((yield* messageState).replies, [])
        const ok = yield* messaging.reply(me, sent.message.id, "🙂".repeat(MAX_BODY_LENGTH))
        assert.strictEqual(ok.body.length, 2 * MAX_BODY_LENGTH)
      }).pipe(Effect.provide(messagingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Notifications (property 8, messages part)
// ---------------------------------------------------------------------------------------------

/** Text a person would write: long enough that it cannot turn up in a notification by chance. */
const Prose = Schema.String.check(
  Schema.isBetweenLength(10, 120),
  Schema.makeFilter((s: string) => s.trim().length >= 10 || "at least ten visible characters")
)

describe("Messaging: the notification of a new message carries no subject or body (property 8)", () => {
  it.effect.prop(
    "its stored payload and every rendering (each channel, each language) hold neither subject nor body, but do hold the link and its code",
    {
      subject: Prose.check(Schema.isMaxLength(MAX_SUBJECT_LENGTH)),
      body: Prose,
      language: Schema.Literals(["en", "fr"]),
      preference: Schema.Literals(["email", "sms", "both"])
    },
    ({ subject, body, language, preference }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient({ language, notificationPreference: preference })
        const sent = yield* send(patient, { subject, body })
        const link = sent.link
        assert.isNotNull(link)
        if (link === null) return
        const notes = yield* (yield* Outbox).all
        assert.deepStrictEqual(
          notes.map((n) => n.channel).sort(),
          preference === "both" ? ["email", "sms"] : [preference]
        )
        const code = yield* requireCode(link.linkId)
        const clinic = Testing.makeClinic()
        const escaped = (s: string) => JSON.stringify(s).slice(1, -1)
        for (const note of notes) {
          assert.strictEqual(note.template, "link-code")
          assert.strictEqual(note.payload.resourceKind, "message")
          assert.strictEqual(note.payload.purpose, "quick-link")
          const stored = JSON.stringify(Schema.encodeSync(Notification)(note))
          for (const secret of [subject, body]) assert.isFalse(stored.includes(escaped(secret)))
          const rendered = render(note, clinic, code)
          const text = `${rendered.subject}\n${rendered.text}`
          for (const secret of [subject, body, subject.trim(), body.trim()])
            assert.isFalse(text.includes(secret))
          // The rendering is real: the clinic, the link to the message's code, the code.
          assert.isTrue(text.includes(clinic.name))
          assert.isTrue(text.includes(`${clinic.portalUrl}/links/${link.linkId}`))
          assert.isTrue(text.includes(Redacted.value(code)))
        }
      }).pipe(Effect.provide(messagingDomain())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect("the link in the notification opens the message, and reading it marks it read", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const messaging = yield* Messaging
      const patient = yield* seedPatient()
      const sent = yield* send(patient, { replyAllowed: false })
      const linkId = sent.link?.linkId
      if (linkId === undefined) return yield* Effect.die(new Error("no link was issued"))
      const opened = yield* auth.openLink(linkId, yield* requireCode(linkId), patient.dateOfBirth, false)
      assert.strictEqual(opened.target.kind, "message")
      assert.strictEqual(opened.target.id, sent.message.id)
      const thread = yield* messaging.read(opened.grant.principal, MessageId.make(opened.target.id))
      assert.strictEqual(thread.message.id, sent.message.id)
      assert.strictEqual(thread.message.body, sent.message.body)
      assert.isNotNull(thread.message.readAt)
    }).pipe(Effect.provide(messagingDomain()))
  )

  it.effect("a patient with no contact on file still gets the message, without a link or notification", () =>
    Effect.gen(function* () {
      const messaging = yield* Messaging
      const { email: _email, mobile: _mobile, ...rest } = Testing.makePatient()
      const patient = yield* savePatient(new Patient(rest))
      assert.isUndefined(patient.email)
      assert.isUndefined(patient.mobile)
      const sent = yield* send(patient)
      assert.strictEqual(sent.link, null)
      assert.deepStrictEqual(yield* (yield* Outbox).all, [])
      assert.strictEqual((yield* TxRef.get((yield* PasscodeStoreMemory).state)).passcodes.length, 0)
      const page = yield* messaging.list(principalOf(patient))
      assert.deepStrictEqual(
        page.messages.map((m) => m.id),
        [sent.message.id]
      )
      const sentEvents = (yield* auditEvents).filter((e) => e.action === "message.sent")
      assert.deepStrictEqual(
        sentEvents.map((e) => [e.outcome, e.resource, e.patientId]),
        [["success", `message:${sent.message.id}`, patient.id]]
      )
    }).pipe(Effect.provide(messagingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Listing: newest first, cursor pages
// ---------------------------------------------------------------------------------------------

describe("Messaging: newest-first cursor pages", () => {
  it.effect.prop(
    "following the cursors returns every message exactly once, newest first, in full pages, also while new messages arrive",
    {
      // Milliseconds between consecutive sends; 0 gives messages sent at the same instant.
      gaps: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2 }))).check(
        Schema.isBetweenLength(0, 40)
      ),
      limit: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 12 })),
      arrivals: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 }))
    },
    ({ gaps, limit, arrivals }) =>
      Effect.gen(function* () {
        const messaging = yield* Messaging
        const patient = yield* seedPatient()
        const me = principalOf(patient)
        const sent: Array<Message> = []
        for (const gap of gaps) {
          yield* TestClock.adjust(gap)
          sent.push((yield* send(patient)).message)
        }
        // Page by hand, with new messages arriving after the first page.
        const seen: Array<Message> = []
        const pageSizes: Array<number> = []
        let cursor: string | undefined
        let first = true
        for (;;) {
          const page = yield* messaging.list(me, { cursor, limit })
          seen.push(...page.messages)
          pageSizes.push(page.messages.length)
          if (first) {
            first = false
            for (let i = 0; i < arrivals; i++) {
              yield* TestClock.adjust(1)
              yield* send(patient, { subject: `New ${i}` })
            }
          }
          if (page.nextCursor === null) break
          cursor = page.nextCursor
        }
        // Exactly the messages there were when paging began, each once.
        assert.strictEqual(seen.length, sent.length)
        assert.deepStrictEqual(new Set(seen.map((m) => m.id)), new Set(sent.map((m) => m.id)))
        // Newest first.
        for (let i = 1; i < seen.length; i++) {
          const prev = seen[i - 1] as Message
          const next = seen[i] as Message
          assert.isTrue(DateTime.toEpochMillis(prev.sentAt) >= DateTime.toEpochMillis(next.sentAt))
        }
        // Full pages but the last; an empty listing is one empty page.
        const expectedPages = Math.max(1, Math.ceil(sent.length / limit))
        assert.strictEqual(pageSizes.length, expectedPages)
        for (const n of pageSizes.slice(0, -1)) assert.strictEqual(n, limit)
        // From the top again, the arrivals come first.
        const fresh = yield* messaging.list(me, { limit: MAX_PAGE_SIZE })
        assert.strictEqual(fresh.messages.length, Math.min(MAX_PAGE_SIZE, sent.length + arrivals))
        assert.deepStrictEqual(
          fresh.messages.slice(0, arrivals).map((m) => m.subject),
          Array.from({ length: arrivals }, (_, i) => `New ${arrivals - 1 - i}`)
        )
      }).pipe(Effect.provide(messagingDomain())),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )

  it.effect(
    "pages hold 20 by default and at most 100; other sizes and foreign cursors are refused clearly",
    () =>
      Effect.gen(function* () {
        const messaging = yield* Messaging
        const patient = yield* seedPatient()
        const me = principalOf(patient)
        for (let i = 0; i < 105; i++) {
          yield* TestClock.adjust(1)
          yield* send(patient)
        }
        const first = yield* messaging.list(me)
        assert.strictEqual(first.messages.length, DEFAULT_PAGE_SIZE)
        assert.strictEqual(DEFAULT_PAGE_SIZE, 20)
        assert.strictEqual((yield* messaging.list(me, { limit: 100 })).messages.length, 100)
        for (const limit of [0, -1, 101, 1.5, Number.NaN]) {
          const error = yield* Effect.flip(messaging.list(me, { limit }))
          assert.strictEqual(error._tag, "InvalidPageSize")
          assert.match(error.message, /1 to 100 entries/)
        }
        const junk = [
          "",
          "not-a-cursor",
          "%%%",
          Base64Url.encode("m1.notanumber.abc"),
          Base64Url.encode("m2.0.abc"),
          Base64Url.encode("m1.0."),
          Base64Url.encode(`m1.${Number.MAX_SAFE_INTEGER + 10}0.abc`),
          Base64Url.encode('{"sentAt":0,"id":"x"}')
        ]
        for (const cursor of junk) {
          const error = yield* Effect.flip(messaging.list(me, { cursor }))
          assert.strictEqual(error._tag, "InvalidCursor", cursor)
          assert.match(error.message, /Reload the list from its first page/)
        }
        // Refusals are audited like the listings that succeeded.
        const listed = (yield* auditEvents).filter((e) => e.action === "message.listed")
        assert.deepStrictEqual(
          listed.map((e) => [e.outcome, e.reason ?? null]),
          [
            ["success", null],
            ["success", null],
            ...[0, -1, 101, 1.5, Number.NaN].map(() => ["failure", "InvalidPageSize"]),
            ...junk.map(() => ["failure", "InvalidCursor"])
          ]
        )
      }).pipe(Effect.provide(messagingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

describe("Messaging: reading marks read once", () => {
  it.effect.prop(
    "readAt is the time of the first read, whatever reads follow; each read is audited",
    {
      firstAfter: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 100_000 })),
      laterReads: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 100_000 }))).check(
        Schema.isBetweenLength(1, 4)
      )
    },
    ({ firstAfter, laterReads }) =>
      Effect.gen(function* () {
        const messaging = yield* Messaging
        const patient = yield* seedPatient()
        const me = principalOf(patient)
        const sent = yield* send(patient)
        const other = yield* send(patient, { subject: "Other" })
        assert.strictEqual(sent.message.readAt, null)
        yield* TestClock.adjust(firstAfter)
        const readAt = yield* Clock.currentTimeMillis
        const first = yield* messaging.read(me, sent.message.id)
        assert.strictEqual(first.message.readAt && DateTime.toEpochMillis(first.message.readAt), readAt)
        for (const wait of laterReads) {
          yield* TestClock.adjust(wait)
          const again = yield* messaging.read(me, sent.message.id)
          assert.deepStrictEqual(again.message, first.message)
        }
        // The listing and staff see the same; the other message is still unread.
        const page = yield* messaging.list(me)
        const byId = new Map(page.messages.map((m) => [m.id, m]))
        assert.deepStrictEqual(byId.get(sent.message.id), first.message)
        assert.strictEqual(byId.get(other.message.id)?.readAt, null)
        const reads = (yield* auditEvents).filter((e) => e.action === "message.read")
        assert.deepStrictEqual(
          reads.map((e) => [e.outcome, e.resource]),
          [first, ...laterReads].map(() => ["success", `message:${sent.message.id}`])
        )
      }).pipe(Effect.provide(messagingDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )
})

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

describe("Messaging: every read and write is audited", () => {
  it.effect("send, list, read, reply and the staff view each leave one event, chained intact", () =>
    Effect.gen(function* () {
      const messaging = yield* Messaging
      const patient = yield* seedPatient()
      const me = principalOf(patient)
      const sent = yield* send(patient)
      yield* messaging.list(me)
      yield* messaging.read(me, sent.message.id)
      yield* messaging.reply(me, sent.message.id, "Thank you")
      yield* messaging.staffThread(staff, patient.id)
      const events = yield* auditEvents
      const staffActor = new Actor({ kind: "staff", id: staff.staffId })
      const patientActor = new Actor({ kind: "patient", id: patient.id })
      assert.deepStrictEqual(
        events.map((e) => [e.action, e.actor, e.patientId, e.resource, e.outcome]),
        [
          [
            "link.issued",
            new Actor({ kind: "system" }),
            patient.id,
            `challenge:${sent.link?.linkId}`,
            "success"
          ],
          ["message.sent", staffActor, patient.id, `message:${sent.message.id}`, "success"],
          ["message.listed", patientActor, patient.id, `patient:${patient.id}`, "success"],
          ["message.read", patientActor, patient.id, `message:${sent.message.id}`, "success"],
          ["message.replied", patientActor, patient.id, `message:${sent.message.id}`, "success"],
          ["message.thread-viewed", staffActor, patient.id, `patient:${patient.id}`, "success"]
        ]
      )
      // No event carries the subject or the body.
      const json = JSON.stringify(events)
      assert.isFalse(json.includes(sent.message.subject))
      assert.isFalse(json.includes(sent.message.body))
      assert.deepStrictEqual(yield* (yield* AuditLog).verify(patient.clinicId), { _tag: "Intact", events: 6 })
    }).pipe(Effect.provide(messagingDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Property 10: all or nothing
// ---------------------------------------------------------------------------------------------

/** Messaging whose audit log dies on one action, on a domain the test can still inspect. */
const messagingFailingAt = (action: string) => {
  const domain = Layer.merge(MessageRepo.layerMemory, freshDomain())
  const failingAudit = Layer.effect(
    AuditLog,
    Effect.map(AuditLog, (real) =>
      AuditLog.of({
        ...real,
        append: (entry) =>
          entry.action === action ? Effect.die(new Error("audit store down")) : real.append(entry)
      })
    )
  ).pipe(Layer.provide(domain))
  // Authentication, used by Messaging, sees the failing log too.
  // Fresh: the domain already holds an Authentication built on the working log.
  const auth = Layer.fresh(Authentication.layer).pipe(Layer.provide(Layer.merge(domain, failingAudit)))
  return Messaging.layer.pipe(
    Layer.provide(Layer.mergeAll(domain, failingAudit, auth)),
    Layer.provideMerge(domain)
  )
}

describe("Messaging: a failure inside send leaves no partial write (property 10)", () => {
  it.effect.prop(
    "when the unit fails at any step, no message, passcode, notification or audit event remains",
    { failAt: Schema.Literals(["link.issued", "message.sent", "none"]) },
    ({ failAt }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const exit = yield* Effect.exit(send(patient))
        const messages = (yield* messageState).messages
        const passcodes = (yield* TxRef.get((yield* PasscodeStoreMemory).state)).passcodes
        const outbox = yield* TxRef.get((yield* OutboxMemory).state)
        const events = yield* auditEvents
        if (failAt === "none") {
          // Control: the same wiring commits everything when nothing fails.
          assert.isTrue(Exit.isSuccess(exit))
          assert.strictEqual(messages.size, 1)
          assert.strictEqual(passcodes.length, 1)
          assert.strictEqual(outbox.length, 2)
          assert.deepStrictEqual(
            events.map((e) => e.action),
            ["link.issued", "message.sent"]
          )
          return
        }
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        assert.strictEqual(messages.size, 0)
        assert.strictEqual(passcodes.length, 0)
        assert.strictEqual(outbox.length, 0)
        assert.deepStrictEqual(events, [])
      }).pipe(Effect.provide(messagingFailingAt(failAt))),
    { timeout: 60_000, arbitrary: { runs: 9 } }
  )
})
