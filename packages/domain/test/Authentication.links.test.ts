/**
 * Notification links: lifetimes (property 3), the date of birth as part of the entry
 * (property 4), supersession (property 5), describe/open/resend, and the audit trail of
 * link opens (property 12, links part).
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Option, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { AuditEvent } from "../src/AuditEvent.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import * as AuthPolicy from "../src/AuthPolicy.ts"
import { UNAMBIGUOUS } from "../src/CodeGenerator.ts"
import { Hasher } from "../src/Hasher.ts"
import type { ChallengeId } from "../src/Ids.ts"
import { openCode } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { type LinkPurpose, ResourceRef } from "../src/Passcode.ts"
import { HealthCardIdentifier, type Patient } from "../src/Patient.ts"
import { freshDomain, requireCode, seedPatient, startLoginFor, wrongCode } from "./support.ts"

const message1 = new ResourceRef({ kind: "message", id: "msg-1" })
const message2 = new ResourceRef({ kind: "message", id: "msg-2" })
const upload1 = new ResourceRef({ kind: "upload-request", id: "upl-1" })

const quickTtlMs = Duration.toMillis(AuthPolicy.defaults.quickLinkTtl)
const uploadTtlMs = Duration.toMillis(AuthPolicy.defaults.uploadLinkTtl)
const cooldownMs = Duration.toMillis(AuthPolicy.defaults.resendCooldown)
const maxFailed = AuthPolicy.defaults.maxFailedAttempts

/** A second patient of the same clinic (the fixture is Ada). */
const otherPatient = {
  id: "patient-grace" as Patient["id"],
  healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "9876543210", versionCode: "ZX" }),
  legalName: { given: "Grace", family: "Hopper" },
  dateOfBirth: "1906-12-09",
  email: "grace@example.org" as Patient["email"] & string,
  mobile: "+14165550199" as Patient["mobile"] & string
}

/** Asserts an error's tag and the given fields, exactly. */
const assertError = (error: { readonly _tag: string }, tag: string, fields: Record<string, unknown> = {}) => {
  assert.strictEqual(error._tag, tag)
  for (const [key, value] of Object.entries(fields)) {
    assert.strictEqual((error as unknown as Record<string, unknown>)[key], value, `${tag}.${key}`)
  }
}

/** Issues a link and reads the code the patient received. */
const issue = (patient: Patient, purpose: LinkPurpose = "quick-link", target: ResourceRef = message1) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const issued = yield* auth.issueLink(patient, purpose, target)
    const code = yield* requireCode(issued.linkId)
    return { linkId: issued.linkId, expiresAt: issued.expiresAt, code }
  })

/** Moves the test clock to `ms` after `t0`. */
const setClock = (t0: number, ms: number) => TestClock.setTime(t0 + ms)

const open = (linkId: ChallengeId, code: Redacted.Redacted<string>, dateOfBirth: string) =>
  Effect.gen(function* () {
    return yield* (yield* Authentication).openLink(linkId, code, dateOfBirth, false)
  })

const openFails = (linkId: ChallengeId, code: Redacted.Redacted<string>, dateOfBirth: string) =>
  Effect.flip(open(linkId, code, dateOfBirth))

const describeStatus = (linkId: ChallengeId) =>
  Effect.gen(function* () {
    return (yield* (yield* Authentication).describeLink(linkId)).status
  })

/** An ISO date `days` away from `iso`. */
const shiftDate = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

/** A non-zero day offset within about a century: a well-formed date of birth that is not the patient's. */
const WrongDayOffset = Schema.Int.check(
  Schema.isBetween({ minimum: -36_500, maximum: 36_500 }),
  Schema.makeFilter((n: number) => n !== 0)
)

