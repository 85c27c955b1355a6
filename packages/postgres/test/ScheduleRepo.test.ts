/**
 * `ScheduleRepo` on PostgreSQL: the same contract cases as the in-memory repository.
 */

import { ScheduleRepoContract } from "@careportal/domain/testing"
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as PgScheduleRepo from "../src/ScheduleRepo.ts"
import { testDatabase } from "./harness.ts"

layer(PgScheduleRepo.layer.pipe(Layer.provideMerge(testDatabase({ maxConnections: 4 }))), {
  timeout: 60_000
})("ScheduleRepo contract (Postgres)", (it) => {
  for (const c of ScheduleRepoContract) it.effect(c.name, () => c.run)
})
