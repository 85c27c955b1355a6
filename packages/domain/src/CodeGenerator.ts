/**
 * The only source of randomness in the domain: codes, tokens and ids.
 */
import { Context, Effect, Layer, Redacted } from "effect"
import { SecureRandom } from "effect/crypto"
import { Base64Url } from "effect/encoding"

/** Digits of a login one-time passcode. */
export const DIGITS = "0123456789"

/**
 * The alphabet of link and visit codes: case-sensitive, without the characters people
 * confuse when reading or typing (0 O o, 1 I i l). 55 symbols: 8 characters carry 46 bits.
 */
export const UNAMBIGUOUS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz"

/** Randomness for codes, tokens and ids. */
export class CodeGenerator extends Context.Service<
  CodeGenerator,
  {
    /** A code of `length` symbols, each drawn uniformly from `alphabet`. */
    readonly code: (alphabet: string, length: number) => Effect.Effect<Redacted.Redacted<string>>
    /** A bearer token of `bytes` random bytes, base64url. */
    readonly token: (bytes: number) => Effect.Effect<Redacted.Redacted<string>>
    /** A random (v4) UUID for a new record. */
    readonly uuid: Effect.Effect<string>
    /** `length` random bytes (nonces). */
    readonly bytes: (length: number) => Effect.Effect<Uint8Array>
  }
>()("@careportal/domain/CodeGenerator") {
  /** Backed by the Web Crypto CSPRNG (`crypto.getRandomValues`). */
  static readonly layer: Layer.Layer<CodeGenerator> = Layer.effect(
    CodeGenerator,
    Effect.gen(function* () {
      const random = yield* SecureRandom.SecureRandom
      return fromBytes(random.randomBytes)
    })
  ).pipe(Layer.provide(SecureRandom.layerWebCrypto))

  /** The in-memory generator of the test layers: seeded, so codes and ids repeat from run to run. */
  static readonly layerMemory: Layer.Layer<CodeGenerator> = Layer.suspend(() => CodeGenerator.layerSeeded(1))

  /**
   * Deterministic, from a seed: for tests that need to know or repeat codes. Not for
   * production: anyone who knows the seed knows every code.
   */
  static readonly layerSeeded = (seed: number): Layer.Layer<CodeGenerator> =>
    Layer.sync(CodeGenerator, () => {
      const next = sfc32(seed)
      return fromBytes((size) =>
        Effect.sync(() => {
          const out = new Uint8Array(size)
          for (let i = 0; i < size; i++) out[i] = next() & 0xff
          return out
        })
      )
    })
}

/**
 * Builds a generator on a source of uniformly random bytes. Symbols are drawn by rejection
 * sampling: a byte is used only below the largest multiple of the alphabet's size that fits
 * in 256, so every symbol is exactly equally likely (a plain `byte % n` would favour some).
 */
export const fromBytes = (
  randomBytes: (size: number) => Effect.Effect<Uint8Array>
): CodeGenerator["Service"] => {
  const code = (alphabet: string, length: number) =>
    Effect.gen(function* () {
      const n = alphabet.length
      if (n < 2 || n > 256)
        return yield* Effect.die(new RangeError(`alphabet size ${n} is not within 2..256`))
      const limit = 256 - (256 % n)
      let out = ""
      while (out.length < length) {
        const chunk = yield* randomBytes(Math.ceil((length - out.length) * 1.5) + 4)
        for (const byte of chunk) {
          if (byte < limit) out += alphabet[byte % n]
          if (out.length === length) break
        }
      }
      return Redacted.make(out)
    })
  const bytes = (length: number) => randomBytes(length)
  return CodeGenerator.of({
    code,
    bytes,
    token: (length) => Effect.map(randomBytes(length), (b) => Redacted.make(Base64Url.encode(b))),
    uuid: Effect.map(randomBytes(16), (b) => {
      b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
      b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    })
  })
}

/** A small, fast, well-mixed PRNG (sfc32) for seeded test generators. */
const sfc32 = (seed: number) => {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    const t = (a + b + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 16; i++) next()
  return next
}
