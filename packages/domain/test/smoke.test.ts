import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { Authentication } from "../src/Authentication.ts"
import { Hasher } from "../src/Hasher.ts"
import { Outbox } from "../src/Outbox.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import * as Testing from "../src/testing/index.ts"

describe("smoke", () => {
  it.effect("login round trip", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      yield* (yield* PatientRepo).save(Testing.makePatient())
      const challenge = yield* auth.startLogin({
        clinicId: Testing.clinicId,
        identifier: { idType: "on-hcn", number: "1234-567-890" },
        contact: " ADA@example.org "
      })
      const [note] = yield* (yield* Outbox).all
      assert.isDefined(note)
      const code = yield* (yield* Hasher).open(challenge.challengeId, note!.payload.code)
      const grant = yield* auth.verifyLogin(challenge.challengeId, code, false)
      const who = yield* auth.authenticate(grant.token)
      assert.strictEqual(who.patientId, "patient-ada")
      console.log(String(grant), Redacted.value(code).length)
    }).pipe(Effect.provide(Testing.layerAuthenticationMemory()))
  )
})
