/**
 * Sessions (property 10): lifetimes and idle timeout, logout, ending sessions, and the list
 * of a patient's own live sessions.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Authentication, type SessionGrant } from "../src/Authentication.ts"
import * as AuthPolicy from "../src/AuthPolicy.ts"
import type { SessionId } from "../src/Ids.ts"
import { HealthCardIdentifier, type Patient } from "../src/Patient.ts"
import { freshDomain, loginAs, seedPatient } from "./support.ts"

const stayMs = Duration.toMillis(AuthPolicy.defaults.stayLoggedInLifetime)
const idleMs = Duration.toMillis(AuthPolicy.defaults.sessionIdleTimeout)
const lifetimeMs = Duration.toMillis(AuthPolicy.defaults.sessionLifetime)

/** A second patient of the same clinic (the fixture is Ada). */
const otherPatient = {
  id: "patient-grace" as Patient["id"],
  healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "9876543210", versionCode: "ZX" }),
  legalName: { given: "Grace", family: "Hopper" },
  dateOfBirth: "1906-12-09",
  email: "grace@example.org" as Patient["email"] & string,
  mobile: "+14165550199" as Patient["mobile"] & string
}

/** Asserts an error's tag, exactly. */
const assertTag = (error: { readonly _tag: string }, tag: string) => assert.strictEqual(error._tag, tag)

const authenticate = (grant: SessionGrant) =>
  Effect.gen(function* () {
    return yield* (yield* Authentication).authenticate(grant.token)
  })

/** Fails the test unless the session's token is refused with SessionExpired. */
const assertEnded = (grant: SessionGrant) =>
  Effect.gen(function* () {
    assertTag(yield* Effect.flip(authenticate(grant)), "SessionExpired")
  })

/** Fails the test unless the session's token still authenticates as its patient. */
const assertLive = (grant: SessionGrant) =>
  Effect.gen(function* () {
    const principal = yield* authenticate(grant)
    assert.strictEqual(principal.sessionId, grant.principal.sessionId)
    assert.strictEqual(principal.patientId, grant.principal.patientId)
  })

const setClock = (t0: number, ms: number) => TestClock.setTime(t0 + ms)

const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

