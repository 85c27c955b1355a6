/**
 * Clinic API keys: issued to a clinic for one staff member, shown once, kept only as a hash;
 * every staff request presents one and acts as that staff member of that clinic.
 */
import { Context, DateTime, Effect, Layer, Option, Redacted, Result } from "effect"
import { Digest } from "effect/crypto"
import { API_KEY_BYTES, API_KEY_LENGTH, API_KEY_PREFIX, ApiKey, DISPLAY_PREFIX_LENGTH } from "./ApiKey.ts"
import { ApiKeyStore } from "./ApiKeyStore.ts"
import { AuditLog } from "./AuditLog.ts"
import { ApiKeyInvalid } from "./AuthErrors.ts"
import { NotFound } from "./CareErrors.ts"
import { ClinicRepo } from "./Clinic.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import { ApiKeyId, type ClinicId, StaffId } from "./Ids.ts"
import { makeAuditor, makeRefusals } from "./internal/audit.ts"
import { StaffPrincipal, staffActor, systemActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** What a new key is for. */
export interface IssueApiKey {
  readonly clinicId: ClinicId
  /** Who the key acts as in the audit log, e.g. `reception`. */
  readonly staffId: string
  /** What it is for, e.g. "front-desk app" (trimmed). */
  readonly label: string
}

/**
 * A new key: its text, which exists only here (show it once; it cannot be recovered), and the
 * stored record.
 */
export interface ApiKeyIssued {
  readonly key: Redacted.Redacted<string>
  readonly apiKey: ApiKey
}

/** The shape of every key text: the prefix and 43 base64url characters (256 random bits). */
const KEY_TEXT = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{${API_KEY_LENGTH - API_KEY_PREFIX.length}}$`)

/** Issuing, checking, listing and revoking clinic API keys. */
export class ApiKeys extends Context.Service<
  ApiKeys,
  {
    /**
     * A new key for a clinic, acting as `staffId`: `cpk_` and 256 random bits (base64url). Only
     * its SHA-256 is stored; the text is in the result only. Audited as `api-key.issued` by
     * the system. `NotFound` (clinic) when the clinic does not exist.
     */
    readonly issue: (input: IssueApiKey) => Effect.Effect<ApiKeyIssued, NotFound>
    /**
     * The staff member a key acts as. A missing, malformed, unknown or revoked key fails with
     * the same `ApiKeyInvalid`, so a caller cannot tell those apart. Not audited (every staff
     * request calls it); the request it authorises is.
     */
    readonly authenticate: (key: Redacted.Redacted<string>) => Effect.Effect<StaffPrincipal, ApiKeyInvalid>
    /** The staff member's clinic's keys, revoked ones included, newest first. */
    readonly list: (staff: StaffPrincipal) => Effect.Effect<ReadonlyArray<ApiKey>>
    /**
     * Revokes a key of the staff member's clinic (also the one making the request): it stops
     * working at once. Revoking a revoked key changes nothing. A key of another clinic is
     * `NotFound`, like a missing one. Audited as `api-key.revoked` by the staff member.
     */
    readonly revoke: (staff: StaffPrincipal, id: ApiKeyId) => Effect.Effect<void, NotFound>
  }
>()("@careportal/domain/ApiKeys") {
  /**
   * The service on its ports (`ApiKeyStore`, `ClinicRepo`, `AuditLog`, `CodeGenerator`,
   * `UnitOfWork`); SHA-256 by Web Crypto.
   */
  static readonly layer = Layer.effect(
    ApiKeys,
    Effect.gen(function* () {
      return yield* make
    })
  ).pipe(Layer.provide(Digest.layerWebCrypto))
}

const encoder = new TextEncoder()

const make = Effect.gen(function* () {
  const store = yield* ApiKeyStore
  const clinics = yield* ClinicRepo
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const digest = yield* Digest.Digest
  const audit = makeAuditor(yield* AuditLog, generator)
  const { settle, refuse } = makeRefusals(uow, audit)

  const hashKey = (text: string) => digest.digestHex(Digest.sha256, encoder.encode(text))

  const issue = Effect.fn("ApiKeys.issue")(function* (input: IssueApiKey) {
    const text = `${API_KEY_PREFIX}${Redacted.value(yield* generator.token(API_KEY_BYTES))}`
    const id = ApiKeyId.make(yield* generator.uuid)
    const keyHash = yield* hashKey(text)
    const apiKey = yield* uow.transaction(
      Effect.gen(function* () {
        if (Option.isNone(yield* clinics.findById(input.clinicId)))
          return yield* new NotFound({ kind: "clinic" })
        const apiKey = new ApiKey({
          id,
          clinicId: input.clinicId,
          staffId: StaffId.make(input.staffId),
          label: input.label.trim(),
          prefix: text.slice(0, DISPLAY_PREFIX_LENGTH),
          keyHash,
          createdAt: yield* DateTime.now,
          revokedAt: Option.none()
        })
        yield* store.save(apiKey)
        yield* audit({
          clinicId: input.clinicId,
          actor: systemActor,
          action: "api-key.issued",
          patientId: null,
          resource: `api-key:${id}`,
          outcome: "success"
        })
        return apiKey
      })
    )
    return { key: Redacted.make(text), apiKey }
  })

  const authenticate = Effect.fn("ApiKeys.authenticate")(function* (key: Redacted.Redacted<string>) {
    const text = Redacted.value(key)
    if (!KEY_TEXT.test(text)) return yield* new ApiKeyInvalid()
    const found = yield* store.findByHash(yield* hashKey(text))
    if (Option.isNone(found) || Option.isSome(found.value.revokedAt)) return yield* new ApiKeyInvalid()
    return new StaffPrincipal({ staffId: found.value.staffId, clinicId: found.value.clinicId })
  })

  const list = Effect.fn("ApiKeys.list")(function* (staff: StaffPrincipal) {
    return yield* store.listByClinic(staff.clinicId)
  })

  const revoke = Effect.fn("ApiKeys.revoke")(function* (staff: StaffPrincipal, id: ApiKeyId) {
    return yield* settle<void, NotFound>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "api-key.revoked",
          patientId: null,
          resource: `api-key:${id}`
        } as const
        if (yield* store.revoke(staff.clinicId, id, yield* DateTime.now)) {
          yield* audit({ ...facts, outcome: "success" })
          return Result.succeed(undefined)
        }
        // Not revoked now: already revoked (nothing to do), or not one of this clinic's keys.
        const known = (yield* store.listByClinic(staff.clinicId)).some((k) => k.id === id)
        if (known) return Result.succeed(undefined)
        return yield* refuse(facts, new NotFound({ kind: "api-key" }))
      })
    )
  })

  return ApiKeys.of({ issue, authenticate, list, revoke })
})
