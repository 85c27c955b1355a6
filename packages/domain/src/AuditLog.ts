/**
 * The audit log: append-only. Every login success, failure, lock and link open lands here,
 * without the code.
 */
import { Context, type Effect, Layer, Ref } from "effect"
import type { AuditEvent } from "./AuditEvent.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** Append-only audit events. */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    readonly append: (event: AuditEvent) => Effect.Effect<void>
    /** Every event in the order appended (for staff views and tests; pagination comes with the API). */
    readonly all: Effect.Effect<ReadonlyArray<AuditEvent>>
  }
>()("@careportal/domain/AuditLog") {
  /** In memory; also provides `AuditLogMemory` for inspection. */
  static readonly layerMemory: Layer.Layer<AuditLog | AuditLogMemory> = Layer.suspend(() =>
    memoryLayer(AuditLog, AuditLogMemory, () => [], makeMemory)
  )
}

/** The in-memory audit log's events. */
export class AuditLogMemory extends Context.Service<
  AuditLogMemory,
  MemoryHandle<ReadonlyArray<AuditEvent>>
>()("@careportal/domain/AuditLogMemory") {}

const makeMemory = (state: Ref.Ref<ReadonlyArray<AuditEvent>>) =>
  AuditLog.of({
    append: (event) => Ref.update(state, (events) => [...events, event]),
    all: Ref.get(state)
  })
