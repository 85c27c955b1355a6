import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import { CodeGenerator, DIGITS, fromBytes, UNAMBIGUOUS } from "../src/CodeGenerator.ts"

/**
 * Pearson's chi-square statistic of observed symbol counts against a uniform distribution.
 */
const chiSquare = (counts: ReadonlyMap<string, number>, alphabet: string): number => {
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  const expected = total / alphabet.length
  let sum = 0
  for (const symbol of alphabet) {
    const observed = counts.get(symbol) ?? 0
    sum += (observed - expected) ** 2 / expected
  }
  return sum
}

/**
 * The chi-square value a uniform source exceeds with probability 1e-6, by the
 * Wilson–Hilferty approximation (good to a few percent for these degrees of freedom).
 * So tight a level keeps the real generator from failing once in a million runs, while a
 * generator that misses or favours one symbol lands orders of magnitude above it.
 */
const criticalValue = (degreesOfFreedom: number): number => {
  const z = 4.753 // standard normal quantile for 1 − 1e-6
  const k = degreesOfFreedom
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3
}

/** Draws `draws` codes and counts every symbol; also checks each code's length and alphabet. */
const tally = (generator: CodeGenerator["Service"], alphabet: string, length: number, draws: number) =>
  Effect.gen(function* () {
    const counts = new Map<string, number>()
    for (let i = 0; i < draws; i++) {
      const code = Redacted.value(yield* generator.code(alphabet, length))
      if (code.length !== length)
        return yield* Effect.die(new Error(`code of length ${code.length}, wanted ${length}`))
      for (const symbol of code) {
        if (!alphabet.includes(symbol))
          return yield* Effect.die(new Error(`symbol ${symbol} outside the alphabet`))
        counts.set(symbol, (counts.get(symbol) ?? 0) + 1)
      }
    }
    return counts
  })

const DRAWS = 100_000

describe("CodeGenerator", () => {
  it.effect("login codes: 6 digits, every digit equally likely over 100,000 draws (chi-square)", () =>
    Effect.gen(function* () {
      const generator = yield* CodeGenerator
      const counts = yield* tally(generator, DIGITS, 6, DRAWS)
      const statistic = chiSquare(counts, DIGITS)
      assert.isBelow(statistic, criticalValue(DIGITS.length - 1), `chi-square ${statistic.toFixed(1)}`)
      assert.strictEqual(counts.size, 10)
    }).pipe(Effect.provide(CodeGenerator.layer))
  )

  it.effect("link codes: 8 symbols of the unambiguous alphabet, each equally likely over 100,000 draws", () =>
    Effect.gen(function* () {
      const generator = yield* CodeGenerator
      const counts = yield* tally(generator, UNAMBIGUOUS, 8, DRAWS)
      const statistic = chiSquare(counts, UNAMBIGUOUS)
      assert.isBelow(statistic, criticalValue(UNAMBIGUOUS.length - 1), `chi-square ${statistic.toFixed(1)}`)
      assert.strictEqual(counts.size, UNAMBIGUOUS.length)
    }).pipe(Effect.provide(CodeGenerator.layer))
  )

  it.effect("the test catches a generator that never draws the digit 9", () =>
    Effect.gen(function* () {
      const real = yield* CodeGenerator
      const never9 = CodeGenerator.of({
        ...real,
        code: (alphabet, length) =>
          Effect.map(real.code(alphabet, length), (c) =>
            Redacted.make(Redacted.value(c).replaceAll("9", "8"))
          )
      })
      const statistic = chiSquare(yield* tally(never9, DIGITS, 6, DRAWS), DIGITS)
      assert.isAbove(statistic, criticalValue(DIGITS.length - 1))
    }).pipe(Effect.provide(CodeGenerator.layer))
  )

  it.effect("the test catches modulo bias (byte % 10 without rejection)", () =>
    Effect.gen(function* () {
      // 256 % 10 = 6: a plain modulo favours 0–5 by 26/25. The chi-square must see it.
      const biased = fromBytes((size) =>
        Effect.sync(() => {
          const out = new Uint8Array(size)
          crypto.getRandomValues(out)
          return out
        })
      )
      const modulo = CodeGenerator.of({
        ...biased,
        code: (alphabet, length) =>
          Effect.map(biased.bytes(length), (bytes) =>
            Redacted.make(Array.from(bytes, (b) => alphabet[b % alphabet.length]).join(""))
          )
      })
      const statistic = chiSquare(yield* tally(modulo, DIGITS, 6, DRAWS), DIGITS)
      assert.isAbove(statistic, criticalValue(DIGITS.length - 1))
    })
  )

  it.effect.prop(
    "codes have the asked length and alphabet",
    { length: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 64 })), unambiguous: Schema.Boolean },
    ({ length, unambiguous }) =>
      Effect.gen(function* () {
        const generator = yield* CodeGenerator
        const alphabet = unambiguous ? UNAMBIGUOUS : DIGITS
        const code = Redacted.value(yield* generator.code(alphabet, length))
        assert.strictEqual(code.length, length)
        assert.isTrue([...code].every((c) => alphabet.includes(c)))
      }).pipe(Effect.provide(CodeGenerator.layer))
  )

  it.effect("the unambiguous alphabet has none of 0 O o 1 I i l, and no repeats", () =>
    Effect.sync(() => {
      for (const confusable of "0Oo1Iil") assert.notInclude(UNAMBIGUOUS, confusable)
      assert.strictEqual(new Set(UNAMBIGUOUS).size, UNAMBIGUOUS.length)
    })
  )

  it.effect("tokens carry 256 bits, base64url; uuids are v4", () =>
    Effect.gen(function* () {
      const generator = yield* CodeGenerator
      const token = Redacted.value(yield* generator.token(32))
      assert.match(token, /^[A-Za-z0-9_-]{43}$/)
      assert.match(
        yield* generator.uuid,
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
      )
    }).pipe(Effect.provide(CodeGenerator.layer))
  )

  it.effect("a seeded generator repeats itself; different seeds differ", () =>
    Effect.gen(function* () {
      const draw = (seed: number) =>
        Effect.gen(function* () {
          const generator = yield* CodeGenerator
          return Redacted.value(yield* generator.code(DIGITS, 6))
        }).pipe(Effect.provide(CodeGenerator.layerSeeded(seed)))
      assert.strictEqual(yield* draw(1), yield* draw(1))
      assert.notStrictEqual(yield* draw(1), yield* draw(2))
    })
  )
})
