/**
 * The `FileStore` contract against the in-memory store (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import { CodeGenerator } from "../../src/CodeGenerator.ts"
import { FileStore } from "../../src/FileStore.ts"
import { FileStoreContract } from "../../src/testing/contracts/FileStore.ts"

layer(FileStore.layerMemory.pipe(Layer.provide(CodeGenerator.layer)))(
  "FileStore contract (in memory)",
  (it) => {
    for (const c of FileStoreContract) it.effect(c.name, () => c.run)
  }
)