describe("Authentication links: lifetime (property 3)", () => {
  it.effect("a quick-link code works at ttl − 1 ms and is expired at exactly the ttl", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const t0 = yield* Clock.currentTimeMillis
      const first = yield* issue(patient, "quick-link", message1)
      const second = yield* issue(patient, "quick-link", message2)
      assert.strictEqual(first.expiresAt.epochMilliseconds, t0 + quickTtlMs)

      yield* setClock(t0, quickTtlMs - 1)
      assert.strictEqual(yield* describeStatus(second.linkId), "active")
      const opened = yield* auth.openLink(first.linkId, first.code, patient.dateOfBirth, false)
      assert.strictEqual(opened.purpose, "quick-link")

      yield* setClock(t0, quickTtlMs)
      assert.strictEqual(yield* describeStatus(second.linkId), "expired")
      assertError(yield* openFails(second.linkId, second.code, patient.dateOfBirth), "PasscodeExpired", {
        purpose: "quick-link"
      })
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("an upload-link code works at its ttl − 1 ms and is expired at exactly its ttl", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const t0 = yield* Clock.currentTimeMillis
      const first = yield* issue(patient, "upload-link", upload1)
      const second = yield* issue(
        patient,
        "upload-link",
        new ResourceRef({ kind: "upload-request", id: "upl-2" })
      )
      assert.strictEqual(first.expiresAt.epochMilliseconds, t0 + uploadTtlMs)

      yield* setClock(t0, uploadTtlMs - 1)
      const opened = yield* open(first.linkId, first.code, patient.dateOfBirth)
      assert.strictEqual(opened.purpose, "upload-link")

      yield* setClock(t0, uploadTtlMs)
      assertError(yield* openFails(second.linkId, second.code, patient.dateOfBirth), "PasscodeExpired", {
        purpose: "upload-link"
      })
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect.prop(
    "each link purpose expires by its own ttl",
    {
      quickMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 })),
      uploadMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))
    },
    ({ quickMinutes, uploadMinutes }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const t0 = yield* Clock.currentTimeMillis
        const quickMs = quickMinutes * 60_000
        const uploadMs = uploadMinutes * 60_000
        const quick = [
          yield* issue(patient, "quick-link", message1),
          yield* issue(patient, "quick-link", message2)
        ]
        const upload = [
          yield* issue(patient, "upload-link", upload1),
          yield* issue(patient, "upload-link", new ResourceRef({ kind: "upload-request", id: "upl-2" }))
        ]
        assert.strictEqual(quick[0]?.expiresAt.epochMilliseconds, t0 + quickMs)
        assert.strictEqual(upload[0]?.expiresAt.epochMilliseconds, t0 + uploadMs)
        // Walk the four boundaries in time order; at each, one link is opened just before
        // its end and the other of the same purpose is refused exactly at its end.
        const steps = [
          { at: quickMs - 1, link: quick[0], ok: true },
          { at: quickMs, link: quick[1], ok: false },
          { at: uploadMs - 1, link: upload[0], ok: true },
          { at: uploadMs, link: upload[1], ok: false }
        ].sort((a, b) => a.at - b.at)
        for (const step of steps) {
          if (step.link === undefined) return assert.fail("missing link")
          yield* setClock(t0, step.at)
          if (step.ok) {
            yield* open(step.link.linkId, step.link.code, patient.dateOfBirth)
          } else {
            assert.strictEqual(
              (yield* openFails(step.link.linkId, step.link.code, patient.dateOfBirth))._tag,
              "PasscodeExpired"
            )
          }
        }
      }).pipe(
        Effect.provide(
          freshDomain({
            quickLinkTtl: Duration.minutes(quickMinutes),
            uploadLinkTtl: Duration.minutes(uploadMinutes)
          })
        )
      ),
    { timeout: 60_000, arbitrary: { runs: 15 } }
  )
})

