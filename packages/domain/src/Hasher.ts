/**
 * Keyed hashing and sealing of secrets. Codes are stored only as HMAC-SHA-256 under a
 * server secret and compared in constant time; session tokens only as SHA-256; a code
 * waiting in the outbox only sealed with AES-256-GCM.
 */
import { Config, Context, Effect, Layer, Redacted } from "effect"
import { Aead, Digest, Kdf, Mac, SecureRandom } from "effect/crypto"
import { Base64Url } from "effect/encoding"
import type { SealedCode } from "./Notification.ts"
import type { CodeHash } from "./Passcode.ts"
import type { TokenHash } from "./Session.ts"

/** Hashing and sealing of codes and tokens. */
export class Hasher extends Context.Service<
  Hasher,
  {
    /** HMAC-SHA-256 of `code`, bound to `context` (the challenge), so a hash is useless elsewhere. */
    readonly hashCode: (context: string, code: Redacted.Redacted<string>) => Effect.Effect<CodeHash>
    /** SHA-256 of a session token. */
    readonly hashToken: (token: Redacted.Redacted<string>) => Effect.Effect<TokenHash>
    /** Encrypts a code for the outbox, bound to `context` (the notification's challenge). */
    readonly seal: (context: string, code: Redacted.Redacted<string>) => Effect.Effect<SealedCode>
    /** Decrypts a sealed code; fails with a defect when it was not sealed under this secret and context. */
    readonly open: (context: string, sealed: SealedCode) => Effect.Effect<Redacted.Redacted<string>>
  }
>()("@careportal/domain/Hasher") {
  /** Keys derived from `secret`; the Web Crypto primitives of `effect/crypto` do the work. */
  static readonly make = (secret: Redacted.Redacted<string>): Layer.Layer<Hasher> =>
    Layer.effect(Hasher, Effect.orDie(makeService(secret))).pipe(
      Layer.provide(
        Layer.mergeAll(Mac.layerWebCrypto, Aead.layerWebCrypto, Digest.layerWebCrypto, Kdf.layerWebCrypto)
      ),
      Layer.provide(SecureRandom.layerWebCrypto)
    )

  /**
   * For tests and local development: keyed by a fixed, public secret, so anyone can forge or
   * open its hashes. Never in a deployment; use `layerConfig`.
   */
  static readonly layerMemory: Layer.Layer<Hasher> = Layer.suspend(() => Hasher.make(publicTestSecret))

  /** The secret from `PASSCODE_SECRET` (at least 32 characters; generate one with `openssl rand -base64 48`). */
  static readonly layerConfig: Layer.Layer<Hasher, Config.ConfigError> = Layer.unwrap(
    Effect.gen(function* () {
      const secret = yield* Config.Redacted("PASSCODE_SECRET")
      if (Redacted.value(secret).length < 32) {
        return yield* Effect.die(
          new Error(
            "PASSCODE_SECRET is too short: use at least 32 random characters (openssl rand -base64 48)"
          )
        )
      }
      return Hasher.make(secret)
    })
  )
}

/** The fixed secret of `layerMemory`: public, so only for tests. */
export const publicTestSecret = Redacted.make("careportal-test-secret-do-not-use-in-production")

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const bytes = (s: string) => encoder.encode(s)
const joined = (context: string, value: string) => bytes(`${context.length}:${context}|${value}`)

const makeService = (secret: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const mac = yield* Mac.Mac
    const aead = yield* Aead.Aead
    const digest = yield* Digest.Digest
    const kdf = yield* Kdf.Kdf
    const random = yield* SecureRandom.SecureRandom
    const master = bytes(Redacted.value(secret))
    const derive = (info: string) =>
      kdf.derive(Kdf.hkdfSha256, master, { salt: bytes("careportal/v1"), length: 32, info: bytes(info) })
    const macKey = yield* Effect.flatMap(derive("passcode-hmac"), (k) => Mac.key(Mac.hmacSha256, k))
    const sealKey = yield* Effect.flatMap(derive("outbox-seal"), (k) => Aead.key(Aead.aes256Gcm, k))

    const hashCode = (context: string, code: Redacted.Redacted<string>) =>
      mac.sign(macKey, joined(context, Redacted.value(code))).pipe(
        Effect.map((tag) => Base64Url.encode(tag) as CodeHash),
        Effect.orDie
      )
    const hashToken = (token: Redacted.Redacted<string>) =>
      digest
        .digest(Digest.sha256, bytes(Redacted.value(token)))
        .pipe(Effect.map((h) => Base64Url.encode(h) as TokenHash))
    const seal = (context: string, code: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const nonce = yield* random.randomBytes(12)
        const box = yield* aead.encrypt(sealKey, bytes(Redacted.value(code)), { nonce, aad: bytes(context) })
        const out = new Uint8Array(nonce.length + box.length)
        out.set(nonce)
        out.set(box, nonce.length)
        return Base64Url.encode(out) as SealedCode
      }).pipe(Effect.orDie)
    const open = (context: string, sealed: SealedCode) =>
      Effect.gen(function* () {
        const raw = Base64Url.decode(sealed)
        if (raw._tag === "Failure") return yield* Effect.die(new Error("sealed code is not base64url"))
        const nonce = raw.success.slice(0, 12)
        const plain = yield* aead.decrypt(sealKey, raw.success.slice(12), { nonce, aad: bytes(context) })
        return Redacted.make(decoder.decode(plain))
      }).pipe(Effect.orDie)
    return Hasher.of({ hashCode, hashToken, seal, open })
  })

/** Compares two hashes in constant time (for equal lengths), so timing reveals nothing. */
export const hashesEqual = (a: string, b: string): boolean => Mac.timingSafeEqual(bytes(a), bytes(b))
