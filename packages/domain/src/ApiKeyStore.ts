/**
 * Where clinic API keys are kept: by hash for authentication, by clinic for listing.
 */
import { Context, DateTime, Effect, Layer, Option, TxRef } from "effect"
import { ApiKey } from "./ApiKey.ts"
import type { ApiKeyId, ClinicId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** Stored clinic API keys. */
export class ApiKeyStore extends Context.Service<
  ApiKeyStore,
  {
    /** Inserts or replaces a key (by id). */
    readonly save: (key: ApiKey) => Effect.Effect<void>
    /** The key with this hash, revoked or not. */
    readonly findByHash: (keyHash: string) => Effect.Effect<Option.Option<ApiKey>>
    /** A clinic's keys, revoked ones included, newest first (ties latest saved first). */
    readonly listByClinic: (clinicId: ClinicId) => Effect.Effect<ReadonlyArray<ApiKey>>
    /**
     * Revokes a key of the clinic at `at`; false when the clinic has no such key or it was
     * already revoked (its first revocation time stays).
     */
    readonly revoke: (clinicId: ClinicId, id: ApiKeyId, at: DateTime.Utc) => Effect.Effect<boolean>
  }
>()("@careportal/domain/ApiKeyStore") {
  /** In memory; also provides `ApiKeyStoreMemory` for inspection. */
  static readonly layerMemory: Layer.Layer<ApiKeyStore | ApiKeyStoreMemory> = Layer.suspend(() =>
    memoryLayer(ApiKeyStore, ApiKeyStoreMemory, () => [], makeMemory)
  )
}

/** The in-memory store's keys, in the order first saved. */
export class ApiKeyStoreMemory extends Context.Service<
  ApiKeyStoreMemory,
  MemoryHandle<ReadonlyArray<ApiKey>>
>()("@careportal/domain/ApiKeyStoreMemory") {}

const makeMemory = (state: TxRef.TxRef<ReadonlyArray<ApiKey>>) =>
  ApiKeyStore.of({
    save: (key) =>
      TxRef.update(state, (all) => {
        const index = all.findIndex((k) => k.id === key.id)
        if (index < 0) return [...all, key]
        const next = [...all]
        next[index] = key
        return next
      }),
    findByHash: (keyHash) =>
      Effect.map(TxRef.get(state), (all) => Option.fromUndefinedOr(all.find((k) => k.keyHash === keyHash))),
    listByClinic: (clinicId) =>
      Effect.map(TxRef.get(state), (all) =>
        all
          .map((k, index) => ({ k, index }))
          .filter(({ k }) => k.clinicId === clinicId)
          .sort(
            (a, b) =>
              DateTime.toEpochMillis(b.k.createdAt) - DateTime.toEpochMillis(a.k.createdAt) ||
              b.index - a.index
          )
          .map(({ k }) => k)
      ),
    revoke: (clinicId, id, at) =>
      TxRef.modify(state, (all): [boolean, ReadonlyArray<ApiKey>] => {
        const index = all.findIndex((k) => k.clinicId === clinicId && k.id === id)
        const key = all[index]
        if (key === undefined || Option.isSome(key.revokedAt)) return [false, all]
        const next = [...all]
        next[index] = new ApiKey({ ...key, revokedAt: Option.some(at) })
        return [true, next]
      })
  })
