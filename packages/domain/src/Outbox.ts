/**
 * The outbox: notifications recorded for delivery. Delivery itself is the dispatcher's job.
 */
import { Context, type Effect, Layer, TxRef } from "effect"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { Notification } from "./Notification.ts"

/** Notifications waiting to be sent. */
export class Outbox extends Context.Service<
  Outbox,
  {
    /** Records notifications to send; all of them or none. */
    readonly enqueue: (notifications: ReadonlyArray<Notification>) => Effect.Effect<void>
    /** Every recorded notification, oldest first. */
    readonly all: Effect.Effect<ReadonlyArray<Notification>>
    /** Marks the still-pending notifications of a group withdrawn; returns how many. */
    readonly withdraw: (groupKey: string) => Effect.Effect<number>
  }
>()("@careportal/domain/Outbox") {
  /** In memory; also provides `OutboxMemory` for inspection. */
  static readonly layerMemory: Layer.Layer<Outbox | OutboxMemory> = Layer.suspend(() =>
    memoryLayer(Outbox, OutboxMemory, () => [], makeMemory)
  )
}

/** The in-memory outbox's notifications. */
export class OutboxMemory extends Context.Service<OutboxMemory, MemoryHandle<ReadonlyArray<Notification>>>()(
  "@careportal/domain/OutboxMemory"
) {}

const makeMemory = (state: TxRef.TxRef<ReadonlyArray<Notification>>) =>
  Outbox.of({
    enqueue: (notifications) => TxRef.update(state, (all) => [...all, ...notifications]),
    all: TxRef.get(state),
    withdraw: (groupKey) =>
      TxRef.modify(state, (all) => {
        let withdrawn = 0
        const next = all.map((n) => {
          if (n.groupKey !== groupKey || n.status !== "pending") return n
          withdrawn++
          return new Notification({ ...n, status: "withdrawn" })
        })
        return [withdrawn, next]
      })
  })
