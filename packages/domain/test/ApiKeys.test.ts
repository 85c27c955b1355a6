/**
 * Clinic API keys: an issued key authenticates as its clinic's staff member; only its hash is
 * stored (the text is nowhere in the store, the audit log or the outbox); a revoked, unknown
 * or malformed key is refused with one error, never a defect; a clinic's key neither lists
 * nor revokes another clinic's keys.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted, Schema, TxRef } from "effect"
import { Digest } from "effect/crypto"
import { API_KEY_LENGTH } from "../src/ApiKey.ts"
import { ApiKeyStoreMemory } from "../src/ApiKeyStore.ts"
import { ApiKeys } from "../src/ApiKeys.ts"
import { AuditLogMemory } from "../src/AuditLog.ts"
import { ApiKeyInvalid } from "../src/AuthErrors.ts"
import { NotFound } from "../src/CareErrors.ts"
import { ClinicRepo } from "../src/Clinic.ts"
import { ApiKeyId, ClinicId, StaffId } from "../src/Ids.ts"
import { OutboxMemory } from "../src/Outbox.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"

const otherClinicId = ClinicId.make("clinic-ottawa-east")

/** The whole domain in memory with the fixtures' clinic and a second one on record. */
const domain = () => Testing.layerCareMemory()

const withClinics = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const clinics = yield* ClinicRepo
    yield* clinics.save(Testing.makeClinic())
    yield* clinics.save(Testing.makeClinic({ id: otherClinicId, slug: "ottawa-east", name: "Ottawa East" }))
    return yield* body
  })

const issue = (clinicId: ClinicId = Testing.clinicId, staffId = "reception", label = "front desk") =>
  Effect.flatMap(ApiKeys, (keys) => keys.issue({ clinicId, staffId, label }))

const sha256Hex = (text: string) =>
  Effect.flatMap(Digest.Digest, (d) => d.digestHex(Digest.sha256, new TextEncoder().encode(text))).pipe(
    Effect.provide(Digest.layerWebCrypto)
  )

/** Fails the test unless `effect` fails with `ApiKeyInvalid` (a defect fails it too). */
const refused = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const error: unknown = yield* Effect.flip(effect)
    assert.deepStrictEqual(error, new ApiKeyInvalid())
  })

