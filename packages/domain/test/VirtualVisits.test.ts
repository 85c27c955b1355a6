/**
 * VirtualVisits: the access code a booked virtual visit gets (8 case-sensitive characters of
 * the unambiguous alphabet, stored only as an HMAC, sent 5 min before the start), the join
 * window (from 15 min before the start, inclusive, to the end, exclusive), resend superseding
 * the old code, and what moving or cancelling the visit does to its code and notice.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Layer, Option, Redacted, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import type { Appointment } from "../src/Appointment.ts"
import { CodeGenerator, UNAMBIGUOUS } from "../src/CodeGenerator.ts"
import { Hasher } from "../src/Hasher.ts"
import { AppointmentId } from "../src/Ids.ts"
import { Notifications, openCode } from "../src/Notifications.ts"
import { OutboxMemory } from "../src/Outbox.ts"
import * as Testing from "../src/testing/index.ts"
import { VISIT_CODE_CONTEXT, VirtualVisitStore, VirtualVisitStoreMemory } from "../src/VirtualVisit.ts"
import {
  codeGroupKey,
  defaultPolicy,
  JOIN_PATH,
  policyLayer,
  type VirtualVisitPolicy,
  VirtualVisits
} from "../src/VirtualVisits.ts"
import { seedPatient } from "./support.ts"
import {
  auditEvents,
  auditOf,
  DAY,
  MINUTE,
  meetingUrl,
  otherClinicStaff,
  seedAppointment,
  seedProvider,
  seedType,
  staff,
  stringsIn,
  updateAppointment
} from "./VisitSupport.ts"

// ---------------------------------------------------------------------------------------------
// Layers and helpers
// ---------------------------------------------------------------------------------------------

/** VirtualVisits on fresh in-memory ports; a seeded code generator when `seed` is given. */
const visitsLayer = (
  options: { readonly policy?: Partial<VirtualVisitPolicy>; readonly seed?: number } = {}
) =>
  VirtualVisits.layer.pipe(
    Layer.provideMerge(VirtualVisitStore.layerMemory),
    Layer.provideMerge(Notifications.layer),
    Layer.provideMerge(
      Testing.layerPortsMemory(
        options.seed === undefined ? {} : { generator: CodeGenerator.layerSeeded(options.seed) }
      )
    ),
    Layer.provide(policyLayer(options.policy ?? {}))
  )

const leadMs = Duration.toMillis(defaultPolicy.codeLeadTime)
const opensMs = Duration.toMillis(defaultPolicy.joinOpensBefore)

/** Books a virtual visit (the patient fixture, 30 min by default) and runs the `booked` handler. */
const bookVirtual = (startMs: number, options: { readonly minutes?: number; readonly id?: string } = {}) =>
  Effect.gen(function* () {
    yield* seedPatient()
    yield* seedProvider()
    const type = yield* seedType({ id: "type-video", mode: "virtual" })
    const appointment = yield* seedAppointment({
      id: options.id ?? "appt-video",
      patientId: Testing.makePatient().id,
      type,
      startMs,
      ...(options.minutes === undefined ? {} : { minutes: options.minutes })
    })
    yield* (yield* VirtualVisits).handlers.booked(appointment)
    return appointment
  })

/** The visit's code notices, oldest first. */
const codeNotes = (appointmentId: AppointmentId) =>
  Effect.gen(function* () {
    const all = yield* TxRef.get((yield* OutboxMemory).state)
    return all.filter(
      (n) => n.template === "virtual-visit-code" && n.groupKey === codeGroupKey(appointmentId)
    )
  })

/** The code of the visit's newest pending notice, opened as the patient's device would. */
const latestCode = (appointmentId: AppointmentId) =>
  Effect.gen(function* () {
    const pending = (yield* codeNotes(appointmentId)).filter((n) => n.status === "pending")
    const note = pending.at(-1)
    if (note === undefined) return yield* Effect.die(new Error("no pending code notice"))
    const code = yield* openCode(yield* Hasher, note)
    if (Option.isNone(code)) return yield* Effect.die(new Error("the notice carries no code"))
    return Redacted.value(code.value)
  })

