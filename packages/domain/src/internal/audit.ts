import { DateTime, Effect } from "effect"
import { type Actor, type AuditAction, AuditEntry } from "../AuditEvent.ts"
import type { AuditLog } from "../AuditLog.ts"
import type { CodeGenerator } from "../CodeGenerator.ts"
import { AuditEventId, type ClinicId, type PatientId } from "../Ids.ts"

/** What a service says about one audited act; the id and time are filled in. */
export interface AuditFacts {
  readonly clinicId: ClinicId
  readonly actor: Actor
  readonly action: AuditAction
  readonly patientId: PatientId | null
  readonly resource: string
  readonly outcome: "success" | "failure"
  readonly reason?: string
}

/** Builds the `audit` function services use: one chained event per act, at the clock's time. */
export const makeAuditor =
  (log: AuditLog["Service"], generator: CodeGenerator["Service"]) =>
  (facts: AuditFacts): Effect.Effect<void> =>
    Effect.gen(function* () {
      const id = AuditEventId.make(yield* generator.uuid)
      const at = yield* DateTime.now
      yield* log.append(new AuditEntry({ ...facts, id, at }))
    })