describe("Authentication links: date of birth (property 4)", () => {
  it.effect.prop(
    "a wrong date of birth with the right code is a wrong entry, and enough of them lock the link",
    {
      offsets: Schema.Tuple([WrongDayOffset, WrongDayOffset, WrongDayOffset, WrongDayOffset, WrongDayOffset])
    },
    ({ offsets }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const link = yield* issue(patient)
        const wrongDates = offsets.map((days) => shiftDate(patient.dateOfBirth, days))
        for (const [i, date] of wrongDates.entries()) {
          assert.notStrictEqual(date, patient.dateOfBirth)
          const error = yield* openFails(link.linkId, link.code, date)
          if (i < maxFailed - 1) {
            assertError(error, "PasscodeInvalid", { attemptsLeft: maxFailed - 1 - i })
          } else {
            assertError(error, "PasscodeLocked", { purpose: "quick-link" })
          }
        }
        assert.strictEqual(yield* describeStatus(link.linkId), "locked")
        assertError(yield* openFails(link.linkId, link.code, patient.dateOfBirth), "PasscodeLocked", {
          purpose: "quick-link"
        })
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 25 } }
  )

  it.effect.prop(
    "any typed date of birth other than the patient's (after trimming) is a wrong entry",
    { typed: Schema.String.check(Schema.makeFilter((s: string) => s.trim() !== "1985-12-10")) },
    ({ typed }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient({ dateOfBirth: "1985-12-10" })
        const link = yield* issue(patient)
        assertError(yield* openFails(link.linkId, link.code, typed), "PasscodeInvalid", { attemptsLeft: 4 })
        // The right pair still opens it: one wrong entry does not lock.
        const opened = yield* open(link.linkId, link.code, ` ${patient.dateOfBirth} `)
        assert.strictEqual(opened.grant.principal.patientId, patient.id)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 25 } }
  )

  it.effect("a wrong date of birth and a wrong code count against the same attempts", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const link = yield* issue(patient)
      const wrong = wrongCode(link.code, UNAMBIGUOUS)
      assertError(yield* openFails(link.linkId, link.code, "1985-12-11"), "PasscodeInvalid", {
        attemptsLeft: 4
      })
      assertError(yield* openFails(link.linkId, wrong, patient.dateOfBirth), "PasscodeInvalid", {
        attemptsLeft: 3
      })
      assertError(yield* openFails(link.linkId, wrong, "1985-12-11"), "PasscodeInvalid", { attemptsLeft: 2 })
      const opened = yield* open(link.linkId, link.code, patient.dateOfBirth)
      assert.strictEqual(opened.grant.principal.patientId, patient.id)
    }).pipe(Effect.provide(freshDomain()))
  )
})

describe("Authentication links: supersession (property 5)", () => {
  it.effect.prop(
    "of N links for the same patient and record only the newest opens",
    { n: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 6 })) },
    ({ n }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const links = []
        for (let i = 0; i < n; i++) links.push(yield* issue(patient))
        const newest = links[links.length - 1]
        if (newest === undefined) return assert.fail("no link issued")
        for (const older of links.slice(0, -1)) {
          assert.strictEqual(yield* describeStatus(older.linkId), "superseded")
          assertError(yield* openFails(older.linkId, older.code, patient.dateOfBirth), "PasscodeSuperseded", {
            purpose: "quick-link"
          })
        }
        assert.strictEqual(yield* describeStatus(newest.linkId), "active")
        const opened = yield* open(newest.linkId, newest.code, patient.dateOfBirth)
        assert.deepStrictEqual(opened.target, message1)
        // Superseded stays superseded after the newest was used.
        for (const older of links.slice(0, -1)) {
          assert.strictEqual(
            (yield* openFails(older.linkId, older.code, patient.dateOfBirth))._tag,
            "PasscodeSuperseded"
          )
        }
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect.prop(
    "of N login challenges for the same patient only the newest verifies",
    { n: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 6 })) },
    ({ n }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const challenges = []
        for (let i = 0; i < n; i++) {
          const challengeId = yield* startLoginFor(patient)
          challenges.push({ challengeId, code: yield* requireCode(challengeId) })
        }
        const newest = challenges[challenges.length - 1]
        if (newest === undefined) return assert.fail("no challenge started")
        for (const older of challenges.slice(0, -1)) {
          assertError(
            yield* Effect.flip(auth.verifyLogin(older.challengeId, older.code, false)),
            "PasscodeSuperseded",
            {
              purpose: "login-otp"
            }
          )
        }
        const grant = yield* auth.verifyLogin(newest.challengeId, newest.code, false)
        assert.strictEqual(grant.principal.patientId, patient.id)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect("a link for another record, or for another purpose, is not superseded", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const a = yield* issue(patient, "quick-link", message1)
      const b = yield* issue(patient, "quick-link", message2)
      const c = yield* issue(patient, "upload-link", message1)
      for (const link of [a, b, c]) assert.strictEqual(yield* describeStatus(link.linkId), "active")
      assert.deepStrictEqual((yield* open(a.linkId, a.code, patient.dateOfBirth)).target, message1)
      assert.deepStrictEqual((yield* open(b.linkId, b.code, patient.dateOfBirth)).target, message2)
      const openedC = yield* open(c.linkId, c.code, patient.dateOfBirth)
      assert.strictEqual(openedC.purpose, "upload-link")
      assert.deepStrictEqual(openedC.target, message1)
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("a link for another patient is not superseded", () =>
    Effect.gen(function* () {
      const ada = yield* seedPatient()
      const grace = yield* seedPatient(otherPatient)
      const a = yield* issue(ada)
      const g = yield* issue(grace)
      assert.strictEqual((yield* open(a.linkId, a.code, ada.dateOfBirth)).grant.principal.patientId, ada.id)
      assert.strictEqual(
        (yield* open(g.linkId, g.code, grace.dateOfBirth)).grant.principal.patientId,
        grace.id
      )
    }).pipe(Effect.provide(freshDomain()))
  )
})

