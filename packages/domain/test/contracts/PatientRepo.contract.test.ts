/**
 * The `PatientRepo` contract against the in-memory repository (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { PatientRepo } from "../../src/PatientRepo.ts"
import { PatientRepoContract } from "../../src/testing/contracts/PatientRepo.ts"

layer(PatientRepo.layerMemory)("PatientRepo contract (in memory)", (it) => {
  for (const c of PatientRepoContract) it.effect(c.name, () => c.run)
})
