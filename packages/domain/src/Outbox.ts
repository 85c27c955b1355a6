/**
 * The outbox: notifications recorded for delivery. Delivery itself is the dispatcher's job.
 */
import { Context, DateTime, type Duration, Effect, Layer, Option, TxRef } from "effect"
import type { ClinicId, NotificationId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { Notification, type NotificationStatus } from "./Notification.ts"
import { compareCodePoints } from "./PatientRepo.ts"

/** Which notification: its clinic and id (the outbox is keyed by clinic, like every table). */
export interface NotificationRef {
  readonly clinicId: ClinicId
  readonly id: NotificationId
}

/**
 * A notification's place in a clinic's listing: newest `createdAt` first, ties by id in
 * descending code-point order (in a database: `ORDER BY created_at DESC, id COLLATE "C" DESC`).
 */
export interface NotificationKey {
  readonly createdAt: DateTime.Utc
  readonly id: NotificationId
}

/** Negative when `a` comes before `b` in a clinic's listing (`NotificationKey`: newest first). */
export const compareNewestFirst = (a: NotificationKey, b: NotificationKey): number =>
  DateTime.toEpochMillis(b.createdAt) - DateTime.toEpochMillis(a.createdAt) || compareCodePoints(b.id, a.id)

/** Which page of a clinic's notifications `listByClinic` returns. */
export interface ClinicNotificationQuery {
  /** Only those in this status; any status when absent. */
  readonly status?: NotificationStatus | undefined
  /** Only those strictly after this place (`NotificationKey`); from the newest when absent. */
  readonly after?: NotificationKey | undefined
  /** At most this many; below 1 gives none. */
  readonly limit: number
}

/** Notifications waiting to be sent. */
export class Outbox extends Context.Service<
  Outbox,
  {
    /** Records notifications to send; all of them or none. */
    readonly enqueue: (notifications: ReadonlyArray<Notification>) => Effect.Effect<void>
    /** Every recorded notification, oldest first. */
    readonly all: Effect.Effect<ReadonlyArray<Notification>>
    /**
     * Up to `limit` of a patient's notifications in that clinic, newest first (by `createdAt`,
     * ties latest enqueued first), whatever their status: what staff look at to answer "did
     * the reminder go out?".
     */
    readonly listByPatient: (
      clinicId: ClinicId,
      patientId: PatientId,
      options: { readonly limit: number }
    ) => Effect.Effect<ReadonlyArray<Notification>>
    /**
     * One page of a clinic's notifications, whatever their patient (in one status when asked):
     * newest first, ties by id (`compareNewestFirst`), strictly after `after`, at most `limit`.
     * What staff read to answer "which notifications failed this week, for whom"; a store reads
     * only the page, never the clinic's whole outbox.
     */
    readonly listByClinic: (
      clinicId: ClinicId,
      query: ClinicNotificationQuery
    ) => Effect.Effect<ReadonlyArray<Notification>>
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
    /** One notification as it stands now (a dispatcher re-checks it before sending). */
    readonly find: (ref: NotificationRef) => Effect.Effect<Option.Option<Notification>>
    /** The clinic's first-recorded notification with this idempotency key, if any. */
    readonly findByIdempotencyKey: (
      clinicId: ClinicId,
      idempotencyKey: string
    ) => Effect.Effect<Option.Option<Notification>>
    /**
     * The provider accepted it: `sent` at `sentAt`, one more attempt, lease cleared. Only a
     * pending notification changes (a withdrawn, sent or dead one stays as it is); returns
     * whether it did, so a second dispatcher that sent it too learns it was not the first.
     */
    readonly markSent: (ref: NotificationRef, sentAt: DateTime.Utc) => Effect.Effect<boolean>
    /**
     * A retryable failure: one more attempt, not before `notBefore`, `lastError` recorded,
     * lease cleared so that any dispatcher may take it once due. Applies only while it is
     * pending with `attempts` attempts (those seen when it was claimed), so two dispatchers
     * that both failed it after a lapsed lease count one attempt, not two; returns whether it did.
     */
    readonly scheduleRetry: (
      ref: NotificationRef,
      retry: { readonly attempts: number; readonly notBefore: DateTime.Utc; readonly lastError: string }
    ) => Effect.Effect<boolean>
    /**
     * Given up: `dead` (visible to staff) with `lastError`, one more attempt, lease cleared.
     * Only a pending notification changes; returns whether it did, so that what follows a
     * death (an email fallback) happens once.
     */
    readonly markDead: (ref: NotificationRef, lastError: string) => Effect.Effect<boolean>
    /**
     * Hands a claimed notification back unsent (a dispatcher stopping): clears the lease when
     * it is still pending under exactly this lease, so another dispatcher need not wait it out.
     */
    readonly release: (ref: NotificationRef, claimedUntil: DateTime.Utc) => Effect.Effect<boolean>
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
    listByPatient: (clinicId, patientId, { limit }) =>
      Effect.map(TxRef.get(state), (all) =>
        all
          .map((n, index) => ({ n, index }))
          .filter(({ n }) => n.clinicId === clinicId && n.patientId === patientId)
          .sort(
            (a, b) =>
              DateTime.toEpochMillis(b.n.createdAt) - DateTime.toEpochMillis(a.n.createdAt) ||
              b.index - a.index
          )
          .slice(0, Math.max(0, Math.floor(limit)))
          .map(({ n }) => n)
      ),
    listByClinic: (clinicId, { status, after, limit }) =>
      Effect.map(TxRef.get(state), (all) =>
        all
          .filter(
            (n) =>
              n.clinicId === clinicId &&
              (status === undefined || n.status === status) &&
              (after === undefined || compareNewestFirst(n, after) > 0)
          )
          .sort(compareNewestFirst)
          .slice(0, Math.max(0, Math.floor(limit)))
      ),
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
      }),
    find: (ref) => Effect.map(TxRef.get(state), (all) => Option.fromUndefinedOr(all.find(same(ref)))),
    findByIdempotencyKey: (clinicId, idempotencyKey) =>
      Effect.map(TxRef.get(state), (all) =>
        Option.fromUndefinedOr(
          all.find((n) => n.clinicId === clinicId && n.idempotencyKey === idempotencyKey)
        )
      ),
    markSent: (ref, sentAt) =>
      updateOne(
        state,
        ref,
        isPending,
        (n) => new Notification({ ...unleased(n), status: "sent", attempts: n.attempts + 1, sentAt })
      ),
    scheduleRetry: (ref, { attempts, notBefore, lastError }) =>
      updateOne(
        state,
        ref,
        (n) => isPending(n) && n.attempts === attempts,
        (n) => new Notification({ ...unleased(n), attempts: n.attempts + 1, notBefore, lastError })
      ),
    markDead: (ref, lastError) =>
      updateOne(
        state,
        ref,
        isPending,
        (n) => new Notification({ ...unleased(n), status: "dead", attempts: n.attempts + 1, lastError })
      ),
    release: (ref, claimedUntil) =>
      updateOne(
        state,
        ref,
        (n) =>
          isPending(n) && n.claimedUntil !== undefined && DateTime.Equivalence(n.claimedUntil, claimedUntil),
        unleased
      )
  })

const same = (ref: NotificationRef) => (n: Notification) => n.clinicId === ref.clinicId && n.id === ref.id

const isPending = (n: Notification) => n.status === "pending"

/** The notification without its lease. */
const unleased = (n: Notification): Notification => {
  const { claimedUntil: _, ...rest } = n
  return new Notification(rest)
}

/** Replaces the referenced notification with `f` of it where `when` holds; whether it did. */
const updateOne = (
  state: TxRef.TxRef<ReadonlyArray<Notification>>,
  ref: NotificationRef,
  when: (n: Notification) => boolean,
  f: (n: Notification) => Notification
) =>
  TxRef.modify(state, (all): [boolean, ReadonlyArray<Notification>] => {
    const index = all.findIndex(same(ref))
    const n = all[index]
    if (n === undefined || !when(n)) return [false, all]
    const next = [...all]
    next[index] = f(n)
    return [true, next]
  })

const isClaimable = (n: Notification, now: DateTime.Utc) =>
  n.status === "pending" &&
  DateTime.isLessThanOrEqualTo(n.notBefore, now) &&
  (n.claimedUntil === undefined || DateTime.isLessThanOrEqualTo(n.claimedUntil, now))
