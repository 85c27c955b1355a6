/**
 * The reference server's entry point.
 *
 * The HTTP server (packages/api, PGlite by default) is not built yet. Until it is, this
 * walks through the passcode login on the in-memory domain, printing what a patient and
 * the clinic would see, so that `pnpm start` shows the SDK working end to end.
 */
import { Authentication, Hasher, Notifications, Outbox, PatientRepo } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { Console, DateTime, Effect, Option, Redacted } from "effect"

const walkthrough = Effect.gen(function* () {
  const auth = yield* Authentication.Authentication
  const patient = Testing.makePatient()
  yield* (yield* PatientRepo.PatientRepo).save(patient)

  yield* Console.log(
    "careportal: the HTTP reference server is coming (see the issues); here is a login on the domain.\n"
  )
  yield* Console.log(`1. ${patient.legalName.given} starts a login with her health card and email.`)
  const challenge = yield* auth.startLogin({
    clinicId: patient.clinicId,
    identifier: { idType: "ON-HCN", number: "1234-567-890" },
    contact: "Ada@Example.org"
  })
  yield* Console.log(
    `   challenge ${challenge.challengeId}, code valid until ${DateTime.formatIso(challenge.expiresAt)}`
  )

  const [notification] = yield* (yield* Outbox.Outbox).all
  if (notification === undefined) return yield* Effect.die(new Error("no notification was queued"))
  // The outbox holds the code sealed; only the delivery step opens it (the console sender shows it).
  const opened = yield* Notifications.openCode(yield* Hasher.Hasher, notification)
  if (Option.isNone(opened)) return yield* Effect.die(new Error("the notification carries no code"))
  const code = opened.value
  yield* Console.log(
    `2. The outbox holds a ${notification.template} ${notification.channel} to ${notification.to}.`
  )
  yield* Console.log(`   [console sender] Your careportal code is ${Redacted.value(code)}`)

  const grant = yield* auth.verifyLogin(challenge.challengeId, code, false)
  yield* Console.log(
    `3. She enters it: session ${grant.session.id}, until ${DateTime.formatIso(grant.session.expiresAt)}.`
  )
  const principal = yield* auth.authenticate(grant.token)
  yield* Console.log(
    `4. Her token authenticates as patient ${principal.patientId}; the token itself prints as ${String(grant.token)}.`
  )

  const again = yield* Effect.flip(auth.verifyLogin(challenge.challengeId, code, false))
  yield* Console.log(`5. The same code again: ${again._tag}: ${again.message}`)
})

Effect.runPromise(walkthrough.pipe(Effect.provide(Testing.layerAuthenticationMemory()))).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