const join = (code: string) => Effect.flatMap(VirtualVisits, (v) => v.join(Redacted.make(code)))
const joinFails = (code: string) => Effect.flip(join(code))

const storedCodes = Effect.gen(function* () {
  return yield* TxRef.get((yield* VirtualVisitStoreMemory).state)
})

/** Asserts an error's tag and fields exactly. */
const assertError = (error: object, expected: Record<string, unknown>) => {
  const fields = Object.fromEntries(Object.entries(error).filter(([k]) => k !== "stack"))
  assert.deepStrictEqual(fields, expected)
}

const at = (ms: number) => DateTime.makeUnsafe(ms)

const flipCase = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("VirtualVisits: issuing the code", () => {
  it.effect(
    "booking a virtual visit issues an 8-character code, stored only as its HMAC, sent 5 min before the start",
    () =>
      Effect.gen(function* () {
        const start = 2 * DAY
        const visit = yield* bookVirtual(start)
        const notes = yield* codeNotes(visit.id)
        // Preference `both`: one notice per channel, both scheduled for start − 5 min.
        assert.deepStrictEqual(
          notes.map((n) => [n.channel, n.status, n.notBefore.epochMilliseconds, n.groupKey]),
          [
            ["email", "pending", start - leadMs, `appointment:${visit.id}:virtual-visit`],
            ["sms", "pending", start - leadMs, `appointment:${visit.id}:virtual-visit`]
          ]
        )
        for (const n of notes) {
          assert.strictEqual(n.payload.startsAt?.epochMilliseconds, start)
          assert.strictEqual(n.payload.path, JOIN_PATH)
        }
        const code = yield* latestCode(visit.id)
        assert.match(code, /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz]{8}$/)
        const first = notes[0]
        if (first === undefined) return assert.fail("no notice")
        assert.strictEqual(Redacted.value(Option.getOrThrow(yield* openCode(yield* Hasher, first))), code)

        // The store holds the HMAC under the fixed lookup context, and nothing holds the code.
        const codes = yield* storedCodes
        assert.strictEqual(codes.length, 1)
        assert.strictEqual(codes[0]?.status, "active")
        assert.strictEqual(
          codes[0]?.codeHash,
          yield* (yield* Hasher).hashCode(VISIT_CODE_CONTEXT, Redacted.make(code))
        )
        const outbox = yield* TxRef.get((yield* OutboxMemory).state)
        const everywhere = [...stringsIn(codes), ...stringsIn(outbox), ...stringsIn(yield* auditEvents)]
        assert.isAbove(everywhere.length, 20)
        assert.deepStrictEqual(
          everywhere.filter((s) => s.includes(code)),
          []
        )

        const issued = yield* auditOf("visit.code-issued")
        assert.deepStrictEqual(
          issued.map((e) => [e.actor.kind, e.patientId, e.resource, e.outcome]),
          [["system", visit.patientId, `appointment:${visit.id}`, "success"]]
        )

        // The same booking reported again keeps its code.
        yield* (yield* VirtualVisits).handlers.booked(visit)
        assert.strictEqual((yield* storedCodes).length, 1)
        assert.strictEqual((yield* codeNotes(visit.id)).length, 2)
      }).pipe(Effect.provide(visitsLayer()))
  )

  it.effect("an in-person appointment gets no code", () =>
    Effect.gen(function* () {
      yield* seedPatient()
      const type = yield* seedType({ id: "type-office", mode: "in-person" })
      const visit = yield* seedAppointment({
        id: "appt-office",
        patientId: Testing.makePatient().id,
        type,
        startMs: DAY
      })
      yield* (yield* VirtualVisits).handlers.booked(visit)
      assert.strictEqual((yield* storedCodes).length, 0)
      assert.strictEqual((yield* codeNotes(visit.id)).length, 0)
      const error = yield* Effect.flip((yield* VirtualVisits).resendCode(staff, visit.id))
      assertError(error, { _tag: "NotFound", kind: "virtual-visit" })
    }).pipe(Effect.provide(visitsLayer()))
  )

  it.effect("a visit booked less than 5 min ahead has its code sent at once", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DAY)
      const visit = yield* bookVirtual(DAY + 2 * MINUTE)
      const notes = yield* codeNotes(visit.id)
      assert.deepStrictEqual(
        notes.map((n) => n.notBefore.epochMilliseconds),
        [DAY, DAY]
      )
    }).pipe(Effect.provide(visitsLayer()))
  )
})

