/**
 * The audit log: append-only and hash-chained per clinic. Every login, link open and every
 * read or write of patient data lands here, without codes or health details.
 */
import { Context, Effect, Layer, Option, TxRef } from "effect"
import { Digest } from "effect/crypto"
import {
  type AuditEntry,
  AuditEvent,
  type ChainReport,
  chainHash,
  GENESIS_HASH,
  verifyChain
} from "./AuditEvent.ts"
import type { ClinicId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** Which events `AuditLog.page` reads: a clinic's, optionally one patient's, older than `before`. */
export interface AuditPageFilter {
  readonly clinicId: ClinicId
  readonly patientId?: PatientId
  /** Only events with a sequence below this one (exclusive); absent, from the newest. */
  readonly before?: number
  readonly limit: number
}

/** Append-only, hash-chained audit events. */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    /** Chains an entry onto its clinic's log; appends are serialised per clinic so the chain never forks. */
    readonly append: (entry: AuditEntry) => Effect.Effect<AuditEvent>
    /** Every event in the order appended. */
    readonly all: Effect.Effect<ReadonlyArray<AuditEvent>>
    /** A clinic's events, optionally about one patient, in order. */
    readonly list: (filter: {
      readonly clinicId: ClinicId
      readonly patientId?: PatientId
    }) => Effect.Effect<ReadonlyArray<AuditEvent>>
    /**
     * One page of a clinic's events, optionally about one patient: newest (highest sequence)
     * first, only sequences below `before` when given, at most `limit` (a `limit` below 1 gives
     * none). The next page asks with `before` set to the last sequence of this one; a store reads
     * only the page, never the whole log.
     */
    readonly page: (filter: AuditPageFilter) => Effect.Effect<ReadonlyArray<AuditEvent>>
    /** Recomputes a clinic's chain and reports the first broken link. */
    readonly verify: (clinicId: ClinicId) => Effect.Effect<ChainReport>
  }
>()("@careportal/domain/AuditLog") {
  /** In memory; also provides `AuditLogMemory` for inspection and tampering in tests. */
  static readonly layerMemory: Layer.Layer<AuditLog | AuditLogMemory> = Layer.suspend(() =>
    Layer.unwrap(
      Effect.map(Digest.Digest, (digest) =>
        memoryLayer(AuditLog, AuditLogMemory, () => [], makeMemory(digest))
      )
    ).pipe(Layer.provide(Digest.layerWebCrypto))
  )
}

/** The in-memory audit log's events, all clinics, in append order. */
export class AuditLogMemory extends Context.Service<
  AuditLogMemory,
  MemoryHandle<ReadonlyArray<AuditEvent>>
>()("@careportal/domain/AuditLogMemory") {}

const makeMemory = (digest: Digest.Digest["Service"]) => (state: TxRef.TxRef<ReadonlyArray<AuditEvent>>) => {
  const ofClinic = (events: ReadonlyArray<AuditEvent>, clinicId: ClinicId) =>
    events.filter((e) => e.clinicId === clinicId)
  return AuditLog.of({
    // One transaction: a concurrent append to the same log conflicts and is retried, so two
    // events never take the same place in the chain.
    append: (entry) =>
      Effect.tx(
        Effect.gen(function* () {
          const events = yield* TxRef.get(state)
          const last = Option.fromUndefinedOr(ofClinic(events, entry.clinicId).at(-1))
          const prevHash = Option.match(last, { onNone: () => GENESIS_HASH, onSome: (e) => e.hash })
          const sequence = Option.match(last, { onNone: () => 1, onSome: (e) => e.sequence + 1 })
          const hash = yield* chainHash(digest, prevHash, sequence, entry)
          const event = new AuditEvent({ ...entry, sequence, prevHash, hash })
          yield* TxRef.set(state, [...events, event])
          return event
        })
      ),
    all: TxRef.get(state),
    list: ({ clinicId, patientId }) =>
      Effect.map(TxRef.get(state), (events) =>
        ofClinic(events, clinicId).filter((e) => patientId === undefined || e.patientId === patientId)
      ),
    // The store is in append order, so each clinic's events are in sequence order: walk back
    // from the end and stop at a full page.
    page: ({ clinicId, patientId, before, limit }) =>
      Effect.map(TxRef.get(state), (events) => {
        const size = Math.trunc(limit)
        const out: Array<AuditEvent> = []
        for (let i = events.length - 1; i >= 0 && out.length < size; i--) {
          const e = events[i]
          if (
            e !== undefined &&
            e.clinicId === clinicId &&
            (patientId === undefined || e.patientId === patientId) &&
            (before === undefined || e.sequence < before)
          )
            out.push(e)
        }
        return out
      }),
    verify: (clinicId) =>
      Effect.flatMap(TxRef.get(state), (events) => verifyChain(digest, ofClinic(events, clinicId)))
  })
}
