import { type Context, Effect, Layer, TxRef } from "effect"

/**
 * The state of an in-memory store, reachable by tests to inspect it or tamper with it. It is
 * a `TxRef`, so writes inside a `UnitOfWork` (an `Effect.tx`) commit or roll back together.
 */
export interface MemoryHandle<S> {
  readonly state: TxRef.TxRef<S>
}

/**
 * Builds an in-memory layer that provides a port together with its memory handle, so that
 * tests can look inside (e.g. to check that no plaintext code was ever stored).
 */
export const memoryLayer = <PortId, Port, HandleId, S>(
  port: Context.Service<PortId, Port>,
  handle: Context.Service<HandleId, MemoryHandle<S>>,
  initial: () => S,
  make: (state: TxRef.TxRef<S>) => Port
): Layer.Layer<PortId | HandleId> =>
  Layer.effect(
    port,
    Effect.map(handle, (h) => make(h.state))
  ).pipe(
    Layer.provideMerge(
      Layer.effect(
        handle,
        Effect.suspend(() => TxRef.make(initial())).pipe(Effect.map((state) => handle.of({ state })))
      )
    )
  )
