/**
 * The `Outbox` contract against the in-memory outbox (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { Outbox } from "../../src/Outbox.ts"
import { OutboxContract } from "../../src/testing/contracts/Outbox.ts"

layer(Outbox.layerMemory)("Outbox contract (in memory)", (it) => {
  for (const c of OutboxContract) it.effect(c.name, () => c.run)
})
