/**
 * The contract of `AuditLog`: each clinic's events form one hash chain (sequence from 1, each
 * linked to the one before, hashes as `chainHash` computes them), read back exactly as
 * appended, and concurrent appends never fork it. `page` reads a clinic's log newest first, a
 * page at a time, and paging by `before` visits each event once. Tampering with the stored events is found by
 * `verify`; how to tamper is the implementation's business, so the cases reach the store
 * through `AuditLogTampering`, which each runner provides (the in-memory one below, SQL for a
 * database).
 */
import { Arbitrary, Array as Arr, Context, DateTime, Effect, Layer, Schema, TxRef } from "effect"
import { Digest } from "effect/crypto"
import { Actor, AuditEntry, AuditEvent, chainHash, GENESIS_HASH } from "../../AuditEvent.ts"
import { AuditLog, AuditLogMemory } from "../../AuditLog.ts"
import { AuditEventId, ClinicId, PatientId } from "../../Ids.ts"
import {
  intBetween as between,
  type Contract,
  checkProperty,
  contractCase,
  expect,
  expectEqual,
  readPagesUntilEmpty,
  uniqueId as uuid
} from "../Contract.ts"

/** Direct access to an audit store, as someone with write access to it has: for tests only. */
export class AuditLogTampering extends Context.Service<
  AuditLogTampering,
  {
    /** Flips the outcome of the clinic's event at `sequence`, leaving its hash as it was. */
    readonly alterOutcome: (clinicId: ClinicId, sequence: number) => Effect.Effect<void>
    /** Deletes the clinic's event at `sequence`. */
    readonly remove: (clinicId: ClinicId, sequence: number) => Effect.Effect<void>
  }
>()("@careportal/domain/testing/AuditLogTampering") {}

/** Tampering with the in-memory audit log through its memory handle. */
export const layerAuditLogTamperingMemory: Layer.Layer<AuditLogTampering, never, AuditLogMemory> =
  Layer.effect(
    AuditLogTampering,
    Effect.gen(function* () {
      const { state } = yield* AuditLogMemory
      const at = (e: AuditEvent, clinicId: ClinicId, sequence: number) =>
        e.clinicId === clinicId && e.sequence === sequence
      return AuditLogTampering.of({
        alterOutcome: (clinicId, sequence) =>
          TxRef.update(state, (all) =>
            all.map((e) =>
              at(e, clinicId, sequence)
                ? new AuditEvent({ ...e, outcome: e.outcome === "success" ? "failure" : "success" })
                : e
            )
          ),
        remove: (clinicId, sequence) =>
          TxRef.update(state, (all) => all.filter((e) => !at(e, clinicId, sequence)))
      })
    })
  )

const T0 = DateTime.makeUnsafe("2030-05-01T12:00:00.000Z")

const digest = Effect.gen(function* () {
  return yield* Digest.Digest
}).pipe(Effect.provide(Digest.layerWebCrypto))

const newClinic = Effect.map(uuid, (id) => ClinicId.make(`clinic-${id}`))

/**
 * Entries of every shape the chain must reproduce exactly: actors with and without an id, a
 * patient or none, a reason or none, text beyond ASCII, instants with milliseconds.
 */
const entry = (clinicId: ClinicId, i: number, patientId: PatientId | null = null) =>
  Effect.map(uuid, (id) => {
    const shape = i % 4
    return new AuditEntry({
      id: AuditEventId.make(`event-${id}`),
      clinicId,
      actor:
        shape === 0
          ? new Actor({ kind: "patient", id: `patient-${i}` })
          : shape === 1
            ? new Actor({ kind: "staff", id: "staff-Zoë" })
            : shape === 2
              ? new Actor({ kind: "anonymous" })
              : new Actor({ kind: "system" }),
      action: shape === 2 ? "login.failed" : "chart.read",
      patientId,
      resource: `chart:${i}/é—"quoted"`,
      outcome: shape === 2 ? "failure" : "success",
      ...(shape === 2 ? { reason: "PasscodeInvalid" } : {}),
      at: DateTime.makeUnsafe(DateTime.toEpochMillis(T0) + i * 60_001 + 7)
    })
  })

const appendAll = (entries: ReadonlyArray<AuditEntry>) =>
  Effect.gen(function* () {
    const log = yield* AuditLog
    const out: Array<AuditEvent> = []
    for (const e of entries) out.push(yield* log.append(e))
    return out
  })

const chainOf = (clinicId: ClinicId, n: number, patientId: PatientId | null = null) =>
  Effect.flatMap(Effect.all(Array.from({ length: n }, (_, i) => entry(clinicId, i, patientId))), appendAll)