describe("Authentication links: describe, binding, unknown ids", () => {
  it.effect.prop(
    "describing a link any number of times consumes nothing",
    { times: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 40 })) },
    ({ times }) =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const link = yield* issue(patient)
        for (let i = 0; i < times; i++) {
          const description = yield* auth.describeLink(link.linkId)
          assert.strictEqual(description.status, "active")
          assert.strictEqual(description.purpose, "quick-link")
          assert.strictEqual(description.resourceKind, "message")
          assert.strictEqual(description.linkId, link.linkId)
          assert.strictEqual(description.expiresAt.epochMilliseconds, link.expiresAt.epochMilliseconds)
        }
        // No attempt was used up: the first wrong entry still leaves 4.
        assertError(
          yield* openFails(link.linkId, wrongCode(link.code, UNAMBIGUOUS), patient.dateOfBirth),
          "PasscodeInvalid",
          { attemptsLeft: 4 }
        )
        const opened = yield* open(link.linkId, link.code, patient.dateOfBirth)
        assert.deepStrictEqual(opened.target, message1)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 10 } }
  )

  it.effect("describeLink reports used, locked, expired and superseded", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const t0 = yield* Clock.currentTimeMillis
      const used = yield* issue(patient, "quick-link", new ResourceRef({ kind: "message", id: "used" }))
      const locked = yield* issue(patient, "quick-link", new ResourceRef({ kind: "message", id: "locked" }))
      const expired = yield* issue(patient, "quick-link", new ResourceRef({ kind: "message", id: "expired" }))
      const superseded = yield* issue(patient, "upload-link", upload1)
      yield* issue(patient, "upload-link", upload1)

      yield* open(used.linkId, used.code, patient.dateOfBirth)
      assert.strictEqual(yield* describeStatus(used.linkId), "used")
      assertError(yield* openFails(used.linkId, used.code, patient.dateOfBirth), "PasscodeUsed", {
        purpose: "quick-link"
      })

      const wrong = wrongCode(locked.code, UNAMBIGUOUS)
      for (let i = 0; i < maxFailed - 1; i++) yield* openFails(locked.linkId, wrong, patient.dateOfBirth)
      assert.strictEqual(yield* describeStatus(locked.linkId), "active")
      yield* openFails(locked.linkId, wrong, patient.dateOfBirth)
      assert.strictEqual(yield* describeStatus(locked.linkId), "locked")

      assert.strictEqual(yield* describeStatus(superseded.linkId), "superseded")

      yield* setClock(t0, quickTtlMs)
      assert.strictEqual(yield* describeStatus(expired.linkId), "expired")
      // Used, locked and superseded outrank expired.
      assert.strictEqual(yield* describeStatus(used.linkId), "used")
      assert.strictEqual(yield* describeStatus(locked.linkId), "locked")
      assert.strictEqual(yield* describeStatus(superseded.linkId), "superseded")
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("an unknown id, or a login challenge id, is not a link", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const unknown = "00000000-0000-4000-8000-000000000000" as ChallengeId
      assertError(yield* Effect.flip(auth.describeLink(unknown)), "LinkNotFound")
      assertError(yield* openFails(unknown, Redacted.make("ABCDEFGH"), patient.dateOfBirth), "LinkNotFound")
      assertError(yield* Effect.flip(auth.resendLink(unknown)), "LinkNotFound")

      const challengeId = yield* startLoginFor(patient)
      const code = yield* requireCode(challengeId)
      assertError(yield* Effect.flip(auth.describeLink(challengeId)), "LinkNotFound")
      assertError(yield* openFails(challengeId, code, patient.dateOfBirth), "LinkNotFound")
      assertError(yield* Effect.flip(auth.resendLink(challengeId)), "LinkNotFound")
      // The login challenge was not touched by those calls.
      const grant = yield* auth.verifyLogin(challengeId, code, false)
      assert.strictEqual(grant.principal.patientId, patient.id)
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("an unknown id, or a link id, is not a login challenge for resendLogin", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const link = yield* issue(patient)
      assertError(yield* Effect.flip(auth.resendLogin(link.linkId)), "ChallengeNotFound")
      assertError(
        yield* Effect.flip(
          auth.verifyLogin("00000000-0000-4000-8000-000000000000" as ChallengeId, link.code, false)
        ),
        "ChallengeNotFound"
      )
    }).pipe(Effect.provide(freshDomain()))
  )

  // A link id must not reach the login check: it would spend the link's attempts.
  it.effect("a link id given to verifyLogin is ChallengeNotFound and leaves the link untouched", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const link = yield* issue(patient)
      assertError(yield* Effect.flip(auth.verifyLogin(link.linkId, link.code, false)), "ChallengeNotFound")
      assertError(
        yield* openFails(link.linkId, wrongCode(link.code, UNAMBIGUOUS), patient.dateOfBirth),
        "PasscodeInvalid",
        { attemptsLeft: 4 }
      )
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("a link opens the record it was issued for, and its code opens no other link", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const a = yield* issue(patient, "quick-link", message1)
      const b = yield* issue(patient, "quick-link", message2)
      assertError(yield* openFails(b.linkId, a.code, patient.dateOfBirth), "PasscodeInvalid", {
        attemptsLeft: 4
      })
      assertError(yield* openFails(a.linkId, b.code, patient.dateOfBirth), "PasscodeInvalid", {
        attemptsLeft: 4
      })
      const openedA = yield* open(a.linkId, a.code, patient.dateOfBirth)
      assert.deepStrictEqual(openedA.target, message1)
      assert.strictEqual(openedA.purpose, "quick-link")
      assert.strictEqual(openedA.grant.principal.patientId, patient.id)
      assert.strictEqual(openedA.grant.session.origin, "quick-link")
      const openedB = yield* open(b.linkId, b.code, patient.dateOfBirth)
      assert.deepStrictEqual(openedB.target, message2)
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("a link is bound to its patient: another patient's date of birth does not open it", () =>
    Effect.gen(function* () {
      const ada = yield* seedPatient()
      const grace = yield* seedPatient(otherPatient)
      const link = yield* issue(ada)
      assertError(yield* openFails(link.linkId, link.code, grace.dateOfBirth), "PasscodeInvalid", {
        attemptsLeft: 4
      })
      const opened = yield* open(link.linkId, link.code, ada.dateOfBirth)
      assert.strictEqual(opened.grant.principal.patientId, ada.id)
      assert.strictEqual(opened.grant.principal.clinicId, ada.clinicId)
    }).pipe(Effect.provide(freshDomain()))
  )
})

