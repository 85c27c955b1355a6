/**
 * Contract suites: the behaviour every implementation of a port must show, written once and
 * run against the in-memory layer (in this package) and against every adapter (Postgres, …).
 * A case is a plain Effect, so this module needs no test framework: each package runs the
 * cases with its own runner, e.g.
 *
 * ```ts
 * for (const c of PasscodeStoreContract) it.effect(c.name, () => c.run.pipe(Effect.provide(layer)))
 * ```
 *
 * Cases share one store per run, so each creates its own clinic and ids (random uuids) and
 * looks only at its own records: the same suite then runs against a database that other
 * cases (or other test files) write to at the same time.
 */
import { Arbitrary, Data, Effect, Schema } from "effect"
import { CodeGenerator } from "../CodeGenerator.ts"

/** One behaviour of a port. */
export interface ContractCase<R> {
  readonly name: string
  readonly run: Effect.Effect<void, unknown, R>
}

/** The behaviours of a port. */
export type Contract<R> = ReadonlyArray<ContractCase<R>>

/** A contract case found the implementation wrong. */
export class ContractViolation extends Data.TaggedError("ContractViolation")<{ readonly message: string }> {}

/** Fails the case unless `condition` holds. */
export const expect = (condition: boolean, message: string): Effect.Effect<void, ContractViolation> =>
  condition ? Effect.void : Effect.fail(new ContractViolation({ message }))

/** Fails the case unless `actual` and `expected` have the same JSON form. */
export const expectEqual = <A>(
  actual: A,
  expected: A,
  message: string
): Effect.Effect<void, ContractViolation> => {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  return a === e
    ? Effect.void
    : Effect.fail(new ContractViolation({ message: `${message}: expected ${e}, got ${a}` }))
}

/** A case. */
export const contractCase = <R>(name: string, run: Effect.Effect<void, unknown, R>): ContractCase<R> => ({
  name,
  run
})

/** A fresh random id, so that a case's records never meet another case's. */
export const uniqueId: Effect.Effect<string> = Effect.gen(function* () {
  return yield* (yield* CodeGenerator).uuid
}).pipe(Effect.provide(CodeGenerator.layer))

/** Whole numbers from `minimum` to `maximum`, for the scenarios property cases generate. */
export const intBetween = (minimum: number, maximum: number) =>
  Schema.Int.check(Schema.isBetween({ minimum, maximum }))

/** Runs a property as one case: a falsification fails the case with its shrunk input and replay token. */
export const checkProperty = <A, R>(
  arbitrary: Arbitrary.Arbitrary<A>,
  property: (value: A) => Effect.Effect<void, unknown, R>,
  options: Arbitrary.CheckOptions
): Effect.Effect<void, unknown, R> =>
  Effect.gen(function* () {
    const result = yield* Arbitrary.checkEffect(
      arbitrary,
      (value) => Effect.as(property(value), true),
      options
    )
    if (result._tag === "Passed") return
    // The report holds the shrunk input, the failure's message and the token to replay it.
    return yield* new ContractViolation({ message: Arbitrary.formatCheckFailure(result) ?? result._tag })
  })

/**
 * Reads page after page, each from where the one before ended (`next` of its last item), until
 * a page comes back empty. Stops after `guard` pages, so that a store that never moves on fails
 * the case instead of looping.
 */
export const readPagesUntilEmpty = <A, K, E, R>(
  readPage: (from: K | undefined) => Effect.Effect<ReadonlyArray<A>, E, R>,
  next: (last: A) => K,
  guard: number
): Effect.Effect<Array<ReadonlyArray<A>>, E | ContractViolation, R> =>
  Effect.gen(function* () {
    const pages: Array<ReadonlyArray<A>> = []
    let from: K | undefined
    while (pages.length <= guard) {
      const page = yield* readPage(from)
      const last = page.at(-1)
      if (last === undefined) return pages
      pages.push(page)
      from = next(last)
    }
    return yield* new ContractViolation({ message: `paging did not end after ${guard} pages` })
  })