/** Checks that `events` are a whole chain 1..n whose links and hashes hold. */
const expectChain = (events: ReadonlyArray<AuditEvent>, what: string) =>
  Effect.gen(function* () {
    const d = yield* digest
    const sorted = [...events].sort((a, b) => a.sequence - b.sequence)
    let prevHash = GENESIS_HASH
    for (const [i, event] of sorted.entries()) {
      yield* expectEqual(event.sequence, i + 1, `${what}: sequence`)
      yield* expectEqual(event.prevHash, prevHash, `${what}: link of ${event.sequence}`)
      const { sequence, prevHash: _p, hash: _h, ...fields } = event
      const expected = yield* chainHash(d, prevHash, sequence, new AuditEntry(fields))
      yield* expectEqual(event.hash, expected, `${what}: hash of ${event.sequence}`)
      prevHash = event.hash
    }
  })

/** The sequences of `events`, in the order given: what the paging cases compare. */
const sequences = (events: ReadonlyArray<AuditEvent>) => events.map((e) => e.sequence)

/** `events` newest first, as `page` returns them. */
const newestFirst = (events: ReadonlyArray<AuditEvent>) => [...events].sort((a, b) => b.sequence - a.sequence)

/**
 * Reads a clinic's log page by page as a client does (each next page `before` the last sequence
 * of the one before) until a page comes back empty. Stops after `guard` pages, so that a store
 * that never moves on fails the case instead of looping.
 */
const readAllPages = (
  filter: { readonly clinicId: ClinicId; readonly patientId?: PatientId },
  limit: number,
  guard: number
) =>
  Effect.gen(function* () {
    const log = yield* AuditLog
    return yield* readPagesUntilEmpty(
      (before: number | undefined) =>
        log.page({ ...filter, limit, ...(before === undefined ? {} : { before }) }),
      (last) => last.sequence,
      guard
    )
  })

/**
 * A random log over two clinics (the second is noise the first must never see), each event
 * about one of three patients or none, read in pages of a random size, clinic-wide or for one
 * patient.
 */
const PagingScenario = Arbitrary.schema(
  Schema.Struct({
    events: Schema.Array(
      Schema.Struct({ clinic: Schema.Literals(["mine", "other"]), patient: Schema.NullOr(between(0, 2)) })
    ).check(Schema.isMaxLength(24)),
    pageSize: between(1, 7),
    patient: Schema.NullOr(between(0, 2))
  })
)

