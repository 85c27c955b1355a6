/**
 * `FileStore` on PostgreSQL: the same contract cases as the in-memory store, and a file put in
 * a unit of work is kept only when the unit commits (the bytes live in the same database).
 */
import { CodeGenerator, FileStore, UnitOfWork, Upload } from "@careportal/domain"
import { FileStoreContract } from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as PgFileStore from "../src/FileStore.ts"
import * as PgUnitOfWork from "../src/UnitOfWork.ts"
import { testDatabase } from "./harness.ts"

const layers = Layer.mergeAll(PgFileStore.layer, PgUnitOfWork.layer).pipe(
  Layer.provideMerge(CodeGenerator.CodeGenerator.layer),
  Layer.provideMerge(testDatabase())
)

layer(layers, { timeout: 60_000 })("FileStore (Postgres)", (it) => {
  for (const c of FileStoreContract) it.effect(c.name, () => c.run)

  it.effect("a file put in a unit of work that fails is not kept; one that commits is", () =>
    Effect.gen(function* () {
      const files = yield* FileStore.FileStore
      const uow = yield* UnitOfWork.UnitOfWork
      let rolledBack: string | undefined
      const failed = yield* Effect.flip(
        uow.transaction(
          Effect.gen(function* () {
            rolledBack = yield* files.put(Uint8Array.of(1, 2, 3), "image/png")
            return yield* Effect.fail("filing failed" as const)
          })
        )
      )
      assert.strictEqual(failed, "filing failed")
      assert.isTrue(Option.isNone(yield* files.get(rolledBack as FileStore.StoredFile["id"])))
      const kept = yield* uow.transaction(files.put(Uint8Array.of(4, 5, 6), "image/png"))
      assert.deepStrictEqual(
        Option.map(yield* files.get(kept), (f) => [...f.bytes]),
        Option.some([4, 5, 6])
      )
    })
  )

  it.effect("the largest photo accepted (10 MiB) reads back byte for byte", () =>
    Effect.gen(function* () {
      const files = yield* FileStore.FileStore
      const bytes = yield* (yield* CodeGenerator.CodeGenerator).bytes(Upload.MAX_UPLOAD_BYTES)
      const id = yield* files.put(bytes, "image/jpeg")
      const found = Option.getOrThrow(yield* files.get(id))
      assert.strictEqual(found.bytes.length, bytes.length)
      assert.isTrue(Buffer.compare(Buffer.from(found.bytes), Buffer.from(bytes)) === 0)
    })
  )
})