describe("ApiKeys", () => {
  it.effect(
    "an issued key authenticates as its clinic's staff member; only its SHA-256 and prefix are kept",
    () =>
      withClinics(
        Effect.gen(function* () {
          const keys = yield* ApiKeys
          const { key, apiKey } = yield* issue(Testing.clinicId, "reception", "  front desk  ")
          const text = Redacted.value(key)
          assert.match(text, /^cpk_[A-Za-z0-9_-]{43}$/)
          assert.strictEqual(text.length, API_KEY_LENGTH)
          assert.strictEqual(apiKey.prefix, text.slice(0, 12))
          assert.strictEqual(apiKey.keyHash, yield* sha256Hex(text))
          assert.strictEqual(apiKey.label, "front desk")
          assert.isTrue(Option.isNone(apiKey.revokedAt))
          assert.deepStrictEqual(
            yield* keys.authenticate(key),
            new StaffPrincipal({ staffId: StaffId.make("reception"), clinicId: Testing.clinicId })
          )
          const other = yield* issue(otherClinicId, "ottawa-desk")
          assert.deepStrictEqual(
            yield* keys.authenticate(other.key),
            new StaffPrincipal({ staffId: StaffId.make("ottawa-desk"), clinicId: otherClinicId })
          )
          assert.notStrictEqual(Redacted.value(other.key), text, "every key is new")
          // Issuing is audited in the key's clinic, by the system, naming no patient.
          const events = yield* Effect.flatMap(AuditLogMemory, (h) => TxRef.get(h.state))
          assert.deepStrictEqual(
            events.map((e) => [e.clinicId, e.actor.kind, e.action, e.resource, e.outcome, e.patientId]),
            [
              [Testing.clinicId, "system", "api-key.issued", `api-key:${apiKey.id}`, "success", null],
              [otherClinicId, "system", "api-key.issued", `api-key:${other.apiKey.id}`, "success", null]
            ]
          )
        })
      ).pipe(Effect.provide(domain()))
  )

  it.effect(
    "the key text is nowhere in the store, the audit log or the outbox: only the 12-character prefix",
    () =>
      withClinics(
        Effect.gen(function* () {
          const issued = [yield* issue(), yield* issue(otherClinicId), yield* issue()]
          const stores = JSON.stringify([
            yield* Effect.flatMap(ApiKeyStoreMemory, (h) => TxRef.get(h.state)),
            yield* Effect.flatMap(AuditLogMemory, (h) => TxRef.get(h.state)),
            yield* Effect.flatMap(OutboxMemory, (h) => TxRef.get(h.state))
          ])
          for (const { key, apiKey } of issued) {
            const text = Redacted.value(key)
            assert.isTrue(stores.includes(apiKey.keyHash), "the hash is stored")
            // Any 13 consecutive characters of the key would be more than its displayed prefix.
            for (let i = 0; i + 13 <= text.length; i++) assert.notInclude(stores, text.slice(i, i + 13))
            assert.strictEqual(String(key), "<redacted>")
          }
        })
      ).pipe(Effect.provide(domain()))
  )

  it.effect(
    "a revoked key is refused at once, also the one making the request; revoking twice changes nothing",
    () =>
      withClinics(
        Effect.gen(function* () {
          const keys = yield* ApiKeys
          const mine = yield* issue()
          const spare = yield* issue(Testing.clinicId, "nurse")
          const me = yield* keys.authenticate(mine.key)
          yield* keys.revoke(me, mine.apiKey.id)
          yield* refused(keys.authenticate(mine.key))
          // The other key of the clinic still works, and can revoke the revoked one again harmlessly.
          const nurse = yield* keys.authenticate(spare.key)
          yield* keys.revoke(nurse, mine.apiKey.id)
          const listed = yield* keys.list(nurse)
          assert.deepStrictEqual(
            listed.map((k) => [k.id, Option.isSome(k.revokedAt)]),
            [
              [spare.apiKey.id, false],
              [mine.apiKey.id, true]
            ]
          )
          const events = yield* Effect.flatMap(AuditLogMemory, (h) => TxRef.get(h.state))
          const revocations = events.filter((e) => e.action === "api-key.revoked")
          assert.deepStrictEqual(
            revocations.map((e) => [e.actor.kind, e.actor.id, e.resource, e.outcome]),
            [["staff", "reception", `api-key:${mine.apiKey.id}`, "success"]]
          )
        })
      ).pipe(Effect.provide(domain()))
  )

  it.effect(
    "a clinic's key lists only its clinic's keys and cannot revoke another clinic's: NotFound, as for a missing id",
    () =>
      withClinics(
        Effect.gen(function* () {
          const keys = yield* ApiKeys
          const a = yield* issue()
          const b = yield* issue(otherClinicId, "ottawa-desk")
          const staffA = yield* keys.authenticate(a.key)
          assert.deepStrictEqual(
            (yield* keys.list(staffA)).map((k) => k.id),
            [a.apiKey.id]
          )
          const foreign = yield* Effect.flip(keys.revoke(staffA, b.apiKey.id))
          const missing = yield* Effect.flip(keys.revoke(staffA, ApiKeyId.make("no-such-key")))
          assert.deepStrictEqual(foreign, new NotFound({ kind: "api-key" }))
          assert.deepStrictEqual(missing, foreign)
          assert.strictEqual(foreign.message, missing.message)
          // B's key still works.
          assert.deepStrictEqual((yield* keys.authenticate(b.key)).clinicId, otherClinicId)
          // The refusal is audited in A's clinic, as A's failure.
          const events = yield* Effect.flatMap(AuditLogMemory, (h) => TxRef.get(h.state))
          assert.deepStrictEqual(
            events
              .filter((e) => e.action === "api-key.revoked")
              .map((e) => [e.clinicId, e.actor.id, e.outcome, e.reason]),
            [
              [Testing.clinicId, "reception", "failure", "NotFound"],
              [Testing.clinicId, "reception", "failure", "NotFound"]
            ]
          )
        })
      ).pipe(Effect.provide(domain()))
  )

  it.effect("a key for a clinic that does not exist is not issued", () =>
    withClinics(
      Effect.gen(function* () {
        const error = yield* Effect.flip(issue(ClinicId.make("clinic-nowhere")))
        assert.deepStrictEqual(error, new NotFound({ kind: "clinic" }))
        assert.deepStrictEqual(yield* Effect.flatMap(ApiKeyStoreMemory, (h) => TxRef.get(h.state)), [])
      })
    ).pipe(Effect.provide(domain()))
  )

  it.effect("a key altered in one character, cut short or lengthened is refused", () =>
    withClinics(
      Effect.gen(function* () {
        const keys = yield* ApiKeys
        const text = Redacted.value((yield* issue()).key)
        const flip = (c: string) => (c === "A" ? "B" : "A")
        for (const i of [0, 3, 4, 11, 12, 30, text.length - 1]) {
          yield* refused(
            keys.authenticate(Redacted.make(text.slice(0, i) + flip(text[i] ?? "") + text.slice(i + 1)))
          )
        }
        for (const altered of [text.slice(0, -1), `${text}A`, ` ${text}`, text.toUpperCase(), "", "cpk_"]) {
          yield* refused(keys.authenticate(Redacted.make(altered)))
        }
      })
    ).pipe(Effect.provide(domain()))
  )

  const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

  it.effect.prop(
    "no string but an issued key authenticates: any other is ApiKeyInvalid, never a defect",
    {
      // Arbitrary text, and text shaped like a key, so that the hash look-up runs too.
      shaped: Schema.Boolean,
      text: Schema.String,
      symbols: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 63 }))).check(
        Schema.isBetweenLength(43, 43)
      )
    },
    ({ shaped, text, symbols }) =>
      withClinics(
        Effect.gen(function* () {
          const keys = yield* ApiKeys
          const issued = Redacted.value((yield* issue()).key)
          const candidate = shaped ? `cpk_${symbols.map((i) => BASE64URL[i]).join("")}` : text
          if (candidate === issued) return
          yield* refused(keys.authenticate(Redacted.make(candidate)))
        })
      ).pipe(Effect.provide(domain())),
    { arbitrary: { runs: 200 } }
  )
})