describe("Authentication sessions: lifetimes (property 10)", () => {
  it.effect("a stay-logged-in session lasts 30 days without activity, and not a millisecond more", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const t0 = yield* Clock.currentTimeMillis
      const first = yield* loginAs(patient, true)
      const second = yield* loginAs(patient, true)
      assert.strictEqual(first.session.stayLoggedIn, true)
      assert.strictEqual(first.session.expiresAt.epochMilliseconds, t0 + stayMs)

      yield* setClock(t0, stayMs - 1)
      yield* assertLive(first)
      yield* setClock(t0, stayMs)
      // The second was never used after login; the first was used a millisecond ago.
      yield* assertEnded(second)
      yield* assertEnded(first)
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect.prop(
    "a stay-logged-in session has no idle timeout",
    { gapMinutes: Schema.Int.check(Schema.isBetween({ minimum: 30, maximum: 30 * 24 * 60 - 1 })) },
    ({ gapMinutes }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const t0 = yield* Clock.currentTimeMillis
        const kept = yield* loginAs(patient, true)
        const ordinary = yield* loginAs(patient, false)
        yield* setClock(t0, gapMinutes * 60_000)
        yield* assertLive(kept)
        yield* assertEnded(ordinary)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 25 } }
  )

  it.effect.prop(
    "an ordinary session survives any idle gap under 30 min, and each use moves its deadline",
    {
      // When the sessions are last used together: late enough in the 12 h lifetime, and
      // early enough that the idle timeout, not the lifetime, decides.
      activeMs: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: lifetimeMs - idleMs - 1 })),
      idleGapMs: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: idleMs - 1 }))
    },
    ({ activeMs, idleGapMs }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const t0 = yield* Clock.currentTimeMillis
        const a = yield* loginAs(patient)
        const b = yield* loginAs(patient)
        const c = yield* loginAs(patient)
        // Kept alive by use every 10 minutes up to activeMs.
        for (let at = 10 * 60_000; at < activeMs; at += 10 * 60_000) {
          yield* setClock(t0, at)
          for (const g of [a, b, c]) yield* assertLive(g)
        }
        yield* setClock(t0, activeMs)
        for (const g of [a, b, c]) yield* assertLive(g)
        // a is used again after an idle gap shorter than the timeout.
        yield* setClock(t0, activeMs + idleGapMs)
        yield* assertLive(a)
        // c at the last millisecond of its idle allowance.
        yield* setClock(t0, activeMs + idleMs - 1)
        yield* assertLive(c)
        // b, idle since activeMs, is refused exactly at the timeout; a only if its second use
        // did not move its last activity (a zero gap).
        yield* setClock(t0, activeMs + idleMs)
        yield* assertEnded(b)
        if (idleGapMs > 0) yield* assertLive(a)
        else yield* assertEnded(a)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect(
    "activity pushes the idle deadline: valid at 30 min − 1 ms after the last use, refused at 30 min",
    () =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const t0 = yield* Clock.currentTimeMillis
        const a = yield* loginAs(patient)
        const b = yield* loginAs(patient)
        const c = yield* loginAs(patient)
        yield* setClock(t0, idleMs - 1)
        yield* assertLive(a)
        yield* assertLive(b)
        // c, never used since login, is refused at exactly 30 min.
        yield* setClock(t0, idleMs)
        yield* assertEnded(c)
        // a and b were last used at 30 min − 1 ms: still valid 30 min − 1 ms later...
        yield* setClock(t0, 2 * idleMs - 2)
        yield* assertLive(a)
        // ...and refused exactly 30 min later (b); a was used a millisecond ago.
        yield* setClock(t0, 2 * idleMs - 1)
        yield* assertEnded(b)
        yield* assertLive(a)
      }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("an ordinary session ends at 12 h even with activity every 10 minutes", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const t0 = yield* Clock.currentTimeMillis
      const grant = yield* loginAs(patient)
      assert.strictEqual(grant.session.expiresAt.epochMilliseconds, t0 + lifetimeMs)
      for (let at = 10 * 60_000; at < lifetimeMs; at += 10 * 60_000) {
        yield* setClock(t0, at)
        yield* assertLive(grant)
      }
      yield* setClock(t0, lifetimeMs - 1)
      yield* assertLive(grant)
      yield* setClock(t0, lifetimeMs)
      yield* assertEnded(grant)
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("an unknown token is SessionExpired", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const grant = yield* loginAs(patient)
      const real = Redacted.value(grant.token)
      const other = `${real[0] === "A" ? "B" : "A"}${real.slice(1)}`
      assertTag(yield* Effect.flip(auth.authenticate(Redacted.make(other))), "SessionExpired")
      assertTag(yield* Effect.flip(auth.authenticate(Redacted.make(""))), "SessionExpired")
      yield* assertLive(grant)
    }).pipe(Effect.provide(freshDomain()))
  )
})

