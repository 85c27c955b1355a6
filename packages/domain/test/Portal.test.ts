/**
 * The whole portal domain wired as the server wires it (`Testing.layerCareMemory`), walked
 * through by one patient (`Testing.patientJourney`, which every adapter runs too).
 */
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Testing from "../src/testing/index.ts"

describe("the portal, end to end", () => {
  it.effect("a patient's journey through every service keeps the audit chain intact", () =>
    Testing.patientJourney.pipe(Effect.provide(Testing.layerCareMemory()))
  )
})
