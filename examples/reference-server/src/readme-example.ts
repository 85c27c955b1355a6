// The README's Authentication example, kept here so that `pnpm check` proves it compiles.
import { Authentication } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { Effect, Redacted } from "effect"

const program = Effect.gen(function* () {
  const auth = yield* Authentication.Authentication

  // The answer has the same shape whether or not the identity matched a patient.
  const { challengeId } = yield* auth.startLogin({
    clinicId: Testing.clinicId,
    identifier: { idType: "ON-HCN", number: "1234-567-890" },
    contact: "ada@example.org"
  })

  // The patient types the code they received.
  const grant = yield* auth.verifyLogin(challengeId, Redacted.make("482913"), /* stayLoggedIn */ false)

  // Later requests carry the token; it is Redacted, so it never prints in a log.
  const principal = yield* auth.authenticate(grant.token)
  return principal.patientId
}).pipe(
  // Failures are tagged errors with a message a patient can act on.
  Effect.catchTags({
    PasscodeInvalid: (e) => Effect.logWarning(e.message), // "… 4 attempts left …"
    PasscodeLocked: (e) => Effect.logWarning(e.message),
    PasscodeExpired: (e) => Effect.logWarning(e.message)
  })
)

// In memory, for trying things out; production wires the Postgres, SMTP and SMS adapters.
Effect.runPromise(program.pipe(Effect.provide(Testing.layerAuthenticationMemory())))
