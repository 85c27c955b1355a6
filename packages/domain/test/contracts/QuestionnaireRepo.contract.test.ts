/**
 * The `QuestionnaireRepo` contract against the in-memory repository (the Postgres adapter runs
 * the same cases).
 */
import { layer } from "@effect/vitest"
import { QuestionnaireRepo } from "../../src/QuestionnaireRepo.ts"
import { QuestionnaireRepoContract } from "../../src/testing/contracts/QuestionnaireRepo.ts"

layer(QuestionnaireRepo.layerMemory)("QuestionnaireRepo contract (in memory)", (it) => {
  for (const c of QuestionnaireRepoContract) it.effect(c.name, () => c.run)
})