describe("Authentication links: resend", () => {
  it.effect("after a resend the old code is a wrong entry and the new code opens the link", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const t0 = yield* Clock.currentTimeMillis
      const link = yield* issue(patient)

      yield* setClock(t0, cooldownMs - 1)
      assertError(yield* Effect.flip(auth.resendLink(link.linkId)), "ResendTooSoon", { retryAfterSeconds: 1 })
      assert.strictEqual(Redacted.value(yield* requireCode(link.linkId)), Redacted.value(link.code))

      yield* setClock(t0, cooldownMs)
      const sent = yield* auth.resendLink(link.linkId)
      assert.strictEqual(sent.challengeId, link.linkId)
      assert.strictEqual(sent.expiresAt.epochMilliseconds, t0 + cooldownMs + quickTtlMs)
      const fresh = yield* requireCode(link.linkId)
      assert.notStrictEqual(Redacted.value(fresh), Redacted.value(link.code))

      // The old code is checked against the newest code of the link: a wrong entry.
      assertError(yield* openFails(link.linkId, link.code, patient.dateOfBirth), "PasscodeInvalid", {
        attemptsLeft: 4
      })
      const description = yield* auth.describeLink(link.linkId)
      assert.strictEqual(description.status, "active")
      assert.strictEqual(description.expiresAt.epochMilliseconds, t0 + cooldownMs + quickTtlMs)
      const opened = yield* open(link.linkId, fresh, patient.dateOfBirth)
      assert.deepStrictEqual(opened.target, message1)
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("wrong entries carry over a resend: 4 wrong, resend, 1 wrong locks the link", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const link = yield* issue(patient)
      const wrong = wrongCode(link.code, UNAMBIGUOUS)
      for (let i = 0; i < 4; i++) {
        assertError(yield* openFails(link.linkId, wrong, patient.dateOfBirth), "PasscodeInvalid", {
          attemptsLeft: 4 - i
        })
      }
      yield* TestClock.adjust(Duration.seconds(60))
      yield* auth.resendLink(link.linkId)
      const fresh = yield* requireCode(link.linkId)
      assertError(
        yield* openFails(link.linkId, wrongCode(fresh, UNAMBIGUOUS), patient.dateOfBirth),
        "PasscodeLocked",
        { purpose: "quick-link" }
      )
      assertError(yield* openFails(link.linkId, fresh, patient.dateOfBirth), "PasscodeLocked", {
        purpose: "quick-link"
      })
      assert.strictEqual(yield* describeStatus(link.linkId), "locked")
      yield* TestClock.adjust(Duration.seconds(60))
      assertError(yield* Effect.flip(auth.resendLink(link.linkId)), "PasscodeLocked", {
        purpose: "quick-link"
      })
    }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("a used link cannot be resent", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const link = yield* issue(patient)
      yield* open(link.linkId, link.code, patient.dateOfBirth)
      yield* TestClock.adjust(Duration.seconds(60))
      assertError(yield* Effect.flip(auth.resendLink(link.linkId)), "PasscodeUsed", { purpose: "quick-link" })
    }).pipe(Effect.provide(freshDomain()))
  )
})

