/**
 * Where sessions are kept: by the SHA-256 of their token, never the token.
 */
import { Context, DateTime, Effect, Layer, Option, TxRef } from "effect"
import type { PatientId, SessionId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { Session, type TokenHash } from "./Session.ts"

/** Sessions. */
export class SessionStore extends Context.Service<
  SessionStore,
  {
    readonly create: (session: Session) => Effect.Effect<void>
    readonly findByTokenHash: (hash: TokenHash) => Effect.Effect<Option.Option<Session>>
    readonly findById: (id: SessionId) => Effect.Effect<Option.Option<Session>>
    /** Records activity; does nothing to a revoked session. */
    readonly touch: (id: SessionId, at: DateTime.Utc) => Effect.Effect<void>
    /** Ends a session; `false` when it was already ended or does not exist. */
    readonly revoke: (id: SessionId, at: DateTime.Utc) => Effect.Effect<boolean>
    /** A patient's sessions that are not revoked (expiry is the caller's to judge). */
    readonly listByPatient: (patientId: PatientId) => Effect.Effect<ReadonlyArray<Session>>
    /** Ends every session of the patient except `keep`; returns how many it ended. */
    readonly revokeAllExcept: (
      patientId: PatientId,
      keep: Option.Option<SessionId>,
      at: DateTime.Utc
    ) => Effect.Effect<number>
  }
>()("@careportal/domain/SessionStore") {
  /** In memory; also provides `SessionStoreMemory` for inspection. */
  static readonly layerMemory: Layer.Layer<SessionStore | SessionStoreMemory> = Layer.suspend(() =>
    memoryLayer(SessionStore, SessionStoreMemory, () => new Map(), makeMemory)
  )
}

/** The in-memory session store's state, by session id. */
export class SessionStoreMemory extends Context.Service<
  SessionStoreMemory,
  MemoryHandle<ReadonlyMap<SessionId, Session>>
>()("@careportal/domain/SessionStoreMemory") {}

const makeMemory = (state: TxRef.TxRef<ReadonlyMap<SessionId, Session>>) => {
  const update = (id: SessionId, f: (s: Session) => Session | undefined) =>
    TxRef.modify(state, (m) => {
      const s = m.get(id)
      const next = s === undefined ? undefined : f(s)
      return next === undefined ? [false, m] : [true, new Map(m).set(id, next)]
    })
  return SessionStore.of({
    create: (session) => TxRef.update(state, (m) => new Map(m).set(session.id, session)),
    findByTokenHash: (hash) =>
      Effect.map(TxRef.get(state), (m) =>
        Option.fromUndefinedOr([...m.values()].find((s) => s.tokenHash === hash))
      ),
    findById: (id) => Effect.map(TxRef.get(state), (m) => Option.fromUndefinedOr(m.get(id))),
    touch: (id, at) =>
      Effect.asVoid(
        update(id, (s) =>
          s.revokedAt === null && DateTime.isGreaterThan(at, s.lastSeenAt)
            ? new Session({ ...s, lastSeenAt: at })
            : undefined
        )
      ),
    revoke: (id, at) =>
      update(id, (s) => (s.revokedAt === null ? new Session({ ...s, revokedAt: at }) : undefined)),
    listByPatient: (patientId) =>
      Effect.map(TxRef.get(state), (m) =>
        [...m.values()].filter((s) => s.patientId === patientId && s.revokedAt === null)
      ),
    revokeAllExcept: (patientId, keep, at) =>
      TxRef.modify(state, (m) => {
        let ended = 0
        const next = new Map(m)
        for (const s of m.values()) {
          if (s.patientId !== patientId || s.revokedAt !== null) continue
          if (Option.isSome(keep) && keep.value === s.id) continue
          next.set(s.id, new Session({ ...s, revokedAt: at }))
          ended++
        }
        return [ended, next]
      })
  })
}
