/**
 * `ClinicRepo` on PostgreSQL: the same contract cases as the in-memory repository.
 */

import { ClinicRepoContract } from "@careportal/domain/testing"
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as PgClinicRepo from "../src/ClinicRepo.ts"
import { testDatabase } from "./harness.ts"

layer(PgClinicRepo.layer.pipe(Layer.provideMerge(testDatabase({ maxConnections: 4 }))), { timeout: 60_000 })(
  "ClinicRepo contract (Postgres)",
  (it) => {
    for (const c of ClinicRepoContract) it.effect(c.name, () => c.run)
  }
)