describe("VirtualVisits: the join window", () => {
  it.effect("with the defaults, the room opens at start − 15 min and closes at the end (end excluded)", () =>
    Effect.gen(function* () {
      const start = 3 * DAY
      const end = start + 30 * MINUTE
      const visit = yield* bookVirtual(start)
      const code = yield* latestCode(visit.id)
      const opensAt = start - 15 * MINUTE
      assert.strictEqual(opensMs, 15 * MINUTE)
      assert.strictEqual(leadMs, 5 * MINUTE)

      yield* TestClock.setTime(opensAt - 1)
      const early = yield* joinFails(code)
      assertError(early, { _tag: "VisitNotOpenYet", opensAt: at(opensAt), startsAt: at(start) })
      assert.include(early.message, "15 minutes before it starts")
      assert.include(early.message, DateTime.formatIso(at(opensAt)))

      const expected = { appointmentId: visit.id, meetingUrl, startsAt: at(start), endsAt: at(end) }
      yield* TestClock.setTime(opensAt)
      assert.deepStrictEqual({ ...(yield* join(code)) }, expected)
      yield* TestClock.setTime(end - 1)
      assert.deepStrictEqual({ ...(yield* join(code)) }, expected)
      yield* TestClock.setTime(end)
      assertError(yield* joinFails(code), { _tag: "VisitEnded", endedAt: at(end) })

      const joins = yield* auditOf("visit.joined")
      assert.deepStrictEqual(
        joins.map((e) => [e.actor.kind, e.outcome, e.reason ?? null, e.patientId]),
        [
          ["anonymous", "failure", "VisitNotOpenYet", visit.patientId],
          ["anonymous", "success", null, visit.patientId],
          ["anonymous", "success", null, visit.patientId],
          ["anonymous", "failure", "VisitEnded", visit.patientId]
        ]
      )
    }).pipe(Effect.provide(visitsLayer()))
  )

  it.effect.prop(
    "for any policy, start and length: notice at start − lead; join from start − opens (inclusive) to the end (exclusive)",
    {
      startMinutes: Schema.Int.check(Schema.isBetween({ minimum: 121, maximum: 60 * 24 * 60 })),
      minutes: Schema.Int.check(Schema.isBetween({ minimum: 5, maximum: 480 })),
      opensMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 120 })),
      leadMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 120 }))
    },
    ({ startMinutes, minutes, opensMinutes, leadMinutes }) =>
      Effect.gen(function* () {
        const start = startMinutes * MINUTE
        const end = start + minutes * MINUTE
        const opensAt = start - opensMinutes * MINUTE
        const visit = yield* bookVirtual(start, { minutes })
        const notes = yield* codeNotes(visit.id)
        assert.deepStrictEqual(
          notes.map((n) => n.notBefore.epochMilliseconds),
          [start - leadMinutes * MINUTE, start - leadMinutes * MINUTE]
        )
        const code = yield* latestCode(visit.id)
        yield* TestClock.setTime(opensAt - 1)
        assertError(yield* joinFails(code), {
          _tag: "VisitNotOpenYet",
          opensAt: at(opensAt),
          startsAt: at(start)
        })
        yield* TestClock.setTime(opensAt)
        assert.strictEqual((yield* join(code)).meetingUrl, meetingUrl)
        yield* TestClock.setTime(end - 1)
        assert.strictEqual((yield* join(code)).endsAt.epochMilliseconds, end)
        yield* TestClock.setTime(end)
        assertError(yield* joinFails(code), { _tag: "VisitEnded", endedAt: at(end) })
      }).pipe(
        Effect.provide(
          visitsLayer({
            policy: {
              joinOpensBefore: Duration.minutes(opensMinutes),
              codeLeadTime: Duration.minutes(leadMinutes)
            }
          })
        )
      ),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect("no meeting room on file, or a visit marked completed, is answered clearly", () =>
    Effect.gen(function* () {
      const visit = yield* bookVirtual(DAY)
      const code = yield* latestCode(visit.id)
      yield* TestClock.setTime(DAY)
      yield* seedProvider(null)
      assertError(yield* joinFails(code), { _tag: "MeetingUrlMissing" })
      yield* updateAppointment(visit, { status: "completed" })
      assertError(yield* joinFails(code), { _tag: "VisitEnded", endedAt: visit.end })
    }).pipe(Effect.provide(visitsLayer()))
  )
})

