/**
 * Shared helpers of the domain tests: a fresh in-memory domain per run, reading the code a
 * notification carries (as the patient would), and logging a patient in.
 */
import { assert } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Redacted } from "effect"
import { Authentication } from "../src/Authentication.ts"
import { type AuthPolicy, layer as policyLayer } from "../src/AuthPolicy.ts"
import { ClinicRepo } from "../src/Clinic.ts"
import { CodeGenerator } from "../src/CodeGenerator.ts"
import { Hasher } from "../src/Hasher.ts"
import type { ChallengeId } from "../src/Ids.ts"
import { openCode } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { type LinkPurpose, ResourceRef } from "../src/Passcode.ts"
import { PasscodeStore } from "../src/PasscodeStore.ts"
import type { Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import * as Testing from "../src/testing/index.ts"

/** The fixtures' clinic on file: a link's description names its clinic, as every record's clinic exists. */
const fixtureClinic = Layer.effectDiscard(
  Effect.gen(function* () {
    yield* (yield* ClinicRepo).save(Testing.makeClinic())
  })
)

/**
 * A fresh in-memory domain with the fixtures' clinic on file, and the policy changed where
 * given. Provide it inside each property run.
 */
export const freshDomain = (policy: Partial<AuthPolicy> = {}, seed?: number) =>
  fixtureClinic.pipe(
    Layer.provideMerge(
      Testing.layerAuthenticationMemory(
        seed === undefined ? {} : { generator: CodeGenerator.layerSeeded(seed) }
      ).pipe(Layer.provide(policyLayer(policy)), Layer.provideMerge(policyLayer(policy)))
    )
  )

/** Saves a patient (the fixture by default) and returns it. */
export const seedPatient = (overrides: Parameters<typeof Testing.makePatient>[0] = {}) =>
  Effect.gen(function* () {
    const patient = Testing.makePatient(overrides)
    yield* (yield* PatientRepo).save(patient)
    return patient
  })

/** The plaintext code of the newest notification for a challenge, opened as the patient's device would. */
export const codeSentFor = (challengeId: ChallengeId) =>
  Effect.gen(function* () {
    const all = yield* (yield* Outbox).all
    const note = [...all].reverse().find((n) => n.payload.challengeId === challengeId)
    if (note === undefined) return Option.none<Redacted.Redacted<string>>()
    return yield* openCode(yield* Hasher, note)
  })

/** Like `codeSentFor`, failing the test when no code was sent. */
export const requireCode = (challengeId: ChallengeId) =>
  Effect.flatMap(codeSentFor(challengeId), (code) =>
    Option.isSome(code)
      ? Effect.succeed(code.value)
      : Effect.die(new Error(`no code was sent for ${challengeId}`))
  )

/** A code that differs from `code` in its first symbol, within the same alphabet. */
export const wrongCode = (code: Redacted.Redacted<string>, alphabet = "0123456789") => {
  const value = Redacted.value(code)
  const first = value[0] ?? alphabet[0] ?? "0"
  const other = alphabet[(alphabet.indexOf(first) + 1) % alphabet.length] ?? "0"
  return Redacted.make(other + value.slice(1))
}

/** Starts a login for a patient with their email and returns the challenge id. */
export const startLoginFor = (patient: Patient) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const challenge = yield* auth.startLogin({
      clinicId: patient.clinicId,
      identifier: patient.healthCard,
      contact: patient.email ?? patient.mobile ?? ""
    })
    return challenge.challengeId
  })

/** Logs a patient in end to end and returns the grant. */
export const loginAs = (patient: Patient, stayLoggedIn = false) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const challengeId = yield* startLoginFor(patient)
    const code = yield* requireCode(challengeId)
    return yield* auth.verifyLogin(challengeId, code, stayLoggedIn)
  })

/** Narrows an error to the expected tag, failing the test when it has another one. */
export const expectTag = <E extends { readonly _tag: string }, const T extends E["_tag"]>(
  error: E,
  tag: T
): Extract<E, { readonly _tag: T }> => {
  assert.strictEqual(error._tag, tag)
  return error as Extract<E, { readonly _tag: T }>
}

/** Issues a link for a record of the patient (a message by default) and returns the link id. */
export const issueLinkFor = (
  patient: Patient,
  resourceId: string,
  purpose: LinkPurpose = "quick-link",
  kind: ResourceRef["kind"] = "message"
) =>
  Effect.gen(function* () {
    const auth = yield* Authentication
    const issued = yield* auth.issueLink(patient, purpose, new ResourceRef({ kind, id: resourceId }))
    return issued.linkId
  })

/** The patient's wrong entries (login and link) recorded by the passcode store after `since` (by default: all of them; the test clock starts at 0). */
export const patientFailureCount = (
  patientId: Patient["id"],
  since: DateTime.Utc = DateTime.makeUnsafe(-1)
) =>
  Effect.gen(function* () {
    const failures = yield* (yield* PasscodeStore).patientFailures(patientId, since)
    return failures.length
  })
