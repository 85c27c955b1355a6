/**
 * The `ScheduleRepo` contract against the in-memory repository (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { ScheduleRepo } from "../../src/ScheduleRepo.ts"
import { ScheduleRepoContract } from "../../src/testing/contracts/ScheduleRepo.ts"

layer(ScheduleRepo.layerMemory)("ScheduleRepo contract (in memory)", (it) => {
  for (const c of ScheduleRepoContract) it.effect(c.name, () => c.run)
})
