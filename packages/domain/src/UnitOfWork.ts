/**
 * A unit of work: writes that belong together (a booking, its outbox records and its audit
 * event; a questionnaire response and its chart entry) commit together or not at all.
 */
import { Context, Effect, Layer } from "effect"

/** Runs an effect as one all-or-nothing unit of writes. Nested units join the outer one. */
export class UnitOfWork extends Context.Service<
  UnitOfWork,
  {
    /**
     * Runs `effect` so that every write it makes through the ports commits when it succeeds
     * and none does when it fails. The body may run more than once when concurrent units
     * conflict (in memory) or a serialisation failure is retried (in a database), so it must
     * not perform outside effects such as sending a message: queue those in the outbox.
     * Do not catch a failure after writes inside a unit: a nested unit whose failure is
     * caught keeps its writes in memory; let failures end the unit, or decide before writing.
     */
    readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  }
>()("@careportal/domain/UnitOfWork") {
  /**
   * In memory: the stores keep their state in `TxRef`s and a unit is an `Effect.tx`, so it is
   * all-or-nothing and isolated from concurrent units (a conflicting unit is retried).
   */
  static readonly layerMemory: Layer.Layer<UnitOfWork> = Layer.succeed(
    UnitOfWork,
    UnitOfWork.of({ transaction: (effect) => Effect.tx(effect) })
  )
}
