/**
 * The `MessageRepo` contract against the in-memory repository (the Postgres adapter runs the
 * same cases).
 */
import { layer } from "@effect/vitest"
import { MessageRepo } from "../../src/MessageRepo.ts"
import { MessageRepoContract } from "../../src/testing/contracts/MessageRepo.ts"

layer(MessageRepo.layerMemory)("MessageRepo contract (in memory)", (it) => {
  for (const c of MessageRepoContract) it.effect(c.name, () => c.run)
})
