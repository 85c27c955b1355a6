/**
 * The contract of `ApiKeyStore`: a key is kept as saved and found by its hash; a clinic lists
 * only its own keys, newest first; a revocation happens once, in its clinic only.
 */
import { DateTime, Effect, Option } from "effect"
import { ApiKey } from "../../ApiKey.ts"
import { ApiKeyStore } from "../../ApiKeyStore.ts"
import { ApiKeyId, ClinicId, StaffId } from "../../Ids.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const world = Effect.map(uuid, (id) => ({
  clinicId: ClinicId.make(`clinic-${id}`),
  otherClinic: ClinicId.make(`clinic-other-${id}`)
}))

type World = Effect.Success<typeof world>

const key = (
  clinicId: ClinicId,
  createdAt: DateTime.Utc,
  overrides: Partial<ConstructorParameters<typeof ApiKey>[0]> = {}
) =>
  Effect.map(
    uuid,
    (id) =>
      new ApiKey({
        id: ApiKeyId.make(id),
        clinicId,
        staffId: StaffId.make("reception"),
        label: "Front desk — reçu",
        prefix: `cpk_${id.slice(0, 8)}`,
        // Hex like a SHA-256, unique per key.
        keyHash: `${id.replaceAll("-", "")}${"0".repeat(32)}`,
        createdAt,
        revokedAt: Option.none(),
        ...overrides
      })
  )

const saved = (
  clinicId: ClinicId,
  createdAt: DateTime.Utc,
  overrides: Partial<ConstructorParameters<typeof ApiKey>[0]> = {}
) =>
  Effect.gen(function* () {
    const k = yield* key(clinicId, createdAt, overrides)
    yield* (yield* ApiKeyStore).save(k)
    return k
  })

const T0 = DateTime.makeUnsafe("2031-03-04T05:06:07.890Z")
const T1 = DateTime.makeUnsafe("2031-03-05T05:06:07.890Z")
const T2 = DateTime.makeUnsafe("2031-03-06T05:06:07.890Z")

const revoked = (k: ApiKey, at: DateTime.Utc) => new ApiKey({ ...k, revokedAt: Option.some(at) })

/** The behaviours of every `ApiKeyStore`. */
export const ApiKeyStoreContract: Contract<ApiKeyStore> = [
  contractCase(
    "a key is found by its hash as saved, revoked or not; an unknown hash is not found",
    Effect.gen(function* () {
      const store = yield* ApiKeyStore
      const w: World = yield* world
      const live = yield* saved(w.clinicId, T0)
      const gone = yield* saved(w.clinicId, T1, { revokedAt: Option.some(T2), label: "" })
      yield* expectEqual(yield* store.findByHash(live.keyHash), Option.some(live), "a working key")
      yield* expectEqual(yield* store.findByHash(gone.keyHash), Option.some(gone), "a revoked key")
      yield* expectEqual(yield* store.findByHash(`${yield* uuid}`), Option.none(), "an unknown hash")
      yield* expectEqual(
        yield* store.findByHash(live.keyHash.toUpperCase()),
        Option.none(),
        "the hash matches exactly, not ignoring case"
      )
    })
  ),
  contractCase(
    "listByClinic: the clinic's keys only, newest first (ties latest saved first); a re-save replaces in place",
    Effect.gen(function* () {
      const store = yield* ApiKeyStore
      const w: World = yield* world
      const a = yield* saved(w.clinicId, T0)
      const b = yield* saved(w.clinicId, T2, { revokedAt: Option.some(T2) })
      const c = yield* saved(w.clinicId, T1)
      const d = yield* saved(w.clinicId, T1)
      yield* saved(w.otherClinic, T2)
      yield* expectEqual(yield* store.listByClinic(w.clinicId), [b, d, c, a], "newest first")
      const relabelled = new ApiKey({ ...c, label: "Renamed" })
      yield* store.save(relabelled)
      yield* expectEqual(yield* store.listByClinic(w.clinicId), [b, d, relabelled, a], "replaced in place")
      yield* expectEqual(
        yield* store.listByClinic(ClinicId.make(`clinic-${yield* uuid}`)),
        [],
        "a clinic without keys"
      )
    })
  ),
  contractCase(
    "revoke: once, at the given time, in the key's clinic only; false for an unknown or already revoked key",
    Effect.gen(function* () {
      const store = yield* ApiKeyStore
      const w: World = yield* world
      const k = yield* saved(w.clinicId, T0)
      const other = yield* saved(w.clinicId, T0)
      yield* expectEqual(yield* store.revoke(w.otherClinic, k.id, T1), false, "from another clinic")
      yield* expectEqual(yield* store.findByHash(k.keyHash), Option.some(k), "untouched by another clinic")
      yield* expectEqual(yield* store.revoke(w.clinicId, k.id, T1), true, "revoked")
      yield* expectEqual(yield* store.findByHash(k.keyHash), Option.some(revoked(k, T1)), "revoked at T1")
      yield* expectEqual(yield* store.revoke(w.clinicId, k.id, T2), false, "again")
      yield* expectEqual(
        yield* store.findByHash(k.keyHash),
        Option.some(revoked(k, T1)),
        "still revoked at T1"
      )
      yield* expectEqual(yield* store.findByHash(other.keyHash), Option.some(other), "another key untouched")
      yield* expectEqual(
        yield* store.revoke(w.clinicId, ApiKeyId.make(yield* uuid), T1),
        false,
        "an unknown key"
      )
    })
  ),
  contractCase(
    "concurrent revocations of one key: exactly one revokes it",
    Effect.gen(function* () {
      const store = yield* ApiKeyStore
      const w: World = yield* world
      const k = yield* saved(w.clinicId, T0)
      const outcomes = yield* Effect.all(
        Array.from({ length: 8 }, (_, i) => store.revoke(w.clinicId, k.id, DateTime.add(T1, { seconds: i }))),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(outcomes.filter((x) => x).length, 1, "revocations that took")
      const after = yield* store.findByHash(k.keyHash)
      yield* expect(Option.isSome(after) && Option.isSome(after.value.revokedAt), "revoked")
    })
  )
]
