/**
 * Property 9: tampering with any event of a clinic's audit chain is found by
 * `AuditLog.verify`, at a sequence number the test predicts exactly; an untouched chain is
 * Intact with its count; clinics' chains are independent.
 *
 * Where each tampering is reported (k is the tampered event's sequence, n the chain's length):
 * - a field of event k altered (its hash left alone), or its hash changed: `altered` at k;
 * - a field of event k altered and its hash recomputed: `missing-or-reordered` at k + 1,
 *   where the next event's `prevHash` no longer matches (nothing, when k = n: see below);
 * - event k deleted: `missing-or-reordered` at k, where event k + 1 now stands (nothing when k = n);
 * - events i < j swapped: `missing-or-reordered` at i, where event j now stands;
 * - event k's `sequence` or `prevHash` changed: `missing-or-reordered` at k;
 * - a forged event inserted before event k with a correct hash and link: `missing-or-reordered`
 *   at k + 1, where the original event k now stands (nothing when appended after the last:
 *   that is indistinguishable from a real append); with a wrong hash: `altered` at k.
 *
 * What a hash chain alone cannot see: a missing tail (the last events cut off, or the tail
 * rewritten with recomputed hashes), because every remaining link still holds. A deployment
 * anchors the head: it periodically records the latest (sequence, hash) somewhere the
 * database's writers cannot change (a WORM bucket, a transparency log, a signed timestamp,
 * the clinic's own copy), and checks `verify`'s count and the event at that sequence against it.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Schema, TxRef } from "effect"
import { Digest } from "effect/crypto"
import {
  Actor,
  AuditEntry,
  AuditEvent,
  type ChainReport,
  chainHash,
  GENESIS_HASH
} from "../src/AuditEvent.ts"
import { AuditLog, AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import { Demographics } from "../src/Demographics.ts"
import { AuditEventId, ClinicId, PatientId } from "../src/Ids.ts"
import { ResourceRef } from "../src/Passcode.ts"
import { HealthCardIdentifier } from "../src/Patient.ts"
import { freshDomain, loginAs, seedPatient, startLoginFor } from "./support.ts"

const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))

const clinicA = ClinicId.make("clinic-a")
const clinicB = ClinicId.make("clinic-b")

/** The audit log in memory, with the digest the test uses to forge well-formed events. */
const logLayer = () => Layer.merge(AuditLog.layerMemory, Digest.layerWebCrypto)

const ACTIONS = [
  "login.succeeded",
  "message.read",
  "appointment.booked",
  "demographics.updated",
  "chart.read"
]

/** One random entry: the clinic it belongs to and what it says. */
const EntrySpec = Schema.Struct({
  clinic: Schema.Literals(["A", "B"]),
  action: Schema.Literals(ACTIONS),
  outcome: Schema.Literals(["success", "failure"]),
  patient: Schema.NullOr(between(0, 4)),
  resource: Schema.Literals(["message", "appointment", "challenge", "session", "patient"]),
  reason: Schema.optional(Schema.Literals(["PasscodeInvalid", "NotFound", "SlotTaken"])),
  actor: Schema.Literals(["patient", "staff", "system", "anonymous"]),
  stepMs: between(0, 600_000)
})
type EntrySpec = typeof EntrySpec.Type

/** The tamperings tried. */
const Tampering = Schema.Literals([
  "alter-field",
  "alter-and-rehash",
  "delete",
  "swap",
  "change-hash",
  "change-prev-hash",
  "change-sequence",
  "insert-forged",
  "insert-naive"
])
type Tampering = typeof Tampering.Type

/** The fields an alteration changes (all of an entry's own fields). */
const Field = Schema.Literals(["id", "actor", "action", "patientId", "resource", "outcome", "reason", "at"])
type Field = typeof Field.Type

const T0 = 1_700_000_000_000

const entriesOf = (specs: ReadonlyArray<EntrySpec>) => {
  let at = T0
  return specs.map((s, i) => {
    at += s.stepMs
    // The first two events are clinic A's and the next two clinic B's, so each chain can be swapped in.
    const clinic = i < 2 ? clinicA : i < 4 ? clinicB : s.clinic === "A" ? clinicA : clinicB
    return new AuditEntry({
      id: AuditEventId.make(`event-${i}`),
      clinicId: clinic,
      actor: new Actor(
        s.actor === "system" || s.actor === "anonymous"
          ? { kind: s.actor }
          : { kind: s.actor, id: `${s.actor}-${i % 3}` }
      ),
      action: s.action,
      patientId: s.patient === null ? null : PatientId.make(`patient-${s.patient}`),
      resource: `${s.resource}:${i}`,
      outcome: s.outcome,
      ...(s.reason === undefined ? {} : { reason: s.reason }),
      at: DateTime.makeUnsafe(at)
    })
  })
}

