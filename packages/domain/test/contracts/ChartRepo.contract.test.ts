/**
 * The `ChartRepo` contract against the in-memory chart (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { ChartRepo } from "../../src/Chart.ts"
import { ChartRepoContract } from "../../src/testing/contracts/ChartRepo.ts"

layer(ChartRepo.layerMemory)("ChartRepo contract (in memory)", (it) => {
  for (const c of ChartRepoContract) it.effect(c.name, () => c.run)
})
