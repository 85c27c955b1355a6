/**
 * Property 9: no store ever holds a plaintext code or token. The in-memory stores are
 * inspected through their memory handles after whole generated scenarios.
 */
import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Cause, DateTime, Duration, Effect, Exit, Option, Redacted, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { AuditEvent } from "../src/AuditEvent.ts"
import { AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import { UNAMBIGUOUS } from "../src/CodeGenerator.ts"
import { Hasher } from "../src/Hasher.ts"
import { ChallengeId } from "../src/Ids.ts"
import { Notification } from "../src/Notification.ts"
import { openCode } from "../src/Notifications.ts"
import { OutboxMemory } from "../src/Outbox.ts"
import { Passcode } from "../src/Passcode.ts"
import { PasscodeStoreMemory } from "../src/PasscodeStore.ts"
import { Session } from "../src/Session.ts"
import { SessionStoreMemory } from "../src/SessionStore.ts"
import {
  codeSentFor,
  freshDomain,
  issueLinkFor,
  requireCode,
  seedPatient,
  startLoginFor,
  wrongCode
} from "./support.ts"

const DOB = "1985-12-10"

/**
 * Codes long enough that a chance substring match is impossible: a 6-digit code turns up
 * inside a random UUID's hex about once in 10^5 scenarios, a 12-digit one never in practice.
 * The rules under test do not depend on the length.
 */
const longCodes = { loginCodeLength: 12, linkCodeLength: 16, maxSendsPerTarget: 1000 }

/** One step of a scenario. */
const Step = Schema.Literals([
  "login-email",
  "login-phone",
  "resend-login",
  "wrong-login",
  "right-login",
  "issue-link",
  "resend-link",
  "wrong-link",
  "wrong-dob",
  "open-link",
  "decoy-login",
  "authenticate",
  "wait"
])
type Step = typeof Step.Type

/** Every string reachable from a value: object keys and values, Map entries, redacted values, bytes. */
const stringsIn = (value: unknown, out: Array<string> = [], seen = new Set<unknown>()): Array<string> => {
  if (typeof value === "string") {
    out.push(value)
    return out
  }
  if (typeof value === "number" || typeof value === "bigint") {
    out.push(String(value))
    return out
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return out
  seen.add(value)
  if (Redacted.isRedacted(value)) return stringsIn(Redacted.value(value), out, seen)
  if (value instanceof Uint8Array) {
    out.push(new TextDecoder().decode(value), Buffer.from(value).toString("base64url"))
    return out
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      stringsIn(k, out, seen)
      stringsIn(v, out, seen)
    }
    return out
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) stringsIn(v, out, seen)
    return out
  }
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === "string") out.push(key)
    stringsIn((value as Record<PropertyKey, unknown>)[key], out, seen)
  }
  return out
}

/** Everything every store holds: each record encoded by its schema and as JSON, plus every raw string. */
const everythingStored = Effect.gen(function* () {
  const passcodes = yield* TxRef.get((yield* PasscodeStoreMemory).state)
  const sessions = yield* TxRef.get((yield* SessionStoreMemory).state)
  const outbox = yield* TxRef.get((yield* OutboxMemory).state)
  const audit = yield* TxRef.get((yield* AuditLogMemory).state)
  const encoded = [
    ...passcodes.passcodes.map((p) => JSON.stringify(Schema.encodeSync(Passcode)(p))),
    JSON.stringify([...passcodes.failures].map(([id, times]) => [id, times.map(DateTime.formatIso)])),
    ...[...sessions.values()].map((s) => JSON.stringify(Schema.encodeSync(Session)(s))),
    ...outbox.map((n) => JSON.stringify(Schema.encodeSync(Notification)(n))),
    ...audit.map((e) => JSON.stringify(Schema.encodeSync(AuditEvent)(e)))
  ]
  const raw = stringsIn([passcodes, sessions, outbox, audit])
  return { texts: [...encoded, ...raw], passcodes, sessions, outbox, audit }
})