/** A different hex string of the same length. */
const flipHex = (hex: string) => `${hex[0] === "0" ? "1" : "0"}${hex.slice(1)}`

/** The event with one field changed to something else. */
const alter = (event: AuditEvent, field: Field): AuditEvent => {
  switch (field) {
    case "id":
      return new AuditEvent({ ...event, id: AuditEventId.make(`${event.id}-forged`) })
    case "actor":
      return new AuditEvent({
        ...event,
        actor: new Actor({ kind: event.actor.kind === "staff" ? "patient" : "staff", id: "insider" })
      })
    case "action":
      return new AuditEvent({
        ...event,
        action: event.action === "record.deleted" ? "record.kept" : "record.deleted"
      })
    case "patientId":
      return new AuditEvent({
        ...event,
        patientId: event.patientId === null ? PatientId.make("patient-9") : null
      })
    case "resource":
      return new AuditEvent({ ...event, resource: `${event.resource}0` })
    case "outcome":
      return new AuditEvent({ ...event, outcome: event.outcome === "success" ? "failure" : "success" })
    case "reason": {
      if (event.reason === undefined) return new AuditEvent({ ...event, reason: "Forged" })
      const { reason: _r, ...rest } = event
      return new AuditEvent(rest)
    }
    case "at":
      return new AuditEvent({ ...event, at: DateTime.makeUnsafe(DateTime.toEpochMillis(event.at) + 1) })
  }
}

const entryOf = (event: AuditEvent) => {
  const { sequence: _s, prevHash: _p, hash: _h, ...entry } = event
  return new AuditEntry(entry)
}

/** What `verify` must answer after a tampering. */
type Expected = ChainReport

const broken = (
  sequence: number,
  eventId: string,
  problem: "altered" | "missing-or-reordered"
): Expected => ({ _tag: "Broken", sequence, eventId, problem })

/**
 * Tampers with one clinic's chain directly in the in-memory log's state, as someone with
 * write access to the store could, and returns what `verify` must report for that clinic.
 */
const tamper = (clinicId: ClinicId, kind: Tampering, field: Field, pick: number, pick2: number) =>
  Effect.gen(function* () {
    const { state } = yield* AuditLogMemory
    const digest = yield* Digest.Digest
    const all = yield* TxRef.get(state)
    const positions = all.flatMap((e, i) => (e.clinicId === clinicId ? [i] : []))
    const chain = positions.map((i) => all[i] as AuditEvent)
    const n = chain.length
    const k = 1 + (pick % n)
    const at = (sequence: number) => chain[sequence - 1] as AuditEvent
    const place = (sequence: number) => positions[sequence - 1] as number
    const replace = (index: number, event: AuditEvent) => all.map((e, i) => (i === index ? event : e))
    let next: ReadonlyArray<AuditEvent>
    let expected: Expected
    switch (kind) {
      case "alter-field": {
        const altered = alter(at(k), field)
        next = replace(place(k), altered)
        expected = broken(k, altered.id, "altered")
        break
      }
      case "alter-and-rehash": {
        const altered = alter(at(k), field)
        const hash = yield* chainHash(digest, altered.prevHash, altered.sequence, entryOf(altered))
        next = replace(place(k), new AuditEvent({ ...altered, hash }))
        expected = k < n ? broken(k + 1, at(k + 1).id, "missing-or-reordered") : { _tag: "Intact", events: n }
        break
      }
      case "delete": {
        next = all.filter((_, i) => i !== place(k))
        expected = k < n ? broken(k, at(k + 1).id, "missing-or-reordered") : { _tag: "Intact", events: n - 1 }
        break
      }
      case "swap": {
        const a = 1 + (pick % n)
        let b = 1 + (pick2 % (n - 1))
        if (b >= a) b++
        const [i, j] = a < b ? [a, b] : [b, a]
        next = all.map((e, index) => (index === place(i) ? at(j) : index === place(j) ? at(i) : e))
        expected = broken(i, at(j).id, "missing-or-reordered")
        break
      }
      case "change-hash": {
        next = replace(place(k), new AuditEvent({ ...at(k), hash: flipHex(at(k).hash) }))
        expected = broken(k, at(k).id, "altered")
        break
      }
      case "change-prev-hash": {
        next = replace(place(k), new AuditEvent({ ...at(k), prevHash: flipHex(at(k).prevHash) }))
        expected = broken(k, at(k).id, "missing-or-reordered")
        break
      }
      case "change-sequence": {
        const sequence = pick2 % 2 === 0 ? k + 1 + (pick2 % 7) : Math.max(0, k - 1 - (pick2 % 7))
        next = replace(place(k), new AuditEvent({ ...at(k), sequence }))
        expected = broken(k, at(k).id, "missing-or-reordered")
        break
      }
      case "insert-forged":
      case "insert-naive": {
        const before = 1 + (pick % (n + 1))
        const prevHash = before === 1 ? GENESIS_HASH : at(before - 1).hash
        const entry = new AuditEntry({
          id: AuditEventId.make("event-forged"),
          clinicId,
          actor: new Actor({ kind: "staff", id: "insider" }),
          action: "consent.given",
          patientId: PatientId.make("patient-1"),
          resource: "consent:forged",
          outcome: "success",
          at: DateTime.makeUnsafe(T0)
        })
        const hash = yield* chainHash(digest, prevHash, before, entry)
        const forged = new AuditEvent({
          ...entry,
          sequence: before,
          prevHash,
          hash: kind === "insert-forged" ? hash : flipHex(hash)
        })
        const index = before <= n ? place(before) : all.length
        next = [...all.slice(0, index), forged, ...all.slice(index)]
        expected =
          kind === "insert-naive"
            ? broken(before, forged.id, "altered")
            : before <= n
              ? broken(before + 1, at(before).id, "missing-or-reordered")
              : { _tag: "Intact", events: n + 1 }
        break
      }
    }
    yield* TxRef.set(state, next)
    return expected
  })

