import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Option, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Authentication } from "../src/Authentication.ts"
import * as AuthPolicy from "../src/AuthPolicy.ts"
import { Outbox } from "../src/Outbox.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { codeSentFor, freshDomain, requireCode, seedPatient, startLoginFor, wrongCode } from "./support.ts"

const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))
const props = { timeout: 60_000, arbitrary: { runs: 25 } }

describe("Authentication login", () => {
  describe("a code is accepted at most once", () => {
    it.effect.prop(
      "sequentially: the first right entry opens a session, every later one is PasscodeUsed",
      { tries: between(2, 6) },
      ({ tries }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          const code = yield* requireCode(challengeId)
          const grant = yield* auth.verifyLogin(challengeId, code, false)
          assert.strictEqual(grant.principal.patientId, patient.id)
          for (let i = 1; i < tries; i++) {
            const error = yield* Effect.flip(auth.verifyLogin(challengeId, code, false))
            assert.strictEqual(error._tag, "PasscodeUsed")
          }
          const live = yield* auth.listSessions(grant.principal)
          assert.strictEqual(live.length, 1)
        }).pipe(Effect.provide(freshDomain())),
      props
    )

    it.effect.prop(
      "concurrently: N fibers with the right code yield exactly one session",
      { fibers: between(2, 64) },
      ({ fibers }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          const code = yield* requireCode(challengeId)
          const results = yield* Effect.all(
            Array.from({ length: fibers }, () => Effect.result(auth.verifyLogin(challengeId, code, false))),
            { concurrency: "unbounded" }
          )
          const granted = results.filter((r) => r._tag === "Success")
          const refused = results.flatMap((r) => (r._tag === "Failure" ? [r.failure._tag] : []))
          assert.strictEqual(granted.length, 1)
          assert.deepStrictEqual(new Set(refused), fibers > 1 ? new Set(["PasscodeUsed"]) : new Set())
          const grant = granted[0]
          assert.isDefined(grant)
          if (grant?._tag === "Success") {
            const sessions = yield* auth.listSessions(grant.success.principal)
            assert.strictEqual(sessions.length, 1)
          }
        }).pipe(Effect.provide(freshDomain())),
      props
    )
  })

  describe("lockout", () => {
    it.effect.prop(
      "attempts left count down, then even the right code is PasscodeLocked",
      { extra: between(0, 3) },
      ({ extra }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          const code = yield* requireCode(challengeId)
          const left: Array<number | string> = []
          for (let i = 0; i < 5; i++) {
            const error = yield* Effect.flip(auth.verifyLogin(challengeId, wrongCode(code), false))
            left.push(error._tag === "PasscodeInvalid" ? error.attemptsLeft : error._tag)
          }
          assert.deepStrictEqual(left, [4, 3, 2, 1, "PasscodeLocked"])
          for (let i = 0; i <= extra; i++) {
            const error = yield* Effect.flip(auth.verifyLogin(challengeId, code, false))
            assert.strictEqual(error._tag, "PasscodeLocked")
          }
        }).pipe(Effect.provide(freshDomain())),
      props
    )

    it.effect.prop(
      "the limit comes from the policy",
      { max: between(1, 8) },
      ({ max }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          const code = yield* requireCode(challengeId)
          for (let i = 1; i < max; i++) {
            const error = yield* Effect.flip(auth.verifyLogin(challengeId, wrongCode(code), false))
            assert.strictEqual(error._tag === "PasscodeInvalid" ? error.attemptsLeft : -1, max - i)
          }
          const last = yield* Effect.flip(auth.verifyLogin(challengeId, wrongCode(code), false))
          assert.strictEqual(last._tag, "PasscodeLocked")
          const right = yield* Effect.flip(auth.verifyLogin(challengeId, code, false))
          assert.strictEqual(right._tag, "PasscodeLocked")
        }).pipe(Effect.provide(freshDomain({ maxFailedAttempts: max }))),
      props
    )

    it.effect("N concurrent wrong entries lock the code after exactly five", () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const challengeId = yield* startLoginFor(patient)
        const code = yield* requireCode(challengeId)
        const errors = yield* Effect.all(
          Array.from({ length: 40 }, () =>
            Effect.flip(auth.verifyLogin(challengeId, wrongCode(code), false))
          ),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(errors.filter((e) => e._tag === "PasscodeInvalid").length, 4)
        assert.strictEqual(errors.filter((e) => e._tag === "PasscodeLocked").length, 36)
        const right = yield* Effect.flip(auth.verifyLogin(challengeId, code, false))
        assert.strictEqual(right._tag, "PasscodeLocked")
      }).pipe(Effect.provide(freshDomain()))
    )
  })

  describe("expiry", () => {
    it.effect.prop(
      "a login code is accepted until 10 min − 1 ms",
      { before: between(0, 600_000 - 1) },
      ({ before }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          const code = yield* requireCode(challengeId)
          yield* TestClock.adjust(Duration.millis(before))
          const grant = yield* auth.verifyLogin(challengeId, code, false)
          assert.strictEqual(grant.principal.patientId, patient.id)
        }).pipe(Effect.provide(freshDomain())),
      props
    )

    it.effect.prop(
      "a login code is refused from 10 min on",
      { after: between(0, 86_400_000) },
      ({ after }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          const code = yield* requireCode(challengeId)
          yield* TestClock.adjust(Duration.sum(AuthPolicy.defaults.loginCodeTtl, Duration.millis(after)))
          const error = yield* Effect.flip(auth.verifyLogin(challengeId, code, false))
          assert.strictEqual(error._tag, "PasscodeExpired")
        }).pipe(Effect.provide(freshDomain())),
      props
    )

    it.effect("exact boundaries: 10 min − 1 ms accepted, 10 min refused", () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const first = yield* startLoginFor(patient)
        const firstCode = yield* requireCode(first)
        yield* TestClock.adjust(Duration.subtract(Duration.minutes(10), Duration.millis(1)))
        yield* auth.verifyLogin(first, firstCode, false)

        const second = yield* startLoginFor(patient)
        const secondCode = yield* requireCode(second)
        yield* TestClock.adjust(Duration.minutes(10))
        const error = yield* Effect.flip(auth.verifyLogin(second, secondCode, false))
        assert.strictEqual(error._tag, "PasscodeExpired")
      }).pipe(Effect.provide(freshDomain()))
    )
  })

  describe("resend", () => {
    it.effect.prop(
      "refused within the cooldown, with the seconds left; allowed at 60 s",
      { wait: between(0, 59_999) },
      ({ wait }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          yield* TestClock.adjust(Duration.millis(wait))
          const error = yield* Effect.flip(auth.resendLogin(challengeId))
          assert.strictEqual(error._tag, "ResendTooSoon")
          if (error._tag === "ResendTooSoon")
            assert.strictEqual(error.retryAfterSeconds, Math.ceil((60_000 - wait) / 1000))
          yield* TestClock.adjust(Duration.millis(60_000 - wait))
          const sent = yield* auth.resendLogin(challengeId)
          assert.strictEqual(sent.challengeId, challengeId)
        }).pipe(Effect.provide(freshDomain())),
      props
    )

    it.effect("the new code works, the old one no longer does", () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const challengeId = yield* startLoginFor(patient)
        const oldCode = yield* requireCode(challengeId)
        yield* TestClock.adjust(Duration.seconds(60))
        yield* auth.resendLogin(challengeId)
        const newCode = yield* requireCode(challengeId)
        assert.notStrictEqual(Redacted.value(newCode), Redacted.value(oldCode))
        const error = yield* Effect.flip(auth.verifyLogin(challengeId, oldCode, false))
        assert.strictEqual(error._tag, "PasscodeInvalid")
        yield* auth.verifyLogin(challengeId, newCode, false)
      }).pipe(Effect.provide(freshDomain({}, 7)))
    )

    it.effect("at most 10 codes per target per day, counting the first; the window rolls", () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const outbox = yield* Outbox
        const patient = yield* seedPatient({ notificationPreference: "email" })
        const challengeId = yield* startLoginFor(patient)
        for (let i = 1; i < 10; i++) {
          yield* TestClock.adjust(Duration.seconds(60))
          yield* auth.resendLogin(challengeId)
        }
        yield* TestClock.adjust(Duration.seconds(60))
        const error = yield* Effect.flip(auth.resendLogin(challengeId))
        assert.strictEqual(error._tag, "ResendLimitReached")
        // The first code left the window 24 h after it was sent: 24 h − 10 min from now.
        if (error._tag === "ResendLimitReached") assert.strictEqual(error.retryAfterSeconds, 24 * 3600 - 600)
        // A new login for the same patient counts against the same target.
        const again = yield* Effect.flip(
          auth.startLogin({
            clinicId: patient.clinicId,
            identifier: patient.healthCard,
            contact: "ada@example.org"
          })
        )
        assert.strictEqual(again._tag, "ResendLimitReached")
        assert.strictEqual((yield* outbox.all).length, 10)
        yield* TestClock.adjust(Duration.hours(24))
        yield* auth.resendLogin(challengeId)
        assert.strictEqual((yield* outbox.all).length, 11)
      }).pipe(Effect.provide(freshDomain()))
    )

    it.effect.prop(
      "the daily cap comes from the policy",
      { cap: between(1, 12) },
      ({ cap }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const patient = yield* seedPatient()
          const challengeId = yield* startLoginFor(patient)
          for (let i = 1; i < cap; i++) {
            yield* TestClock.adjust(Duration.seconds(60))
            yield* auth.resendLogin(challengeId)
          }
          yield* TestClock.adjust(Duration.seconds(60))
          const error = yield* Effect.flip(auth.resendLogin(challengeId))
          assert.strictEqual(error._tag, "ResendLimitReached")
        }).pipe(Effect.provide(freshDomain({ maxSendsPerTarget: cap }))),
      props
    )

    it.effect("concurrent resends send one code", () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const outbox = yield* Outbox
        const patient = yield* seedPatient({ notificationPreference: "email" })
        const challengeId = yield* startLoginFor(patient)
        yield* TestClock.adjust(Duration.seconds(60))
        const results = yield* Effect.all(
          Array.from({ length: 20 }, () => Effect.result(auth.resendLogin(challengeId))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((r) => r._tag === "Success").length, 1)
        assert.strictEqual((yield* outbox.all).length, 2)
      }).pipe(Effect.provide(freshDomain()))
    )

    it.effect("a resend does not give back wrong entries", () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const challengeId = yield* startLoginFor(patient)
        const code = yield* requireCode(challengeId)
        for (let i = 0; i < 4; i++) yield* Effect.flip(auth.verifyLogin(challengeId, wrongCode(code), false))
        yield* TestClock.adjust(Duration.seconds(60))
        yield* auth.resendLogin(challengeId)
        const fresh = yield* requireCode(challengeId)
        const error = yield* Effect.flip(auth.verifyLogin(challengeId, wrongCode(fresh), false))
        assert.strictEqual(error._tag, "PasscodeLocked")
        const locked = yield* Effect.flip(auth.resendLogin(challengeId))
        assert.strictEqual(locked._tag, "PasscodeLocked")
      }).pipe(Effect.provide(freshDomain()))
    )
  })

  describe("no enumeration", () => {
    const Contact = Schema.Literals([
      "ada@example.org",
      "ADA@Example.org ",
      "+1 416 555 0100",
      "(416) 555-0100"
    ])
    const Stranger = Schema.Literals(["eve@example.org", "+1 647 555 0199", "bob@example.org"])

    it.effect.prop(
      "a match and a non-match answer with the same shape; only the match reaches the outbox",
      { contact: Contact, stranger: Stranger, card: between(1_000_000_000, 9_999_999_999) },
      ({ contact, stranger, card }) =>
        Effect.gen(function* () {
          const auth = yield* Authentication
          const outbox = yield* Outbox
          const patient = yield* seedPatient()
          const wrongCard = String(card) === patient.healthCard.number ? "1111111111" : String(card)
          const miss1 = yield* auth.startLogin({
            clinicId: patient.clinicId,
            identifier: { idType: "ON-HCN", number: wrongCard },
            contact
          })
          const miss2 = yield* auth.startLogin({
            clinicId: patient.clinicId,
            identifier: patient.healthCard,
            contact: stranger
          })
          assert.strictEqual((yield* outbox.all).length, 0)
          const hit = yield* auth.startLogin({
            clinicId: patient.clinicId,
            identifier: patient.healthCard,
            contact
          })
          const sent = yield* outbox.all
          assert.isAbove(sent.length, 0)
          assert.isTrue(
            sent.every((n) => n.payload.challengeId === hit.challengeId && n.patientId === patient.id)
          )
          // One notification, to the contact that was typed.
          assert.strictEqual(sent.length, 1)
          assert.strictEqual(sent[0]?.channel, contact.includes("@") ? "email" : "sms")
          const shape = (c: object) => Object.keys(c).sort().join(",")
          assert.strictEqual(shape(miss1), shape(hit))
          assert.strictEqual(shape(miss2), shape(hit))
          assert.strictEqual(miss1.challengeId.length, hit.challengeId.length)
          assert.strictEqual(miss1.expiresAt.epochMilliseconds, hit.expiresAt.epochMilliseconds)
          // A decoy answers a guess just like a real challenge does.
          const decoy = yield* Effect.flip(
            auth.verifyLogin(miss1.challengeId, Redacted.make("123456"), false)
          )
          assert.strictEqual(decoy._tag, "PasscodeInvalid")
          if (decoy._tag === "PasscodeInvalid") assert.strictEqual(decoy.attemptsLeft, 4)
          assert.isTrue(Option.isNone(yield* codeSentFor(miss1.challengeId)))
        }).pipe(Effect.provide(freshDomain())),
      props
    )

    it.effect("a contact that belongs to another patient gets nothing", () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const outbox = yield* Outbox
        const ada = yield* seedPatient()
        const grace = yield* seedPatient({
          id: "patient-grace" as typeof ada.id,
          healthCard: { idType: "ON-HCN", number: "9876543210" } as typeof ada.healthCard,
          email: "grace@example.org" as typeof ada.email & string,
          mobile: "+14165550111" as typeof ada.mobile & string
        })
        yield* auth.startLogin({
          clinicId: ada.clinicId,
          identifier: ada.healthCard,
          contact: "grace@example.org"
        })
        yield* auth.startLogin({
          clinicId: ada.clinicId,
          identifier: grace.healthCard,
          contact: "+1 416 555 0100"
        })
        assert.strictEqual((yield* outbox.all).length, 0)
        assert.isTrue(Option.isSome(yield* (yield* PatientRepo).findById(grace.id)))
      }).pipe(Effect.provide(freshDomain()))
    )
  })
})
