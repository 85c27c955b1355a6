/**
 * The `AuditLog` contract against the in-memory log, tampered with through its memory handle
 * (the Postgres adapter runs the same cases and tampers with SQL).
 */
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import { AuditLog } from "../../src/AuditLog.ts"
import { AuditLogContract, layerAuditLogTamperingMemory } from "../../src/testing/contracts/AuditLog.ts"

layer(layerAuditLogTamperingMemory.pipe(Layer.provideMerge(AuditLog.layerMemory)))(
  "AuditLog contract (in memory)",
  (it) => {
    for (const c of AuditLogContract) it.effect(c.name, () => c.run)
  }
)