/** The secrets among `secrets` that occur anywhere in `texts`. */
const leaked = (texts: ReadonlyArray<string>, secrets: ReadonlySet<string>) =>
  [...secrets].filter((secret) => texts.some((text) => text.includes(secret)))

/** Plain (unkeyed) SHA-256 of a string, in the encodings a careless store would use. */
const plainSha256 = (s: string) => {
  const h = createHash("sha256").update(s).digest()
  return [h.toString("base64url"), h.toString("base64"), h.toString("hex")]
}

/** Runs a generated scenario for the seeded patient; returns every code sent and every token granted. */
const runScenario = (steps: ReadonlyArray<Step>) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const patient = yield* seedPatient()
    const codes = new Set<string>()
    const tokens = new Set<string>()
    let login = Option.none<ChallengeId>()
    let link = Option.none<ChallengeId>()
    let links = 0
    let lastToken = Option.none<Redacted.Redacted<string>>()
    const remember = (challengeId: ChallengeId) =>
      Effect.map(codeSentFor(challengeId), (code) => {
        if (Option.isSome(code)) codes.add(Redacted.value(code.value))
      })
    const granted = (token: Redacted.Redacted<string>) => {
      tokens.add(Redacted.value(token))
      lastToken = Option.some(token)
    }
    for (const step of steps) {
      switch (step) {
        case "login-email":
        case "login-phone": {
          const challenge = yield* auth.startLogin({
            clinicId: patient.clinicId,
            identifier: patient.healthCard,
            contact: step === "login-email" ? " Ada@Example.org " : "(416) 555-0100"
          })
          login = Option.some(challenge.challengeId)
          yield* remember(challenge.challengeId)
          break
        }
        case "resend-login":
          if (Option.isSome(login)) {
            yield* TestClock.adjust(Duration.seconds(61))
            yield* Effect.ignore(auth.resendLogin(login.value))
            yield* remember(login.value)
          }
          break
        case "wrong-login":
          if (Option.isSome(login)) {
            yield* Effect.ignore(
              auth.verifyLogin(login.value, wrongCode(yield* requireCode(login.value)), false)
            )
          }
          break
        case "right-login":
          if (Option.isSome(login)) {
            const exit = yield* Effect.exit(
              auth.verifyLogin(login.value, yield* requireCode(login.value), true)
            )
            if (Exit.isSuccess(exit)) granted(exit.value.token)
          }
          break
        case "issue-link": {
          const id = yield* issueLinkFor(patient, `message-${links++}`)
          link = Option.some(id)
          yield* remember(id)
          break
        }
        case "resend-link":
          if (Option.isSome(link)) {
            yield* TestClock.adjust(Duration.seconds(61))
            yield* Effect.ignore(auth.resendLink(link.value))
            yield* remember(link.value)
          }
          break
        case "wrong-link":
          if (Option.isSome(link)) {
            const code = wrongCode(yield* requireCode(link.value), UNAMBIGUOUS)
            yield* Effect.ignore(auth.openLink(link.value, code, DOB, false))
          }
          break
        case "wrong-dob":
          if (Option.isSome(link)) {
            yield* Effect.ignore(
              auth.openLink(link.value, yield* requireCode(link.value), "1985-12-11", false)
            )
          }
          break
        case "open-link":
          if (Option.isSome(link)) {
            const exit = yield* Effect.exit(
              auth.openLink(link.value, yield* requireCode(link.value), DOB, false)
            )
            if (Exit.isSuccess(exit)) granted(exit.value.grant.token)
          }
          break
        case "decoy-login":
          yield* auth.startLogin({
            clinicId: patient.clinicId,
            identifier: { idType: "ON-HCN", number: "5550001111" },
            contact: "ada@example.org"
          })
          break
        case "authenticate":
          if (Option.isSome(lastToken)) yield* Effect.ignore(auth.authenticate(lastToken.value))
          break
        case "wait":
          yield* TestClock.adjust(Duration.minutes(7))
          break
      }
    }
    // Also every code the outbox ever carried (a resent challenge's older codes included).
    const hasher = yield* Hasher
    for (const note of yield* TxRef.get((yield* OutboxMemory).state)) {
      const opened = yield* openCode(hasher, note)
      if (Option.isSome(opened)) codes.add(Redacted.value(opened.value))
    }
    return { codes, tokens }
  })

