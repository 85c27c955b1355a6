import { DateTime, Effect, Result } from "effect"
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

/**
 * For operations whose refusals must leave an audit event: `settle` runs a unit that returns
 * a `Result` and fails with its error only after the unit (and the refusal's event) committed;
 * `refuse` writes the failure event and returns the error as a `Result`.
 */
export const makeRefusals = (
  uow: { readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> },
  audit: (facts: AuditFacts) => Effect.Effect<void>
) => ({
  settle: <A, E, E2 = never>(body: Effect.Effect<Result.Result<A, E>, E2>): Effect.Effect<A, E | E2> =>
    Effect.flatMap(uow.transaction(body), Effect.fromResult),
  refuse: <E extends { readonly _tag: string }>(
    facts: Omit<AuditFacts, "outcome" | "reason">,
    error: E
  ): Effect.Effect<Result.Result<never, E>> =>
    Effect.as(audit({ ...facts, outcome: "failure", reason: error._tag }), Result.fail(error))
})
