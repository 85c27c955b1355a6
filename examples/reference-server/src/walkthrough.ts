/**
 * `pnpm --filter @careportal/reference-server walkthrough`: a passcode login on the server's
 * database (DATABASE_URL, else the embedded one in .data/pglite, migrated) without HTTP,
 * printing what a patient and the clinic would see. Stop the server first on the embedded
 * database (one process per directory).
 */
import {
  Authentication,
  Clinic,
  Dispatcher,
  Hasher,
  Notifications,
  Outbox,
  PatientRepo,
  Portal
} from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { Ports } from "@careportal/postgres"
import { Console, DateTime, Effect, Layer, Option, Redacted } from "effect"
import * as Environment from "./Environment.ts"

const walkthrough = Effect.gen(function* () {
  const auth = yield* Authentication.Authentication
  const patient = Testing.makePatient()
  // The demo clinic and patient (see Demo.ts), when the server has not seeded them yet.
  const clinics = yield* Clinic.ClinicRepo
  if (Option.isNone(yield* clinics.findById(patient.clinicId))) yield* clinics.save(Testing.makeClinic())
  const patients = yield* PatientRepo.PatientRepo
  if (Option.isNone(yield* patients.findById(patient.id))) yield* patients.save(patient)

  yield* Console.log("careportal: a passcode login on the database, without HTTP.\n")
  yield* Console.log(`1. ${patient.legalName.given} starts a login with her health card and email.`)
  const challenge = yield* auth.startLogin({
    clinicId: patient.clinicId,
    identifier: { idType: "ON-HCN", number: "1234-567-890" },
    contact: "Ada@Example.org"
  })
  yield* Console.log(
    `   challenge ${challenge.challengeId}, code valid until ${DateTime.formatIso(challenge.expiresAt)}`
  )

  // The dispatcher delivers the outbox: with the default console senders the message (and its
  // code) appears in the log; with SMTP_* / SMS_* set it goes to the real providers.
  const delivered = yield* (yield* Dispatcher.Dispatcher).runOnce({ batchSize: 20 })
  yield* Console.log(`   the dispatcher sent ${delivered.sent} notification(s)`)

  const notification = [...(yield* (yield* Outbox.Outbox).all)]
    .reverse()
    .find((n) => n.payload.challengeId === challenge.challengeId)
  if (notification === undefined) return yield* Effect.die(new Error("no notification was queued"))
  // The outbox holds the code sealed; only the delivery step opens it (the console sender shows it).
  const opened = yield* Notifications.openCode(yield* Hasher.Hasher, notification)
  if (Option.isNone(opened)) return yield* Effect.die(new Error("the notification carries no code"))
  const code = opened.value
  yield* Console.log(
    `2. The outbox holds a ${notification.template} ${notification.channel} to ${notification.to}.`
  )
  yield* Console.log(`   (the code it carried: ${Redacted.value(code)})`)

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
}).pipe(
  // Ten codes a day per patient: an eleventh run in a day meets the limit, as a patient would.
  Effect.catchTag("ResendLimitReached", (e) => Console.log(`   ${e._tag}: ${e.message}`))
)

const App = Layer.mergeAll(Portal.layerAuthentication, Dispatcher.Dispatcher.layer).pipe(
  Layer.provide(Environment.portalAddress),
  Layer.provideMerge(Layer.mergeAll(Environment.email, Environment.sms)),
  Layer.provideMerge(Ports.layerConfig({ hasher: Environment.hasher }))
)

Effect.runPromise(walkthrough.pipe(Effect.provide(App))).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
