/**
 * The `ClinicRepo` contract against the in-memory repository (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { ClinicRepo } from "../../src/Clinic.ts"
import { ClinicRepoContract } from "../../src/testing/contracts/ClinicRepo.ts"

layer(ClinicRepo.layerMemory)("ClinicRepo contract (in memory)", (it) => {
  for (const c of ClinicRepoContract) it.effect(c.name, () => c.run)
})
