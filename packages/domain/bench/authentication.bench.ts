/**
 * Benchmarks of the authentication core on in-memory ports. Prints figures; asserts nothing.
 * Run with `pnpm bench`.
 */
import { Effect, Option, Redacted } from "effect"
import { Authentication } from "../src/Authentication.ts"
import { CodeGenerator, DIGITS, UNAMBIGUOUS } from "../src/CodeGenerator.ts"
import { Hasher } from "../src/Hasher.ts"
import { PatientId } from "../src/Ids.ts"
import { openCode } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { HealthCardIdentifier } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import * as Testing from "../src/testing/index.ts"

const measure = <A, E, R>(name: string, iterations: number, body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const start = performance.now()
    for (let i = 0; i < iterations; i++) yield* body
    const ms = performance.now() - start
    yield* Effect.sync(() =>
      console.log(
        `${name.padEnd(44)} ${String(iterations).padStart(7)} ops  ${(ms / iterations).toFixed(3).padStart(8)} ms/op  ${Math.round(
          (iterations * 1000) / ms
        )
          .toString()
          .padStart(8)} ops/s`
      )
    )
  })

const program = Effect.gen(function* () {
  const generator = yield* CodeGenerator
  const hasher = yield* Hasher
  const auth = yield* Authentication
  const outbox = yield* Outbox
  const patients = yield* PatientRepo

  yield* measure("CodeGenerator.code (6 digits)", 100_000, generator.code(DIGITS, 6))
  yield* measure("CodeGenerator.code (8 unambiguous)", 100_000, generator.code(UNAMBIGUOUS, 8))
  yield* measure(
    "Hasher.hashCode (HMAC-SHA-256)",
    20_000,
    hasher.hashCode("challenge", Redacted.make("123456"))
  )
  yield* measure("Hasher.hashToken (SHA-256)", 20_000, hasher.hashToken(Redacted.make("token")))

  // Many patients so that lookups are not trivially small.
  for (let i = 0; i < 1_000; i++) {
    yield* patients.save(
      Testing.makePatient({
        id: PatientId.make(`patient-${i}`),
        healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: String(1_000_000_000 + i) })
      })
    )
  }
  let next = 0
  const loginOnce = Effect.gen(function* () {
    const challenge = yield* auth.startLogin({
      clinicId: Testing.clinicId,
      identifier: { idType: "ON-HCN", number: String(1_000_000_000 + (next++ % 1_000)) },
      contact: "ada@example.org"
    })
    const all = yield* outbox.all
    const last = all[all.length - 1]
    if (last === undefined) return
    const opened = yield* openCode(hasher, last)
    if (Option.isNone(opened)) return
    const code = opened.value
    const grant = yield* auth.verifyLogin(challenge.challengeId, code, false)
    yield* auth.authenticate(grant.token)
  })
  yield* measure("login: start + verify + authenticate", 500, loginOnce)
})

Effect.runPromise(
  program.pipe(Effect.provide(Testing.layerAuthenticationMemory()), Effect.provide(CodeGenerator.layer))
)
