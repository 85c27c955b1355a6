/**
 * The `VirtualVisitStore` contract against the in-memory store (the Postgres adapter runs the
 * same cases).
 */
import { layer } from "@effect/vitest"
import { VirtualVisitStoreContract } from "../../src/testing/contracts/VirtualVisitStore.ts"
import { VirtualVisitStore } from "../../src/VirtualVisit.ts"

layer(VirtualVisitStore.layerMemory)("VirtualVisitStore contract (in memory)", (it) => {
  for (const c of VirtualVisitStoreContract) it.effect(c.name, () => c.run)
})
