/**
 * `UnitOfWork` on PostgreSQL: one SQL transaction. Nested units become savepoints of the
 * outer transaction, so they commit with it.
 */
import { UnitOfWork } from "@careportal/domain"
import { Effect, Layer } from "effect"
import { SqlClient, SqlError } from "effect/sql"

/** One unit of work = `sql.withTransaction`; a failure to commit is a defect. */
export const layer: Layer.Layer<UnitOfWork.UnitOfWork, never, SqlClient.SqlClient> = Layer.effect(
  UnitOfWork.UnitOfWork,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return UnitOfWork.UnitOfWork.of({
      transaction: (effect) =>
        // The body's own errors pass through; only the transaction's SqlError becomes a defect.
        sql
          .withTransaction(effect)
          .pipe(Effect.catchIf(SqlError.isSqlError, (error) => Effect.die(error))) as typeof effect
    })
  })
)