describe("Authentication: no store holds a plaintext code or token", () => {
  it("the scan finds a secret wherever it is stored (so a clean scan means something)", () => {
    const secret = "482913774120"
    const secrets = new Set([secret])
    assert.deepStrictEqual(leaked(stringsIn({ a: [{ b: new Map([["k", `x${secret}y`]]) }] }), secrets), [
      secret
    ])
    assert.deepStrictEqual(leaked(stringsIn([Redacted.make(secret)]), secrets), [secret])
    assert.deepStrictEqual(leaked(stringsIn(new Map([[secret, 1]])), secrets), [secret])
    assert.deepStrictEqual(leaked(stringsIn({ a: "482913774121" }), secrets), [])
  })

  it.effect.prop(
    "after any scenario of logins, resends, links, opens and wrong entries, no code, token or plain hash of a code is stored",
    { steps: Schema.Array(Step).check(Schema.isBetweenLength(8, 40)) },
    ({ steps }) =>
      Effect.gen(function* () {
        // Every scenario has a login and a link to work on; the generated steps do the rest.
        const { codes, tokens } = yield* runScenario(["login-phone", "issue-link", ...steps])
        const stored = yield* everythingStored
        assert.deepStrictEqual(leaked(stored.texts, codes), [])
        assert.deepStrictEqual(leaked(stored.texts, tokens), [])
        assert.deepStrictEqual(leaked(stored.texts, new Set([...codes].flatMap(plainSha256))), [])

        // The scan looked at real data: every code sent is in the outbox (sealed), every grant in the sessions.
        assert.strictEqual(stored.sessions.size, tokens.size)
        // One sealed code per passcode issued to the patient (decoys send nothing), one note per channel.
        const issued = stored.passcodes.passcodes.filter((p) => p.target.patientId !== null)
        assert.strictEqual(new Set(stored.outbox.map((n) => n.payload.code)).size, issued.length)
        assert.strictEqual(codes.size, issued.length)
        assert.strictEqual(
          stored.outbox.length,
          issued.reduce((n, p) => n + (p.channel === "both" ? 2 : 1), 0)
        )
        // Sessions are found by the hash of their token, and only by it.
        const hashes = new Set([...stored.sessions.values()].map((s) => s.tokenHash))
        for (const token of tokens) assert.isTrue(hashes.has(plainSha256(token)[0] as Session["tokenHash"]))
      }).pipe(Effect.provide(freshDomain(longCodes))),
    { timeout: 60_000, arbitrary: { runs: 30, size: 40 } }
  )

  it.effect(
    "a typical login and link leave no plaintext code in the stores at the default code lengths",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const login = yield* startLoginFor(patient)
        const loginCode = Redacted.value(yield* requireCode(login))
        const grant = yield* auth.verifyLogin(login, Redacted.make(loginCode), false)
        const link = yield* issueLinkFor(patient, "message-1")
        const linkCode = Redacted.value(yield* requireCode(link))
        const opened = yield* auth.openLink(link, Redacted.make(linkCode), DOB, false)
        assert.strictEqual(loginCode.length, 6)
        assert.strictEqual(linkCode.length, 8)
        const stored = yield* everythingStored
        // Exact values only: a 6-digit code may turn up by chance inside a UUID or a phone number.
        const secrets = new Set([
          loginCode,
          linkCode,
          Redacted.value(grant.token),
          Redacted.value(opened.grant.token)
        ])
        assert.deepStrictEqual(
          stored.texts.filter((t) => secrets.has(t)),
          []
        )
        const json = stored.texts.join("\n")
        assert.isFalse(json.includes(Redacted.value(grant.token)))
        assert.isFalse(json.includes(Redacted.value(opened.grant.token)))
      }).pipe(Effect.provide(freshDomain()))
  )
})

const otherSecret = Redacted.make("another-secret-of-at-least-32-characters-long")