const countOf = (all: ReadonlyArray<AuditEvent>, clinicId: ClinicId) =>
  all.filter((e) => e.clinicId === clinicId).length

describe("AuditLog: the hash chain (property 9)", () => {
  it.effect.prop(
    "any single tampering with a random chain is reported exactly as predicted (Broken, at the sequence the header gives); the other clinic's chain stays Intact",
    {
      specs: Schema.Array(EntrySpec).check(Schema.isBetweenLength(4, 30)),
      target: Schema.Literals(["A", "B"]),
      kind: Tampering,
      field: Field,
      pick: between(0, 1_000_000),
      pick2: between(0, 1_000_000)
    },
    ({ specs, target, kind, field, pick, pick2 }) =>
      Effect.gen(function* () {
        const log = yield* AuditLog
        const entries = entriesOf(specs)
        const appended = []
        for (const entry of entries) appended.push(yield* log.append(entry))
        // Untouched: each clinic's chain is numbered from 1 and Intact with its own count.
        const nA = countOf(appended, clinicA)
        const nB = countOf(appended, clinicB)
        assert.deepStrictEqual(yield* log.verify(clinicA), { _tag: "Intact", events: nA })
        assert.deepStrictEqual(yield* log.verify(clinicB), { _tag: "Intact", events: nB })
        assert.deepStrictEqual(yield* log.verify(ClinicId.make("clinic-none")), { _tag: "Intact", events: 0 })
        for (const clinic of [clinicA, clinicB]) {
          assert.deepStrictEqual(
            appended.filter((e) => e.clinicId === clinic).map((e) => e.sequence),
            Array.from({ length: countOf(appended, clinic) }, (_, i) => i + 1)
          )
        }
        const [tampered, untouched] = target === "A" ? [clinicA, clinicB] : [clinicB, clinicA]
        const expected = yield* tamper(tampered, kind, field, pick, pick2)
        assert.deepStrictEqual(yield* log.verify(tampered), expected)
        assert.deepStrictEqual(yield* log.verify(untouched), {
          _tag: "Intact",
          events: countOf(appended, untouched)
        })
      }).pipe(Effect.provide(logLayer())),
    { timeout: 60_000, arbitrary: { runs: 300 } }
  )

  it.effect("each tampering kind is reported where documented, on a chain of five", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Tampering, number, number, ChainReport]> = [
        ["alter-field", 1, 0, broken(2, "event-1", "altered")],
        ["alter-and-rehash", 1, 0, broken(3, "event-2", "missing-or-reordered")],
        ["alter-and-rehash", 4, 0, { _tag: "Intact", events: 5 }],
        ["delete", 1, 0, broken(2, "event-2", "missing-or-reordered")],
        ["delete", 4, 0, { _tag: "Intact", events: 4 }],
        ["swap", 0, 3, broken(1, "event-4", "missing-or-reordered")],
        ["change-hash", 4, 0, broken(5, "event-4", "altered")],
        ["change-prev-hash", 0, 0, broken(1, "event-0", "missing-or-reordered")],
        ["change-sequence", 2, 0, broken(3, "event-2", "missing-or-reordered")],
        ["insert-forged", 0, 0, broken(2, "event-0", "missing-or-reordered")],
        ["insert-forged", 5, 0, { _tag: "Intact", events: 6 }],
        ["insert-naive", 2, 0, broken(3, "event-forged", "altered")]
      ]
      for (const [kind, pick, pick2, report] of cases) {
        const result = yield* Effect.gen(function* () {
          const log = yield* AuditLog
          for (let i = 0; i < 5; i++) {
            yield* log.append(
              new AuditEntry({
                id: AuditEventId.make(`event-${i}`),
                clinicId: clinicA,
                actor: new Actor({ kind: "system" }),
                action: "chart.read",
                patientId: null,
                resource: `chart:${i}`,
                outcome: "success",
                at: DateTime.makeUnsafe(T0 + i)
              })
            )
          }
          const expected = yield* tamper(clinicA, kind, "action", pick, pick2)
          assert.deepStrictEqual(expected, report, `${kind} at pick ${pick}`)
          return yield* log.verify(clinicA)
        }).pipe(Effect.provide(logLayer()))
        assert.deepStrictEqual(result, report, `${kind} at pick ${pick}`)
      }
    })
  )

  it.effect("a truncated tail passes verify alone; comparing with an anchored head (count) catches it", () =>
    Effect.gen(function* () {
      const log = yield* AuditLog
      const { state } = yield* AuditLogMemory
      for (let i = 0; i < 6; i++) {
        yield* log.append(
          new AuditEntry({
            id: AuditEventId.make(`event-${i}`),
            clinicId: clinicA,
            actor: new Actor({ kind: "system" }),
            action: "chart.read",
            patientId: null,
            resource: `chart:${i}`,
            outcome: "success",
            at: DateTime.makeUnsafe(T0 + i)
          })
        )
      }
      // What a deployment would have written somewhere the database's writers cannot reach.
      const anchor = yield* log.verify(clinicA)
      assert.deepStrictEqual(anchor, { _tag: "Intact", events: 6 })
      yield* TxRef.update(state, (all) => all.slice(0, 4))
      const after = yield* log.verify(clinicA)
      assert.deepStrictEqual(after, { _tag: "Intact", events: 4 })
      assert.isTrue(after._tag === "Intact" && anchor._tag === "Intact" && after.events < anchor.events)
    }).pipe(Effect.provide(logLayer()))
  )

  it.effect.prop(
    "a chain written by real operations (logins, link issues, demographics reads and updates) is Intact, and a tampering is found",
    {
      reads: between(0, 3),
      kind: Tampering,
      field: Field,
      pick: between(0, 1_000_000),
      pick2: between(0, 1_000_000)
    },
    ({ reads, kind, field, pick, pick2 }) =>
      Effect.gen(function* () {
        const log = yield* AuditLog
        const demographics = yield* Demographics
        const auth = yield* Authentication
        const ada = yield* seedPatient()
        const other = yield* seedPatient({
          id: PatientId.make("patient-other-clinic"),
          clinicId: clinicB,
          healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "5550001111" })
        })
        const grant = yield* loginAs(ada)
        const otherGrant = yield* loginAs(other)
        for (let i = 0; i < reads; i++) yield* demographics.get(grant.principal)
        yield* demographics.update(grant.principal, { language: "fr" })
        yield* demographics.get(otherGrant.principal)
        yield* startLoginFor(ada)
        yield* auth.issueLink(ada, "quick-link", new ResourceRef({ kind: "message", id: "message-1" }))
        yield* auth.logout(otherGrant.principal)
        const all = yield* TxRef.get((yield* AuditLogMemory).state)
        const n = countOf(all, ada.clinicId)
        assert.deepStrictEqual(yield* log.verify(ada.clinicId), { _tag: "Intact", events: n })
        assert.deepStrictEqual(yield* log.verify(clinicB), { _tag: "Intact", events: countOf(all, clinicB) })
        const expected = yield* tamper(ada.clinicId, kind, field, pick, pick2)
        assert.deepStrictEqual(yield* log.verify(ada.clinicId), expected)
        assert.deepStrictEqual(yield* log.verify(clinicB), { _tag: "Intact", events: countOf(all, clinicB) })
      }).pipe(
        Effect.provide(
          Demographics.layer.pipe(
            Layer.provideMerge(freshDomain()),
            Layer.provideMerge(Digest.layerWebCrypto)
          )
        )
      ),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )
})
