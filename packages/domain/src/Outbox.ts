/**
 * The outbox: notifications recorded for delivery. Delivery itself is the dispatcher's job.
 */
import { Context, DateTime, type Duration, type Effect, Layer, TxRef } from "effect"
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
    /**
     * Leases up to `limit` pending notifications that are due (`notBefore <= now`) and not
     * leased to another dispatcher (no `claimedUntil`, or `claimedUntil <= now`), oldest
     * `notBefore` first (ties in enqueue order), until `now + leaseFor`; returns them so leased.
     * Concurrent claims never return the same notification while its lease runs.
     */
    readonly claim: (options: {
      readonly now: DateTime.Utc
      readonly limit: number
      readonly leaseFor: Duration.Duration
    }) => Effect.Effect<ReadonlyArray<Notification>>
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
      }),
    claim: ({ now, limit, leaseFor }) =>
      TxRef.modify(state, (all) => {
        const claimedUntil = DateTime.addDuration(now, leaseFor)
        // Array.sort is stable, so equal `notBefore`s keep their enqueue order.
        const picked = all
          .map((n, index) => ({ n, index }))
          .filter(({ n }) => isClaimable(n, now))
          .sort((a, b) => DateTime.toEpochMillis(a.n.notBefore) - DateTime.toEpochMillis(b.n.notBefore))
          .slice(0, Math.max(0, Math.floor(limit)))
        const next = [...all]
        const claimed = picked.map(({ n, index }) => {
          const leased = new Notification({ ...n, claimedUntil })
          next[index] = leased
          return leased
        })
        return [claimed, next]
      })
  })

const isClaimable = (n: Notification, now: DateTime.Utc) =>
  n.status === "pending" &&
  DateTime.isLessThanOrEqualTo(n.notBefore, now) &&
  (n.claimedUntil === undefined || DateTime.isLessThanOrEqualTo(n.claimedUntil, now))
