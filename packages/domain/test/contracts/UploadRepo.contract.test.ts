/**
 * The `UploadRepo` contract against the in-memory repository and unit of work (the Postgres
 * adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import { UploadRepoContract } from "../../src/testing/contracts/UploadRepo.ts"
import { UnitOfWork } from "../../src/UnitOfWork.ts"
import { UploadRepo } from "../../src/UploadRepo.ts"

layer(Layer.mergeAll(UploadRepo.layerMemory, UnitOfWork.layerMemory))(
  "UploadRepo contract (in memory)",
  (it) => {
    for (const c of UploadRepoContract) it.effect(c.name, () => c.run)
  }
)