describe("Authentication links: audit (property 12, links part)", () => {
  it.effect("every open success, failure and lock is audited, and no event holds a code", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const t0 = yield* Clock.currentTimeMillis
      const good = yield* issue(patient, "quick-link", message1)
      const target = yield* issue(patient, "quick-link", message2)
      const stale = yield* issue(patient, "upload-link", upload1)
      const old = yield* issue(
        patient,
        "upload-link",
        new ResourceRef({ kind: "upload-request", id: "upl-2" })
      )
      const newer = yield* issue(
        patient,
        "upload-link",
        new ResourceRef({ kind: "upload-request", id: "upl-2" })
      )
      const typed: Array<string> = []
      const tryOpen = (link: { linkId: ChallengeId }, code: Redacted.Redacted<string>, dob: string) => {
        typed.push(Redacted.value(code))
        return Effect.result(auth.openLink(link.linkId, code, dob, false))
      }
      const wrong = wrongCode(target.code, UNAMBIGUOUS)
      const expected: Array<{ linkId: ChallengeId; action: string; outcome: string; reason?: string }> = []

      yield* tryOpen(good, good.code, patient.dateOfBirth)
      expected.push({ linkId: good.linkId, action: "link.opened", outcome: "success" })

      yield* tryOpen(target, target.code, "2000-01-01")
      expected.push({
        linkId: target.linkId,
        action: "link.failed",
        outcome: "failure",
        reason: "PasscodeInvalid"
      })
      for (let i = 0; i < 3; i++) {
        yield* tryOpen(target, wrong, patient.dateOfBirth)
        expected.push({
          linkId: target.linkId,
          action: "link.failed",
          outcome: "failure",
          reason: "PasscodeInvalid"
        })
      }
      yield* tryOpen(target, wrong, patient.dateOfBirth)
      expected.push({
        linkId: target.linkId,
        action: "link.locked",
        outcome: "failure",
        reason: "PasscodeLocked"
      })
      yield* tryOpen(target, target.code, patient.dateOfBirth)
      expected.push({
        linkId: target.linkId,
        action: "link.failed",
        outcome: "failure",
        reason: "PasscodeLocked"
      })

      yield* tryOpen(good, good.code, patient.dateOfBirth)
      expected.push({
        linkId: good.linkId,
        action: "link.failed",
        outcome: "failure",
        reason: "PasscodeUsed"
      })

      yield* tryOpen(old, old.code, patient.dateOfBirth)
      expected.push({
        linkId: old.linkId,
        action: "link.failed",
        outcome: "failure",
        reason: "PasscodeSuperseded"
      })

      yield* setClock(t0, uploadTtlMs)
      yield* tryOpen(stale, stale.code, patient.dateOfBirth)
      expected.push({
        linkId: stale.linkId,
        action: "link.failed",
        outcome: "failure",
        reason: "PasscodeExpired"
      })

      yield* TestClock.adjust(Duration.millis(cooldownMs))
      yield* auth.resendLink(newer.linkId)
      const resent = yield* requireCode(newer.linkId)
      yield* tryOpen(newer, resent, patient.dateOfBirth)
      expected.push({ linkId: newer.linkId, action: "link.opened", outcome: "success" })

      const events = yield* (yield* AuditLog).all
      const openActions: ReadonlyArray<string> = ["link.opened", "link.failed", "link.locked"]
      const linkOpens = events.filter((e) => openActions.includes(e.action))
      assert.deepStrictEqual(
        linkOpens.map((e) => ({
          linkId: e.resource,
          action: e.action,
          outcome: e.outcome,
          ...(e.reason === undefined ? {} : { reason: e.reason })
        })),
        expected.map(({ linkId, ...rest }) => ({ ...rest, linkId: `challenge:${linkId}` }))
      )
      for (const event of linkOpens) {
        assert.strictEqual(event.patientId, patient.id)
        assert.strictEqual(event.clinicId, patient.clinicId)
        assert.strictEqual(event.actor.kind, "anonymous")
      }

      // No event of any kind carries a code that was sent or typed.
      const sent = yield* (yield* Outbox).all
      const hasher = yield* Hasher
      const codes = new Set(typed)
      for (const note of sent) {
        const opened = yield* openCode(hasher, note)
        if (Option.isSome(opened)) codes.add(Redacted.value(opened.value))
      }
      assert.isAtLeast(codes.size, 7)
      const encode = Schema.encodeSync(AuditEvent)
      for (const event of events) {
        const text = `${JSON.stringify(encode(event))}\n${String(event)}`
        for (const code of codes) assert.notInclude(text, code)
      }
    }).pipe(Effect.provide(freshDomain()))
  )
})
