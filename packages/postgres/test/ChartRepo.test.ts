/**
 * `ChartRepo` on PostgreSQL: the same contract cases as the in-memory chart.
 */

import { ChartRepoContract } from "@careportal/domain/testing"
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as PgChartRepo from "../src/ChartRepo.ts"
import { testDatabase } from "./harness.ts"

layer(PgChartRepo.layer.pipe(Layer.provideMerge(testDatabase())), { timeout: 60_000 })(
  "ChartRepo contract (Postgres)",
  (it) => {
    for (const c of ChartRepoContract) it.effect(c.name, () => c.run)
  }
)
