/**
 * The `PasscodeStore` contract against the in-memory store (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { PasscodeStore } from "../../src/PasscodeStore.ts"
import { PasscodeStoreContract } from "../../src/testing/contracts/PasscodeStore.ts"

layer(PasscodeStore.layerMemory)("PasscodeStore contract (in memory)", (it) => {
  for (const c of PasscodeStoreContract) it.effect(c.name, () => c.run)
})
