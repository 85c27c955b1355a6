/**
 * The `SessionStore` contract against the in-memory store (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { SessionStore } from "../../src/SessionStore.ts"
import { SessionStoreContract } from "../../src/testing/contracts/SessionStore.ts"

layer(SessionStore.layerMemory)("SessionStore contract (in memory)", (it) => {
  for (const c of SessionStoreContract) it.effect(c.name, () => c.run)
})
