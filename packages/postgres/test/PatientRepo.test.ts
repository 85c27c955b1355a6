/**
 * `PatientRepo` on PostgreSQL: the same contract cases as the in-memory repository.
 */

import { PatientRepoContract } from "@careportal/domain/testing"
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as PgPatientRepo from "../src/PatientRepo.ts"
import { testDatabase } from "./harness.ts"

layer(PgPatientRepo.layer.pipe(Layer.provideMerge(testDatabase({ maxConnections: 4 }))), { timeout: 60_000 })(
  "PatientRepo contract (Postgres)",
  (it) => {
    for (const c of PatientRepoContract) it.effect(c.name, () => c.run)
  }
)
