/**
 * The `AppointmentRepo` contract against the in-memory repository (the Postgres adapter runs the same cases).
 */
import { layer } from "@effect/vitest"
import { AppointmentRepo } from "../../src/AppointmentRepo.ts"
import { AppointmentRepoContract } from "../../src/testing/contracts/AppointmentRepo.ts"

layer(AppointmentRepo.layerMemory)("AppointmentRepo contract (in memory)", (it) => {
  for (const c of AppointmentRepoContract) it.effect(c.name, () => c.run)
})
