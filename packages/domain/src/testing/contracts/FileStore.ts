/**
 * The contract of `FileStore`: bytes read back exactly, every byte value and size included,
 * as a copy taken when they were put; each put gets a new id; an unknown id has no file.
 */
import { Effect, Option } from "effect"
import { CodeGenerator } from "../../CodeGenerator.ts"
import { FileStore, StoredFile } from "../../FileStore.ts"
import { FileId } from "../../Ids.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const randomBytes = (size: number) =>
  Effect.gen(function* () {
    return yield* (yield* CodeGenerator).bytes(size)
  }).pipe(Effect.provide(CodeGenerator.layer))

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/** The behaviours of every `FileStore`. */
export const FileStoreContract: Contract<FileStore> = [
  contractCase(
    "bytes read back exactly under the id put returned, copied when put; an unknown id has no file",
    Effect.gen(function* () {
      const files = yield* FileStore
      const every = Uint8Array.from({ length: 512 }, (_, i) => (i * 7 + 3) % 256)
      const original = every.slice()
      const id = yield* files.put(every, "image/png")
      // The caller may reuse its buffer once `put` returns.
      every.fill(0)
      const found = yield* files.get(id)
      yield* expect(Option.isSome(found), "the file is not found")
      const file = Option.getOrThrow(found)
      yield* expect(file.bytes instanceof Uint8Array, "the bytes are a Uint8Array")
      yield* expect(sameBytes(file.bytes, original), "the bytes read back differ from those put")
      yield* expectEqual(
        file,
        new StoredFile({ id, contentType: "image/png", bytes: original }),
        "the stored file"
      )
      yield* expectEqual(
        yield* files.get(FileId.make(`file-missing-${yield* uuid}`)),
        Option.none(),
        "an unknown file"
      )
    })
  ),

  contractCase(
    "every put gets a new id, also for the same bytes; an empty file and a large one read back",
    Effect.gen(function* () {
      const files = yield* FileStore
      const bytes = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00)
      const a = yield* files.put(bytes, "image/jpeg")
      const b = yield* files.put(bytes, "image/jpeg")
      yield* expect(a !== b, "two puts shared an id")
      const empty = yield* files.put(new Uint8Array(0), "image/heic")
      yield* expectEqual(
        Option.map(yield* files.get(empty), (f) => [f.bytes.length, f.contentType]),
        Option.some([0, "image/heic"]),
        "the empty file"
      )
      const large = yield* randomBytes(3 * 1024 * 1024 + 17)
      const id = yield* files.put(large, "image/heif")
      const found = yield* files.get(id)
      yield* expect(
        Option.isSome(found) && sameBytes(found.value.bytes, large),
        "the large file reads back differently"
      )
    })
  )
]