describe("VirtualVisits: the code is the credential", () => {
  it.effect.prop(
    "codes are case-sensitive: flipping the case of any one letter gives a code that opens nothing",
    { seed: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000_000 })) },
    ({ seed }) =>
      Effect.gen(function* () {
        const visit = yield* bookVirtual(DAY)
        const code = yield* latestCode(visit.id)
        yield* TestClock.setTime(DAY)
        // Only flips that stay inside the alphabet: a flip to a letter the alphabet lacks
        // (l, i, o) would prove nothing about case.
        const positions = [...code].flatMap((c, i) =>
          flipCase(c) !== c && UNAMBIGUOUS.includes(flipCase(c)) ? [i] : []
        )
        assert.isAbove(positions.length, 0)
        for (const i of positions) {
          const flipped = code.slice(0, i) + flipCase(code[i] ?? "") + code.slice(i + 1)
          assertError(yield* joinFails(flipped), { _tag: "AccessCodeInvalid" })
        }
        for (const variant of [code.toUpperCase(), code.toLowerCase()].filter((v) => v !== code)) {
          assertError(yield* joinFails(variant), { _tag: "AccessCodeInvalid" })
        }
        // The code itself works, also pasted with spaces around it.
        assert.strictEqual((yield* join(code)).appointmentId, visit.id)
        assert.strictEqual((yield* join(` ${code}\n`)).appointmentId, visit.id)
      }).pipe(Effect.provide(visitsLayer({ seed }))),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect("an unknown code, an empty one and an overlong one are refused alike, and audit nothing", () =>
    Effect.gen(function* () {
      const visit = yield* bookVirtual(DAY)
      yield* TestClock.setTime(DAY)
      const code = yield* latestCode(visit.id)
      const other = [...code]
        .map((c) => UNAMBIGUOUS[(UNAMBIGUOUS.indexOf(c) + 1) % UNAMBIGUOUS.length])
        .join("")
      for (const entry of [other, "", "   ", code.repeat(9)]) {
        assertError(yield* joinFails(entry), { _tag: "AccessCodeInvalid" })
      }
      assert.strictEqual((yield* auditOf("visit.joined")).length, 0)
    }).pipe(Effect.provide(visitsLayer()))
  )
})