/** The behaviours of every `AuditLog`. */
export const AuditLogContract: Contract<AuditLog | AuditLogTampering> = [
  contractCase(
    "a clinic's first event starts its chain: sequence 1 on the genesis hash, hashed as chainHash does",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const clinicId = yield* newClinic
      const first = yield* entry(clinicId, 2, PatientId.make("patient-1"))
      const event = yield* log.append(first)
      const hash = yield* chainHash(yield* digest, GENESIS_HASH, 1, first)
      yield* expectEqual(
        event,
        new AuditEvent({ ...first, sequence: 1, prevHash: GENESIS_HASH, hash }),
        "event"
      )
    })
  ),
  contractCase(
    "appends link each event to the one before; the chain reads back exactly as appended and verifies",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const clinicId = yield* newClinic
      const patientId = PatientId.make(`patient-${yield* uuid}`)
      const appended = yield* Effect.flatMap(
        Effect.all(Array.from({ length: 8 }, (_, i) => entry(clinicId, i, i % 3 === 0 ? null : patientId))),
        appendAll
      )
      yield* expectChain(appended, "appended")
      yield* expectEqual(yield* log.list({ clinicId }), appended, "list")
      yield* expectEqual(yield* log.verify(clinicId), { _tag: "Intact", events: 8 }, "verify")
    })
  ),
  contractCase(
    "list filters by patient in chain order; each clinic has its own chain",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const [a, b] = [yield* newClinic, yield* newClinic]
      const p = PatientId.make(`patient-${yield* uuid}`)
      const q = PatientId.make(`patient-${yield* uuid}`)
      const entries = [
        yield* entry(a, 0, p),
        yield* entry(b, 1, p),
        yield* entry(a, 2, q),
        yield* entry(a, 3, p),
        yield* entry(b, 4, null),
        yield* entry(a, 5, null)
      ]
      const events = yield* appendAll(entries)
      const ofA = events.filter((e) => e.clinicId === a)
      const ofB = events.filter((e) => e.clinicId === b)
      yield* expectEqual(
        events.map((e) => e.sequence),
        [1, 1, 2, 3, 2, 4],
        "sequences are per clinic"
      )
      yield* expectChain(ofA, "clinic a")
      yield* expectChain(ofB, "clinic b")
      yield* expectEqual(yield* log.list({ clinicId: a }), ofA, "clinic a")
      yield* expectEqual(
        yield* log.list({ clinicId: a, patientId: p }),
        ofA.filter((e) => e.patientId === p),
        "clinic a, patient p"
      )
      yield* expectEqual(
        yield* log.list({ clinicId: b, patientId: q }),
        [],
        "patient q has no events in clinic b"
      )
      yield* expectEqual(yield* log.verify(a), { _tag: "Intact", events: 4 }, "verify a")
      yield* expectEqual(yield* log.verify(b), { _tag: "Intact", events: 2 }, "verify b")
    })
  ),
  contractCase(
    "all holds every event in the order appended",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const [a, b] = [yield* newClinic, yield* newClinic]
      const events = yield* appendAll([
        yield* entry(a, 0),
        yield* entry(b, 1),
        yield* entry(a, 2),
        yield* entry(b, 3)
      ])
      const mine = new Set(events.map((e) => e.id))
      yield* expectEqual(
        (yield* log.all).filter((e) => mine.has(e.id)),
        events,
        "all, restricted to this case's events"
      )
    })
  ),
  contractCase(
    "a clinic without events verifies as an intact chain of 0",
    Effect.gen(function* () {
      const log = yield* AuditLog
      yield* expectEqual(yield* log.verify(yield* newClinic), { _tag: "Intact", events: 0 }, "verify")
    })
  ),
  contractCase(
    "an event altered in the store is reported at its sequence; other clinics stay intact",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const tampering = yield* AuditLogTampering
      const [a, b] = [yield* newClinic, yield* newClinic]
      const chain = yield* chainOf(a, 5)
      yield* chainOf(b, 2)
      yield* tampering.alterOutcome(a, 3)
      yield* expectEqual(
        yield* log.verify(a),
        { _tag: "Broken", sequence: 3, eventId: chain[2]?.id ?? null, problem: "altered" },
        "verify a"
      )
      yield* expectEqual(yield* log.verify(b), { _tag: "Intact", events: 2 }, "verify b")
    })
  ),
  contractCase(
    "an event removed from the store is reported where the gap is",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const tampering = yield* AuditLogTampering
      const clinicId = yield* newClinic
      const chain = yield* chainOf(clinicId, 4)
      yield* tampering.remove(clinicId, 2)
      yield* expectEqual(
        yield* log.verify(clinicId),
        { _tag: "Broken", sequence: 2, eventId: chain[2]?.id ?? null, problem: "missing-or-reordered" },
        "verify"
      )
    })
  ),
  contractCase(
    "concurrent appends to one clinic form one chain: no fork, no repeated sequence",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const clinicId = yield* newClinic
      const entries = yield* Effect.all(Array.from({ length: 20 }, (_, i) => entry(clinicId, i)))
      const events = yield* Effect.all(
        entries.map((e) => log.append(e)),
        { concurrency: "unbounded" }
      )
      yield* expectChain(events, "concurrent appends")
      yield* expect(new Set(events.map((e) => e.id)).size === 20, "every entry appended once")
      yield* expectEqual(yield* log.verify(clinicId), { _tag: "Intact", events: 20 }, "verify")
    })
  ),
  contractCase(
    "paging newest first, each page before the last sequence of the one before, visits every event of the clinic (or of one patient) exactly once, in full pages",
    checkProperty(
      PagingScenario,
      ({ events: specs, pageSize, patient }) =>
        Effect.gen(function* () {
          const [mine, other] = [yield* newClinic, yield* newClinic]
          const patients = [0, 1, 2].map((k) => PatientId.make(`patient-${k}-${mine}`))
          const patientOf = (k: number | null) => (k === null ? null : (patients[k] ?? null))
          const entries = yield* Effect.all(
            specs.map((spec, i) => entry(spec.clinic === "mine" ? mine : other, i, patientOf(spec.patient)))
          )
          const appended = yield* appendAll(entries)
          const patientId = patientOf(patient)
          const expected = newestFirst(
            appended.filter((e) => e.clinicId === mine && (patientId === null || e.patientId === patientId))
          )
          const pages = yield* readAllPages(
            { clinicId: mine, ...(patientId === null ? {} : { patientId }) },
            pageSize,
            expected.length + 1
          )
          // Full pages but the last: the pages are the expected events cut every `pageSize`.
          yield* expectEqual(
            pages.map(sequences),
            Arr.chunksOf(expected, pageSize).map(sequences),
            `pages of ${pageSize}${patientId === null ? "" : ` for ${patientId}`}`
          )
          yield* expectEqual(pages.flat(), expected, "the events read back exactly as appended")
        }),
      { runs: 40, size: 30 }
    )
  ),
  contractCase(
    "page filters by patient: only that patient's events, newest first; a patient without events in the clinic has none",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const [a, b] = [yield* newClinic, yield* newClinic]
      const p = PatientId.make(`patient-${yield* uuid}`)
      const q = PatientId.make(`patient-${yield* uuid}`)
      const r = PatientId.make(`patient-${yield* uuid}`)
      const events = yield* appendAll([
        yield* entry(a, 0, p),
        yield* entry(a, 1, q),
        yield* entry(a, 2, null),
        yield* entry(a, 3, p),
        yield* entry(b, 4, r),
        yield* entry(a, 5, p),
        yield* entry(a, 6, q)
      ])
      const ofA = events.filter((e) => e.clinicId === a)
      yield* expectEqual(
        yield* log.page({ clinicId: a, patientId: p, limit: 10 }),
        newestFirst(ofA.filter((e) => e.patientId === p)),
        "patient p"
      )
      yield* expectEqual(
        sequences(yield* log.page({ clinicId: a, patientId: p, limit: 2 })),
        [5, 4],
        "patient p, two newest"
      )
      yield* expectEqual(
        sequences(yield* log.page({ clinicId: a, patientId: q, limit: 10 })),
        [6, 2],
        "patient q"
      )
      yield* expectEqual(
        yield* log.page({ clinicId: a, patientId: r, limit: 10 }),
        [],
        "patient r is in clinic b only"
      )
      yield* expectEqual(
        sequences(yield* log.page({ clinicId: a, limit: 10 })),
        [6, 5, 4, 3, 2, 1],
        "clinic-wide"
      )
    })
  ),
  contractCase(
    "page's before is exclusive: only sequences below it; at or below 1 nothing; above the newest (even beyond 32 bits) from the newest; a limit below 1 gives nothing",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const clinicId = yield* newClinic
      const patientId = PatientId.make(`patient-${yield* uuid}`)
      const chain = yield* chainOf(clinicId, 6, patientId)
      const at = (before: number | undefined, limit = 10) =>
        Effect.map(log.page({ clinicId, limit, ...(before === undefined ? {} : { before }) }), sequences)
      yield* expectEqual(yield* at(4), [3, 2, 1], "before 4")
      yield* expectEqual(yield* at(4, 2), [3, 2], "before 4, two")
      yield* expectEqual(yield* at(2), [1], "before 2")
      yield* expectEqual(yield* at(3.5), [3, 2, 1], "before 3.5")
      yield* expectEqual(yield* at(1), [], "before 1")
      yield* expectEqual(yield* at(0), [], "before 0")
      yield* expectEqual(yield* at(-5), [], "before -5")
      yield* expectEqual(yield* at(7), [6, 5, 4, 3, 2, 1], "before 7, one past the newest")
      yield* expectEqual(yield* at(2 ** 40), [6, 5, 4, 3, 2, 1], "before 2^40")
      yield* expectEqual(yield* at(undefined), [6, 5, 4, 3, 2, 1], "no before")
      yield* expectEqual(yield* at(undefined, 0), [], "limit 0")
      yield* expectEqual(
        yield* log.page({ clinicId, patientId, before: 6, limit: 3 }),
        newestFirst(chain).slice(1, 4),
        "patient, before 6, three: the events themselves"
      )
    })
  ),
  contractCase(
    "page never returns another clinic's events, even for the same patient id and sequences",
    Effect.gen(function* () {
      const log = yield* AuditLog
      const [a, b, empty] = [yield* newClinic, yield* newClinic, yield* newClinic]
      const p = PatientId.make(`patient-${yield* uuid}`)
      // Interleaved, so both clinics hold the same sequences and the same patient.
      const events = yield* appendAll([
        yield* entry(a, 0, p),
        yield* entry(b, 1, p),
        yield* entry(b, 2, p),
        yield* entry(a, 3, p),
        yield* entry(b, 4, null),
        yield* entry(b, 5, p)
      ])
      const ofA = newestFirst(events.filter((e) => e.clinicId === a))
      yield* expectEqual(yield* log.page({ clinicId: a, limit: 100 }), ofA, "clinic a")
      yield* expectEqual(
        yield* log.page({ clinicId: a, patientId: p, limit: 100 }),
        ofA,
        "clinic a, patient p"
      )
      yield* expectEqual(
        yield* log.page({ clinicId: a, before: 3, limit: 100 }),
        ofA.filter((e) => e.sequence < 3),
        "clinic a, before 3"
      )
      yield* expectEqual(yield* log.page({ clinicId: empty, limit: 100 }), [], "a clinic without events")
      yield* expectEqual(
        yield* log.page({ clinicId: empty, patientId: p, limit: 100 }),
        [],
        "a clinic without events, patient p"
      )
    })
  )
]