/** A hasher under another secret. */
const otherHasher = Effect.provide(
  Effect.gen(function* () {
    return yield* Hasher
  }),
  Hasher.make(otherSecret)
)

describe("Authentication: stored code hashes are keyed and bound to their challenge", () => {
  it.effect.prop(
    "the stored hash is the HMAC under the secret: not a plain SHA-256, and different under another secret or challenge",
    { logins: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4 })) },
    ({ logins }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const hasher = yield* Hasher
        const other = yield* otherHasher
        for (let i = 0; i < logins; i++) {
          const challengeId = yield* startLoginFor(patient)
          const code = yield* requireCode(challengeId)
          const { passcodes } = yield* TxRef.get((yield* PasscodeStoreMemory).state)
          const stored = passcodes.find((p) => p.challengeId === challengeId)
          assert.isDefined(stored)
          const codeHash = stored?.codeHash ?? ""
          // Positive control: the same secret and challenge give the stored hash.
          assert.strictEqual(yield* hasher.hashCode(challengeId, code), codeHash)
          // Not an unkeyed digest of the code, alone or with the challenge.
          for (const plain of [
            ...plainSha256(Redacted.value(code)),
            ...plainSha256(`${challengeId}${Redacted.value(code)}`),
            ...plainSha256(`${challengeId.length}:${challengeId}|${Redacted.value(code)}`)
          ]) {
            assert.notStrictEqual(codeHash, plain)
          }
          // Another secret gives another hash; so does another challenge.
          assert.notStrictEqual(yield* other.hashCode(challengeId, code), codeHash)
          assert.notStrictEqual(yield* hasher.hashCode(ChallengeId.make(`${challengeId}x`), code), codeHash)
          assert.isFalse(codeHash.includes(Redacted.value(code)))
        }
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 10 } }
  )
})

describe("Authentication: the outbox carries the code sealed", () => {
  it.effect.prop(
    "each notification's code differs from the plaintext and opens only under its own challenge and secret",
    { purpose: Schema.Literals(["login", "quick-link", "upload-link"]) },
    ({ purpose }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const hasher = yield* Hasher
        const other = yield* otherHasher
        const challengeId =
          purpose === "login"
            ? yield* startLoginFor(patient)
            : yield* issueLinkFor(
                patient,
                "resource-1",
                purpose,
                purpose === "upload-link" ? "upload-request" : "message"
              )
        const code = Redacted.value(yield* requireCode(challengeId))
        const notes = (yield* TxRef.get((yield* OutboxMemory).state)).filter(
          (n) => n.payload.challengeId === challengeId
        )
        // A login code goes to the contact typed (the email here); a link code to the preference (both).
        assert.deepStrictEqual(
          notes.map((n) => n.channel).sort(),
          purpose === "login" ? ["email"] : ["email", "sms"]
        )
        for (const note of notes) {
          const sealed = note.payload.code
          if (sealed === undefined)
            return yield* Effect.die(new Error("a code notification without its code"))
          assert.notStrictEqual(sealed, code)
          assert.isFalse(sealed.includes(code))
          // Opens under its own challenge...
          assert.strictEqual(Redacted.value(yield* hasher.open(challengeId, sealed)), code)
          // ...and nowhere else: another challenge, or another secret, is a defect.
          const elsewhere = yield* Effect.exit(hasher.open(ChallengeId.make(`${challengeId}-other`), sealed))
          assert.isTrue(Exit.isFailure(elsewhere) && Cause.hasDies(elsewhere.cause))
          const otherKey = yield* Effect.exit(other.open(challengeId, sealed))
          assert.isTrue(Exit.isFailure(otherKey) && Cause.hasDies(otherKey.cause))
        }
        // Sealing is randomised: the same code sealed twice gives two different boxes.
        const again = yield* hasher.seal(challengeId, Redacted.make(code))
        assert.notStrictEqual(again, notes[0]?.payload.code)
      }).pipe(Effect.provide(freshDomain())),
    { timeout: 60_000, arbitrary: { runs: 6 } }
  )
})
