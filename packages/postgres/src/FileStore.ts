/**
 * `FileStore` on PostgreSQL: a file's bytes in a `bytea` column, written in the caller's
 * transaction, so a photo and the chart entry that refers to it commit together. That suits a
 * clinic's photos; a large deployment should keep files in an object store (S3 or the like)
 * behind this same port, and the database for records.
 */
import { CodeGenerator, FileStore, Ids } from "@careportal/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  id: Schema.String,
  content_type: Schema.String,
  bytes: Schema.Uint8Array
})

/** Files in the `files` table; ids from the `CodeGenerator`, as in memory. */
export const layer: Layer.Layer<
  FileStore.FileStore,
  never,
  SqlClient.SqlClient | CodeGenerator.CodeGenerator
> = Layer.effect(
  FileStore.FileStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const generator = yield* CodeGenerator.CodeGenerator
    return FileStore.FileStore.of({
      put: (bytes, contentType) =>
        Effect.gen(function* () {
          const id = Ids.FileId.make(yield* generator.uuid)
          yield* orDie(
            sql`INSERT INTO files (id, content_type, bytes) VALUES (${id}, ${contentType}, ${bytes})`
          )
          return id
        }),
      get: (id: Ids.FileId) =>
        orDie(
          sql`SELECT id, content_type, bytes FROM files WHERE id = ${id}`.pipe(
            Effect.map((rows) =>
              Option.map(
                Option.fromUndefinedOr(decodeRows(Row)(rows)[0]),
                (row) =>
                  // A copy of its own: the driver's value may be a view into a larger read buffer.
                  new FileStore.StoredFile({
                    id: Ids.FileId.make(row.id),
                    contentType: row.content_type,
                    bytes: new Uint8Array(row.bytes)
                  })
              )
            )
          )
        )
    })
  })
)
