/**
 * The `ApiKeyStore` contract against the in-memory store (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { ApiKeyStore } from "../../src/ApiKeyStore.ts"
import { ApiKeyStoreContract } from "../../src/testing/contracts/ApiKeyStore.ts"

layer(ApiKeyStore.layerMemory)("ApiKeyStore contract (in memory)", (it) => {
  for (const c of ApiKeyStoreContract) it.effect(c.name, () => c.run)
})
