/**
 * Where uploaded files' bytes are kept. Records (chart entries) hold only a `FileId`.
 */
import { Context, Effect, Layer, Option, Schema, TxRef } from "effect"
import { CodeGenerator } from "./CodeGenerator.ts"
import { FileId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** A stored file: its bytes and the content type they were recognised as. */
export class StoredFile extends Schema.Class<StoredFile>("StoredFile")({
  id: FileId,
  contentType: Schema.String,
  bytes: Schema.Uint8Array
}) {}

/** File bytes, by id. */
export class FileStore extends Context.Service<
  FileStore,
  {
    /**
     * Stores bytes under a new id. It runs inside the caller's unit of work: an adapter in the
     * same database joins the transaction; one on an object store must accept that a unit
     * that fails or is re-run leaves an unreferenced file behind (never a record without its
     * file), to be swept later.
     */
    readonly put: (bytes: Uint8Array, contentType: string) => Effect.Effect<FileId>
    readonly get: (id: FileId) => Effect.Effect<Option.Option<StoredFile>>
  }
>()("@careportal/domain/FileStore") {
  /** In memory, ids from the `CodeGenerator`; also provides `FileStoreMemory`. */
  static readonly layerMemory: Layer.Layer<FileStore | FileStoreMemory, never, CodeGenerator> = Layer.suspend(
    () =>
      Layer.unwrap(
        Effect.map(CodeGenerator, (generator) =>
          memoryLayer(FileStore, FileStoreMemory, () => new Map(), makeMemory(generator))
        )
      )
  )
}

/** The in-memory file store's files. */
export class FileStoreMemory extends Context.Service<
  FileStoreMemory,
  MemoryHandle<ReadonlyMap<FileId, StoredFile>>
>()("@careportal/domain/FileStoreMemory") {}

const makeMemory =
  (generator: CodeGenerator["Service"]) => (state: TxRef.TxRef<ReadonlyMap<FileId, StoredFile>>) =>
    FileStore.of({
      put: (bytes, contentType) =>
        Effect.gen(function* () {
          const id = FileId.make(yield* generator.uuid)
          // A copy: the caller's buffer may be reused or changed after the call.
          const file = new StoredFile({ id, contentType, bytes: bytes.slice() })
          yield* TxRef.update(state, (m) => new Map(m).set(id, file))
          return id
        }),
      get: (id) => Effect.map(TxRef.get(state), (m) => Option.fromUndefinedOr(m.get(id)))
    })