describe("VirtualVisits: resend, reschedule, cancel", () => {
  it.effect("a resent code supersedes the old one, which is refused exactly like an unknown code", () =>
    Effect.gen(function* () {
      const visits = yield* VirtualVisits
      const start = 2 * DAY
      const visit = yield* bookVirtual(start)
      const oldCode = yield* latestCode(visit.id)

      yield* TestClock.setTime(DAY)
      const sent = yield* visits.resendCode(staff, visit.id)
      // Sent now, and again 5 min before the start, on both channels.
      assert.deepStrictEqual({ ...sent }, { appointmentId: visit.id, issuedAt: at(DAY), notifications: 4 })
      const notes = yield* codeNotes(visit.id)
      assert.deepStrictEqual(
        notes.map((n) => [n.status, n.notBefore.epochMilliseconds]),
        [
          ["withdrawn", start - leadMs],
          ["withdrawn", start - leadMs],
          ["pending", DAY],
          ["pending", DAY],
          ["pending", start - leadMs],
          ["pending", start - leadMs]
        ]
      )
      const newCode = yield* latestCode(visit.id)
      assert.notStrictEqual(newCode, oldCode)
      const hasher = yield* Hasher
      for (const n of notes.slice(2)) {
        assert.strictEqual(Redacted.value(Option.getOrThrow(yield* openCode(hasher, n))), newCode)
      }
      assert.deepStrictEqual(
        (yield* storedCodes).map((c) => [c.status, c.endedAt?.epochMilliseconds ?? null]),
        [
          ["superseded", DAY],
          ["active", null]
        ]
      )

      yield* TestClock.setTime(start)
      const superseded = yield* joinFails(oldCode)
      const unknown = yield* joinFails("ZZZZZZZZ")
      assertError(superseded, { _tag: "AccessCodeInvalid" })
      assert.deepStrictEqual(superseded, unknown)
      assert.strictEqual(superseded.message, unknown.message)
      assert.strictEqual((yield* join(newCode)).appointmentId, visit.id)

      // Within the last 5 min a resend is sent now only.
      yield* TestClock.setTime(start - MINUTE)
      assert.strictEqual((yield* visits.resendCode(staff, visit.id)).notifications, 2)

      const resent = yield* auditOf("visit.code-resent")
      assert.deepStrictEqual(
        resent.map((e) => [e.actor.kind, e.actor.id, e.patientId, e.outcome]),
        [
          ["staff", staff.staffId, visit.patientId, "success"],
          ["staff", staff.staffId, visit.patientId, "success"]
        ]
      )
      // No store and no notice ever held any of the codes in the clear.
      const codes = [oldCode, newCode, yield* latestCode(visit.id)]
      const everywhere = [
        ...stringsIn(yield* storedCodes),
        ...stringsIn(yield* TxRef.get((yield* OutboxMemory).state)),
        ...stringsIn(yield* auditEvents)
      ]
      assert.deepStrictEqual(
        everywhere.filter((s) => codes.some((c) => s.includes(c))),
        []
      )
    }).pipe(Effect.provide(visitsLayer()))
  )

  it.effect(
    "resend is refused for a visit of another clinic, an unknown one, one not booked, or one over",
    () =>
      Effect.gen(function* () {
        const visits = yield* VirtualVisits
        const visit = yield* bookVirtual(2 * DAY)
        const resendFails = (s: typeof staff, id: AppointmentId) => Effect.flip(visits.resendCode(s, id))
        assertError(yield* resendFails(otherClinicStaff, visit.id), { _tag: "NotFound", kind: "appointment" })
        assertError(yield* resendFails(staff, AppointmentId.make("no-such-appointment")), {
          _tag: "NotFound",
          kind: "appointment"
        })
        const requested = yield* updateAppointment(visit, { status: "requested" })
        assertError(yield* resendFails(staff, visit.id), { _tag: "VisitNotBooked", status: "requested" })
        yield* updateAppointment(requested, { status: "cancelled" })
        assertError(yield* resendFails(staff, visit.id), { _tag: "VisitNotBooked", status: "cancelled" })
        const booked = yield* updateAppointment(requested, { status: "booked" })
        yield* TestClock.setTime(booked.end.epochMilliseconds)
        assertError(yield* resendFails(staff, visit.id), { _tag: "VisitEnded", endedAt: booked.end })
        yield* updateAppointment(booked, { status: "completed" })
        assertError(yield* resendFails(staff, visit.id), { _tag: "VisitEnded", endedAt: booked.end })
        // Nothing was issued or sent by the refusals; each was audited.
        assert.strictEqual((yield* storedCodes).length, 1)
        assert.strictEqual((yield* codeNotes(visit.id)).length, 2)
        assert.deepStrictEqual(
          (yield* auditOf("visit.code-resent")).map((e) => [e.outcome, e.reason]),
          [
            ["failure", "NotFound"],
            ["failure", "NotFound"],
            ["failure", "VisitNotBooked"],
            ["failure", "VisitNotBooked"],
            ["failure", "VisitEnded"],
            ["failure", "VisitEnded"]
          ]
        )
      }).pipe(Effect.provide(visitsLayer()))
  )

  it.effect("a cancelled visit's code is refused and its notice withdrawn", () =>
    Effect.gen(function* () {
      const visit = yield* bookVirtual(2 * DAY)
      const code = yield* latestCode(visit.id)
      const cancelled = yield* updateAppointment(visit, { status: "cancelled" })
      yield* (yield* VirtualVisits).handlers.cancelled(cancelled)
      assert.deepStrictEqual(
        (yield* codeNotes(visit.id)).map((n) => n.status),
        ["withdrawn", "withdrawn"]
      )
      assert.deepStrictEqual(
        (yield* storedCodes).map((c) => c.status),
        ["revoked"]
      )
      yield* TestClock.setTime(2 * DAY)
      assertError(yield* joinFails(code), { _tag: "AccessCodeInvalid" })
      assert.strictEqual((yield* auditOf("visit.code-revoked")).length, 1)
    }).pipe(Effect.provide(visitsLayer()))
  )

  it.effect("a visit cancelled without its handler having run still refuses the code", () =>
    Effect.gen(function* () {
      const visit = yield* bookVirtual(2 * DAY)
      const code = yield* latestCode(visit.id)
      yield* updateAppointment(visit, { status: "cancelled" })
      yield* TestClock.setTime(2 * DAY)
      assertError(yield* joinFails(code), { _tag: "AccessCodeInvalid" })
    }).pipe(Effect.provide(visitsLayer()))
  )

  it.effect("a moved visit gets a new code and notice for its new time; the old ones stop", () =>
    Effect.gen(function* () {
      const oldStart = 2 * DAY
      const newStart = 3 * DAY
      const visit = yield* bookVirtual(oldStart)
      const oldCode = yield* latestCode(visit.id)
      const moved: Appointment = yield* updateAppointment(visit, {
        start: at(newStart),
        end: at(newStart + 30 * MINUTE)
      })
      yield* (yield* VirtualVisits).handlers.rescheduled(visit, moved)
      assert.deepStrictEqual(
        (yield* codeNotes(visit.id)).map((n) => [
          n.status,
          n.notBefore.epochMilliseconds,
          n.payload.startsAt?.epochMilliseconds
        ]),
        [
          ["withdrawn", oldStart - leadMs, oldStart],
          ["withdrawn", oldStart - leadMs, oldStart],
          ["pending", newStart - leadMs, newStart],
          ["pending", newStart - leadMs, newStart]
        ]
      )
      const newCode = yield* latestCode(visit.id)
      assert.notStrictEqual(newCode, oldCode)
      yield* TestClock.setTime(oldStart)
      assertError(yield* joinFails(oldCode), { _tag: "AccessCodeInvalid" })
      assertError(yield* joinFails(newCode), {
        _tag: "VisitNotOpenYet",
        opensAt: at(newStart - opensMs),
        startsAt: at(newStart)
      })
      yield* TestClock.setTime(newStart)
      assert.strictEqual((yield* join(newCode)).startsAt.epochMilliseconds, newStart)
      assertError(yield* joinFails(oldCode), { _tag: "AccessCodeInvalid" })

      // Moved back to a request: the code stops until it is confirmed.
      const asRequest = yield* updateAppointment(moved, { status: "requested" })
      yield* (yield* VirtualVisits).handlers.rescheduled(moved, asRequest)
      assertError(yield* joinFails(newCode), { _tag: "AccessCodeInvalid" })
      assert.deepStrictEqual(
        (yield* storedCodes).map((c) => c.status),
        ["superseded", "revoked"]
      )
    }).pipe(Effect.provide(visitsLayer()))
  )
})
