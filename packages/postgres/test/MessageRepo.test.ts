/**
 * `MessageRepo` on PostgreSQL: the same contract cases as the in-memory repository.
 */

import { MessageRepoContract } from "@careportal/domain/testing"
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as PgMessageRepo from "../src/MessageRepo.ts"
import { testDatabase } from "./harness.ts"

layer(PgMessageRepo.layer.pipe(Layer.provideMerge(testDatabase())), { timeout: 60_000 })(
  "MessageRepo contract (Postgres)",
  (it) => {
    for (const c of MessageRepoContract) it.effect(c.name, () => c.run)
  }
)
