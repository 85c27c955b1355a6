/**
 * Virtual-visit access codes and where they are kept. A code is stored only as its HMAC
 * under one fixed context, so the code a patient types is found by hashing it and looking the
 * hash up; the plaintext exists only in the patient's message (sealed in the outbox).
 */
import { Context, type DateTime, Effect, Layer, Option, Schema, TxRef } from "effect"
import { AppointmentId, ClinicId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { CodeHash } from "./Passcode.ts"

/** One issued virtual-visit access code. */
export const VisitCodeId = Schema.String.pipe(Schema.brand("VisitCodeId"))
export type VisitCodeId = typeof VisitCodeId.Type

/**
 * The HMAC context of every visit code. Fixed rather than per visit, because a code is looked
 * up by its hash before anyone knows which visit it belongs to.
 */
export const VISIT_CODE_CONTEXT = "virtual-visit"

/** Where a code stands: only `active` joins; `superseded` by a newer code, `revoked` when the visit was cancelled or moved to a request. */
export const VisitCodeStatus = Schema.Literals(["active", "superseded", "revoked"])
export type VisitCodeStatus = typeof VisitCodeStatus.Type

/** An access code of a virtual appointment: its HMAC, never the code. */
export class VisitCode extends Schema.Class<VisitCode>("VisitCode")({
  id: VisitCodeId,
  appointmentId: AppointmentId,
  clinicId: ClinicId,
  patientId: PatientId,
  /** HMAC-SHA-256 of the code under `VISIT_CODE_CONTEXT`. */
  codeHash: CodeHash,
  status: VisitCodeStatus,
  issuedAt: Schema.DateTimeUtc,
  /** When it stopped being active. */
  endedAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** Virtual-visit codes. */
export class VirtualVisitStore extends Context.Service<
  VirtualVisitStore,
  {
    /**
     * Atomically: when no code (in any status) has the same hash, marks the appointment's
     * active codes superseded at `code.issuedAt`, inserts `code` and answers `true`; otherwise
     * writes nothing and answers `false` (the caller draws another code). In a database: a
     * unique index on the hash, in the caller's transaction.
     */
    readonly issue: (code: VisitCode) => Effect.Effect<boolean>
    /** The code with this hash, in whatever status. */
    readonly findByHash: (hash: CodeHash) => Effect.Effect<Option.Option<VisitCode>>
    /** Marks an appointment's active codes revoked at `at`; returns them as they now are. */
    readonly revoke: (
      appointmentId: AppointmentId,
      at: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<VisitCode>>
    /** An appointment's codes, oldest first. */
    readonly listByAppointment: (appointmentId: AppointmentId) => Effect.Effect<ReadonlyArray<VisitCode>>
  }
>()("@careportal/domain/VirtualVisitStore") {
  /** In memory; also provides `VirtualVisitStoreMemory`. */
  static readonly layerMemory: Layer.Layer<VirtualVisitStore | VirtualVisitStoreMemory> = Layer.suspend(() =>
    memoryLayer(VirtualVisitStore, VirtualVisitStoreMemory, () => [], makeMemory)
  )
}

/** The in-memory store's codes, in issue order. */
export class VirtualVisitStoreMemory extends Context.Service<
  VirtualVisitStoreMemory,
  MemoryHandle<ReadonlyArray<VisitCode>>
>()("@careportal/domain/VirtualVisitStoreMemory") {}

const makeMemory = (state: TxRef.TxRef<ReadonlyArray<VisitCode>>) =>
  VirtualVisitStore.of({
    issue: (code) =>
      TxRef.modify(state, (all): [boolean, ReadonlyArray<VisitCode>] => {
        if (all.some((c) => c.codeHash === code.codeHash)) return [false, all]
        const next = all.map((c) =>
          c.appointmentId === code.appointmentId && c.status === "active"
            ? new VisitCode({ ...c, status: "superseded", endedAt: code.issuedAt })
            : c
        )
        return [true, [...next, code]]
      }),
    findByHash: (hash) =>
      Effect.map(TxRef.get(state), (all) => Option.fromUndefinedOr(all.find((c) => c.codeHash === hash))),
    revoke: (appointmentId, at) =>
      TxRef.modify(state, (all): [ReadonlyArray<VisitCode>, ReadonlyArray<VisitCode>] => {
        const revoked: Array<VisitCode> = []
        const next = all.map((c) => {
          if (c.appointmentId !== appointmentId || c.status !== "active") return c
          const ended = new VisitCode({ ...c, status: "revoked", endedAt: at })
          revoked.push(ended)
          return ended
        })
        return [revoked, revoked.length === 0 ? all : next]
      }),
    listByAppointment: (appointmentId) =>
      Effect.map(TxRef.get(state), (all) => all.filter((c) => c.appointmentId === appointmentId))
  })