describe("Authentication sessions: ending and listing (property 10)", () => {
  it.effect("logout ends the session and only it", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const a = yield* loginAs(patient)
      const b = yield* loginAs(patient, true)
      yield* auth.logout(a.principal)
      yield* assertEnded(a)
      yield* assertLive(b)
      yield* auth.logout(b.principal)
      yield* assertEnded(b)
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("endSession ends another of the caller's sessions; someone else's is SessionNotFound", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const ada = yield* seedPatient()
      const grace = yield* seedPatient(otherPatient)
      const adaPhone = yield* loginAs(ada)
      const adaLaptop = yield* loginAs(ada)
      const graceSession = yield* loginAs(grace)

      yield* auth.endSession(adaPhone.principal, adaLaptop.principal.sessionId)
      yield* assertEnded(adaLaptop)
      yield* assertLive(adaPhone)
      // Already ended: answers like a missing one.
      assertTag(
        yield* Effect.flip(auth.endSession(adaPhone.principal, adaLaptop.principal.sessionId)),
        "SessionNotFound"
      )

      assertTag(
        yield* Effect.flip(auth.endSession(adaPhone.principal, graceSession.principal.sessionId)),
        "SessionNotFound"
      )
      yield* assertLive(graceSession)
      assert.deepStrictEqual(
        (yield* auth.listSessions(graceSession.principal)).map((s) => s.id),
        [graceSession.principal.sessionId]
      )
      assertTag(
        yield* Effect.flip(auth.endSession(adaPhone.principal, "no-such-session" as SessionId)),
        "SessionNotFound"
      )
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect.prop(
    "listSessions shows exactly the caller's live sessions and marks the current one",
    {
      adaCount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4 })),
      graceCount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4 })),
      currentIndex: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 }))
    },
    ({ adaCount, graceCount, currentIndex }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const ada = yield* seedPatient()
        const grace = yield* seedPatient(otherPatient)
        const t0 = yield* Clock.currentTimeMillis
        const adaLive: Array<SessionGrant> = []
        for (let i = 0; i < adaCount; i++) adaLive.push(yield* loginAs(ada, i % 2 === 1))
        const adaEnded = yield* loginAs(ada)
        const adaLoggedOut = yield* loginAs(ada, true)
        const adaIdle = yield* loginAs(ada)
        const graceLive: Array<SessionGrant> = []
        for (let i = 0; i < graceCount; i++) graceLive.push(yield* loginAs(grace, i % 2 === 0))

        const current = adaLive[currentIndex % adaCount]
        if (current === undefined) return assert.fail("no current session")
        yield* auth.endSession(current.principal, adaEnded.principal.sessionId)
        yield* auth.logout(adaLoggedOut.principal)
        // Everything but adaIdle is used at 20 min; adaIdle is past its idle timeout at 35 min.
        yield* setClock(t0, 20 * 60_000)
        for (const g of [...adaLive, ...graceLive]) yield* assertLive(g)
        yield* setClock(t0, 35 * 60_000)
        yield* assertEnded(adaIdle)

        const listed = yield* auth.listSessions(current.principal)
        assert.deepStrictEqual(
          sorted(listed.map((s) => s.id)),
          sorted(adaLive.map((g) => g.principal.sessionId))
        )
        assert.deepStrictEqual(
          listed.filter((s) => s.current).map((s) => s.id),
          [current.principal.sessionId]
        )
        for (const s of listed) {
          const grant = adaLive.find((g) => g.principal.sessionId === s.id)
          assert.strictEqual(s.stayLoggedIn, grant?.session.stayLoggedIn)
          assert.strictEqual(s.lastSeenAt.epochMilliseconds, t0 + 20 * 60_000)
        }

        const graceCurrent = graceLive[0]
        if (graceCurrent === undefined) return assert.fail("no session for grace")
        const graceListed = yield* auth.listSessions(graceCurrent.principal)
        assert.deepStrictEqual(
          sorted(graceListed.map((s) => s.id)),
          sorted(graceLive.map((g) => g.principal.sessionId))
        )
        assert.deepStrictEqual(
          graceListed.filter((s) => s.current).map((s) => s.id),
          [graceCurrent.principal.sessionId]
        )
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect.prop(
    "endOtherSessions ends every other session of the caller, returns how many, and spares other patients",
    {
      adaCount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 6 })),
      graceCount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 3 }))
    },
    ({ adaCount, graceCount }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const ada = yield* seedPatient()
        const grace = yield* seedPatient(otherPatient)
        const adaSessions: Array<SessionGrant> = []
        for (let i = 0; i < adaCount; i++) adaSessions.push(yield* loginAs(ada, i % 2 === 0))
        const graceSessions: Array<SessionGrant> = []
        for (let i = 0; i < graceCount; i++) graceSessions.push(yield* loginAs(grace))
        const current = adaSessions[adaCount - 1]
        if (current === undefined) return assert.fail("no current session")

        assert.strictEqual(yield* auth.endOtherSessions(current.principal), adaCount - 1)
        yield* assertLive(current)
        for (const g of adaSessions.slice(0, -1)) yield* assertEnded(g)
        for (const g of graceSessions) yield* assertLive(g)
        assert.deepStrictEqual(
          (yield* auth.listSessions(current.principal)).map((s) => s.id),
          [current.principal.sessionId]
        )
        // Nothing left to end.
        assert.strictEqual(yield* auth.endOtherSessions(current.principal), 0)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect(
    "an expired session is not among yours: endSession answers SessionNotFound, endOtherSessions does not count it",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const idle = yield* loginAs(patient)
        const kept = yield* loginAs(patient, true)
        const live = yield* loginAs(patient, true)
        yield* TestClock.adjust(Duration.millis(idleMs))
        yield* assertEnded(idle)
        assertTag(
          yield* Effect.flip(auth.endSession(kept.principal, idle.principal.sessionId)),
          "SessionNotFound"
        )
        assert.strictEqual(yield* auth.endOtherSessions(kept.principal), 1)
        yield* assertEnded(live)
        yield* assertLive(kept)
      }).pipe(Effect.provide(freshDomain()))
  )
})
