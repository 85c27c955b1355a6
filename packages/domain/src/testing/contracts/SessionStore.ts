/**
 * The contract of `SessionStore`: what the in-memory store does and every adapter must do,
 * including under concurrent requests (a session is ended once, never un-revoked, and its last
 * activity never moves backwards).
 */
import { DateTime, Effect, Option } from "effect"
import { ClinicId, PatientId, SessionId } from "../../Ids.ts"
import { Session, TokenHash } from "../../Session.ts"
import { SessionStore } from "../../SessionStore.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-03-01T09:00:00.000Z")
const minutes = (n: number) => DateTime.addDuration(T0, `${n} minutes`)

/** A clinic and two patients of its own, so that a case sees only its own sessions. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    clinicId: ClinicId.make(`clinic-${id}`),
    patient: PatientId.make(`patient-${id}`),
    other: PatientId.make(`patient-other-${id}`)
  }
})

type World = Effect.Success<typeof world>

const makeSession = (
  w: World,
  overrides: Partial<ConstructorParameters<typeof Session>[0]> = {}
): Effect.Effect<Session> =>
  Effect.map(
    uuid,
    (id) =>
      new Session({
        id: SessionId.make(`session-${id}`),
        clinicId: w.clinicId,
        patientId: w.patient,
        tokenHash: TokenHash.make(`hash-${id}`),
        origin: "login",
        stayLoggedIn: false,
        createdAt: T0,
        lastSeenAt: T0,
        expiresAt: DateTime.addDuration(T0, "12 hours"),
        revokedAt: null,
        ...overrides
      })
  )

const created = (w: World, overrides: Partial<ConstructorParameters<typeof Session>[0]> = {}) =>
  Effect.gen(function* () {
    const session = yield* makeSession(w, overrides)
    yield* (yield* SessionStore).create(session)
    return session
  })

const current = (id: SessionId) =>
  Effect.gen(function* () {
    const found = yield* (yield* SessionStore).findById(id)
    yield* expect(Option.isSome(found), `session ${id} is gone`)
    return Option.getOrThrow(found)
  })

/** The behaviours of every `SessionStore`. */
export const SessionStoreContract: Contract<SessionStore> = [
  contractCase(
    "a created session is found by id and by token hash, unchanged; unknown ones are not found",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const session = yield* created(w, {
        origin: "quick-link",
        stayLoggedIn: true,
        createdAt: DateTime.makeUnsafe("2030-03-01T09:00:00.123Z"),
        lastSeenAt: DateTime.makeUnsafe("2030-03-01T09:05:00.456Z"),
        expiresAt: DateTime.makeUnsafe("2030-03-31T09:00:00.123Z")
      })
      yield* expectEqual(Option.getOrNull(yield* store.findById(session.id)), session, "by id")
      yield* expectEqual(
        Option.getOrNull(yield* store.findByTokenHash(session.tokenHash)),
        session,
        "by hash"
      )
      const revoked = yield* created(w, { revokedAt: minutes(3) })
      yield* expectEqual(
        Option.getOrNull(yield* store.findByTokenHash(revoked.tokenHash)),
        revoked,
        "a revoked session is still found (the caller refuses it)"
      )
      const unknown = yield* uuid
      yield* expect(Option.isNone(yield* store.findById(SessionId.make(`session-${unknown}`))), "unknown id")
      yield* expect(
        Option.isNone(yield* store.findByTokenHash(TokenHash.make(`hash-${unknown}`))),
        "unknown token hash"
      )
    })
  ),
  contractCase(
    "touch moves lastSeenAt forward only: an earlier or equal instant changes nothing",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const session = yield* created(w, { lastSeenAt: minutes(10) })
      yield* store.touch(session.id, minutes(5))
      yield* expectEqual((yield* current(session.id)).lastSeenAt, minutes(10), "an earlier touch")
      yield* store.touch(session.id, minutes(10))
      yield* expectEqual((yield* current(session.id)).lastSeenAt, minutes(10), "an equal touch")
      yield* store.touch(session.id, minutes(11))
      yield* expectEqual(
        yield* current(session.id),
        new Session({ ...session, lastSeenAt: minutes(11) }),
        "a later touch changes lastSeenAt only"
      )
      const unknown = SessionId.make(`session-${yield* uuid}`)
      yield* store.touch(unknown, minutes(12))
      yield* expect(
        Option.isNone(yield* store.findById(unknown)),
        "touching an unknown session creates nothing"
      )
    })
  ),
  contractCase(
    "touch does nothing to a revoked session",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const session = yield* created(w)
      yield* expect(yield* store.revoke(session.id, minutes(1)), "revoked")
      yield* store.touch(session.id, minutes(2))
      yield* expectEqual(
        yield* current(session.id),
        new Session({ ...session, revokedAt: minutes(1) }),
        "still revoked, lastSeenAt unchanged"
      )
    })
  ),
  contractCase(
    "revoke ends a live session once (true, then false) and keeps the first instant; an unknown one answers false",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const session = yield* created(w)
      const bystander = yield* created(w)
      yield* expectEqual(yield* store.revoke(session.id, minutes(7)), true, "first revoke")
      yield* expectEqual(yield* store.revoke(session.id, minutes(8)), false, "second revoke")
      yield* expectEqual(
        yield* current(session.id),
        new Session({ ...session, revokedAt: minutes(7) }),
        "revokedAt is the first revoke's"
      )
      yield* expectEqual(yield* current(bystander.id), bystander, "another session is untouched")
      yield* expectEqual(
        yield* store.revoke(SessionId.make(`session-${yield* uuid}`), minutes(7)),
        false,
        "unknown session"
      )
    })
  ),
  contractCase(
    "listByPatient gives the patient's live sessions in creation order, and no one else's",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const first = yield* created(w, { createdAt: minutes(1) })
      const ended = yield* created(w, { createdAt: minutes(2) })
      const third = yield* created(w, { createdAt: minutes(3), origin: "upload-link" })
      yield* created(w, { patientId: w.other })
      yield* store.revoke(ended.id, minutes(4))
      yield* expectEqual(yield* store.listByPatient(w.patient), [first, third], "live sessions")
      yield* expectEqual(
        yield* store.listByPatient(PatientId.make(`patient-${yield* uuid}`)),
        [],
        "a patient without sessions"
      )
    })
  ),
  contractCase(
    "revokeAllExcept ends the patient's other live sessions and counts them; without a keeper it ends all",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const keep = yield* created(w)
      const a = yield* created(w)
      const b = yield* created(w)
      const earlier = yield* created(w)
      yield* store.revoke(earlier.id, minutes(1))
      const others = yield* created(w, { patientId: w.other })
      yield* expectEqual(
        yield* store.revokeAllExcept(w.patient, Option.some(keep.id), minutes(5)),
        2,
        "ended"
      )
      yield* expectEqual(yield* current(a.id), new Session({ ...a, revokedAt: minutes(5) }), "a ended")
      yield* expectEqual(yield* current(b.id), new Session({ ...b, revokedAt: minutes(5) }), "b ended")
      yield* expectEqual(
        yield* current(earlier.id),
        new Session({ ...earlier, revokedAt: minutes(1) }),
        "an ended session keeps its instant"
      )
      yield* expectEqual(yield* current(keep.id), keep, "the kept session")
      yield* expectEqual(yield* current(others.id), others, "another patient's session")
      yield* expectEqual(
        yield* store.revokeAllExcept(w.patient, Option.some(keep.id), minutes(6)),
        0,
        "nothing left to end"
      )
      yield* expectEqual(yield* store.revokeAllExcept(w.patient, Option.none(), minutes(7)), 1, "all")
      yield* expectEqual(yield* store.listByPatient(w.patient), [], "no live session left")
      yield* expectEqual(yield* store.listByPatient(w.other), [others], "the other patient's")
    })
  ),
  contractCase(
    "concurrent revokes of one session: exactly one ends it, and its instant is kept",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const session = yield* created(w)
      const results = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          Effect.map(store.revoke(session.id, minutes(i + 1)), (ended) => ({ ended, at: minutes(i + 1) }))
        ),
        { concurrency: "unbounded" }
      )
      const winners = results.filter((r) => r.ended)
      yield* expectEqual(winners.length, 1, "revokes that answered true")
      yield* expectEqual((yield* current(session.id)).revokedAt, winners[0]?.at ?? null, "revokedAt")
    })
  ),
  contractCase(
    "concurrent touches leave the latest instant; a touch never revives a concurrently revoked session",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const session = yield* created(w)
      // Out of order on purpose: the latest instant must win whatever order they land in.
      const offsets = [17, 3, 29, 11, 23, 5, 30, 2, 19, 13, 7, 26, 1, 21, 9]
      yield* Effect.all(
        offsets.map((m) => store.touch(session.id, minutes(m))),
        { concurrency: "unbounded", discard: true }
      )
      yield* expectEqual((yield* current(session.id)).lastSeenAt, minutes(30), "lastSeenAt")
      const racing = yield* created(w)
      const [revoked] = yield* Effect.all(
        [
          store.revoke(racing.id, minutes(40)),
          ...offsets.map((m) => store.touch(racing.id, minutes(40 + m)))
        ],
        { concurrency: "unbounded" }
      )
      yield* expectEqual(revoked, true, "the revoke")
      const after = yield* current(racing.id)
      yield* expectEqual(after.revokedAt, minutes(40), "still revoked")
      yield* expect(
        Option.isNone(
          Option.fromUndefinedOr((yield* store.listByPatient(w.patient)).find((s) => s.id === racing.id))
        ),
        "a revoked session is not listed"
      )
    })
  ),
  contractCase(
    "concurrent revokeAllExcept calls end each session once: their counts add up to the live sessions",
    Effect.gen(function* () {
      const store = yield* SessionStore
      const w = yield* world
      const sessions = yield* Effect.all(Array.from({ length: 12 }, () => created(w)))
      const counts = yield* Effect.all(
        Array.from({ length: 6 }, (_, i) => store.revokeAllExcept(w.patient, Option.none(), minutes(i + 1))),
        { concurrency: "unbounded" }
      )
      yield* expectEqual(
        counts.reduce((a, b) => a + b, 0),
        sessions.length,
        "sessions ended in total"
      )
      yield* expectEqual(yield* store.listByPatient(w.patient), [], "none left")
    })
  )
]
