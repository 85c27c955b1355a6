/**
 * Helpers shared by the repositories: SQL faults become defects at the repository boundary
 * (a database that is down is not a domain error), and rows are decoded with schemas.
 */
import { Effect, Schema } from "effect"

/** Turns an infrastructure failure (SqlError, a row that does not decode) into a defect. */
export const orDie = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, never, R> =>
  Effect.orDie(effect)

/** Decodes rows with a schema; a row that does not fit is a defect (the schema and the table disagree). */
export const decodeRows =
  <S extends Schema.Codec<unknown, unknown, never, never>>(schema: S) =>
  (rows: ReadonlyArray<unknown>): ReadonlyArray<S["Type"]> =>
    rows.map((row) => Schema.decodeUnknownSync(schema)(row))
