/**
 * Property 10: a unit of work is all-or-nothing. A body that writes to several stores
 * (patients, chart, outbox, audit, appointments, sessions, clinics, schedules, passcodes)
 * and then fails — a typed failure, a port's own refusal (`SlotTaken`), a defect or an
 * interruption — at a random step leaves every store exactly as it was, outbox included; a
 * body that succeeds commits every write; concurrent units on the same data serialise.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, DateTime, Effect, Exit, Schema, TxRef } from "effect"
import { Appointment, Provider } from "../src/Appointment.ts"
import { AppointmentRepo, AppointmentRepoMemory } from "../src/AppointmentRepo.ts"
import { Actor, AuditEntry } from "../src/AuditEvent.ts"
import { AuditLog, AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import type { SlotTaken } from "../src/CareErrors.ts"
import { ChartEntry, ChartRepo, ChartRepoMemory } from "../src/Chart.ts"
import { ClinicRepo, ClinicRepoMemory } from "../src/Clinic.ts"
import {
  AppointmentId,
  AppointmentTypeId,
  AuditEventId,
  ChartEntryId,
  ClinicId,
  PatientId,
  ProviderId,
  SessionId
} from "../src/Ids.ts"
import { NotificationPayload } from "../src/Notification.ts"
import { Notifications } from "../src/Notifications.ts"
import { OutboxMemory } from "../src/Outbox.ts"
import { ResourceRef } from "../src/Passcode.ts"
import { PasscodeStoreMemory } from "../src/PasscodeStore.ts"
import { Address, HealthCardIdentifier } from "../src/Patient.ts"
import { PatientRepo, PatientRepoMemory } from "../src/PatientRepo.ts"
import { ScheduleRepo, ScheduleRepoMemory } from "../src/ScheduleRepo.ts"
import { Session, TokenHash } from "../src/Session.ts"
import { SessionStore, SessionStoreMemory } from "../src/SessionStore.ts"
import * as Testing from "../src/testing/index.ts"
import { UnitOfWork } from "../src/UnitOfWork.ts"
import { loginAs, seedPatient } from "./support.ts"

const between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))

/** The writes a step can make; `link` is a whole nested unit (passcode + outbox + audit). */
const Step = Schema.Literals([
  "patient",
  "chart",
  "outbox",
  "audit",
  "appointment",
  "session",
  "clinic",
  "schedule",
  "link"
])
type Step = typeof Step.Type

/** How the body fails after its writes. */
const Failure = Schema.Literals(["typed", "slot-taken", "defect", "interrupt"])
type Failure = typeof Failure.Type

class Boom extends Schema.TaggedError<Boom>()("Boom", { step: Schema.Int }) {}

const T0 = DateTime.makeUnsafe(Date.UTC(2030, 0, 7, 15, 0))
const providerId = ProviderId.make("provider-1")

/** Every in-memory store's state, read straight from its handle. */
const snapshot = Effect.gen(function* () {
  return {
    patients: yield* TxRef.get((yield* PatientRepoMemory).state),
    passcodes: yield* TxRef.get((yield* PasscodeStoreMemory).state),
    sessions: yield* TxRef.get((yield* SessionStoreMemory).state),
    audit: yield* TxRef.get((yield* AuditLogMemory).state),
    outbox: yield* TxRef.get((yield* OutboxMemory).state),
    clinics: yield* TxRef.get((yield* ClinicRepoMemory).state),
    chart: yield* TxRef.get((yield* ChartRepoMemory).state),
    schedule: yield* TxRef.get((yield* ScheduleRepoMemory).state),
    appointments: yield* TxRef.get((yield* AppointmentRepoMemory).state)
  }
})
type Snapshot = Effect.Success<typeof snapshot>

/** Which store each step writes to. */
const STORES_OF: Record<Step, ReadonlyArray<keyof Snapshot>> = {
  patient: ["patients"],
  chart: ["chart"],
  outbox: ["outbox"],
  audit: ["audit"],
  appointment: ["appointments"],
  session: ["sessions"],
  clinic: ["clinics"],
  schedule: ["schedule"],
  link: ["passcodes", "outbox", "audit"]
}

const appointment = (id: string, startOffsetHours: number) =>
  new Appointment({
    id: AppointmentId.make(id),
    clinicId: Testing.clinicId,
    patientId: PatientId.make("patient-ada"),
    providerId,
    typeId: AppointmentTypeId.make("type-1"),
    mode: "in-person",
    start: DateTime.add(T0, { hours: startOffsetHours }),
    end: DateTime.add(T0, { hours: startOffsetHours, minutes: 30 }),
    status: "booked",
    createdAt: T0,
    updatedAt: T0
  })

/** Runs one write step; `i` keeps every record's id distinct. */
const write = (step: Step, i: number) =>
  Effect.gen(function* () {
    const patient = Testing.makePatient()
    switch (step) {
      case "patient":
        return yield* (yield* PatientRepo).save(
          Testing.makePatient({
            id: PatientId.make(`patient-${i}`),
            healthCard: new HealthCardIdentifier({
              idType: "ON-HCN",
              number: `55500${String(i).padStart(5, "0")}`
            })
          })
        )
      case "chart":
        return yield* (yield* ChartRepo).file(
          new ChartEntry({
            id: ChartEntryId.make(`entry-${i}`),
            clinicId: patient.clinicId,
            patientId: patient.id,
            kind: "demographics-change",
            source: new Actor({ kind: "patient", id: patient.id }),
            origin: `patient:${patient.id}`,
            content: { step: i },
            filedAt: T0
          })
        )
      case "outbox":
        return yield* Effect.asVoid(
          (yield* Notifications).queue({
            patient,
            template: "appointment-booked",
            payload: new NotificationPayload({ startsAt: T0, path: `/appointments/${i}` }),
            key: `appointment:${i}:booked`
          })
        )
      case "audit":
        return yield* Effect.asVoid(
          (yield* AuditLog).append(
            new AuditEntry({
              id: AuditEventId.make(`audit-${i}`),
              clinicId: patient.clinicId,
              actor: new Actor({ kind: "system" }),
              action: "chart.read",
              patientId: patient.id,
              resource: `chart-entry:${i}`,
              outcome: "success",
              at: T0
            })
          )
        )
      case "appointment":
        // Each its own hour, clear of the seeded appointment at T0.
        return yield* Effect.orDie((yield* AppointmentRepo).save(appointment(`appointment-${i}`, 1 + i)))
      case "session":
        return yield* (yield* SessionStore).create(
          new Session({
            id: SessionId.make(`session-${i}`),
            clinicId: patient.clinicId,
            patientId: patient.id,
            tokenHash: TokenHash.make(`hash-${i}`),
            origin: "login",
            stayLoggedIn: false,
            createdAt: T0,
            lastSeenAt: T0,
            expiresAt: DateTime.add(T0, { hours: 12 }),
            revokedAt: null
          })
        )
      case "clinic":
        return yield* (yield* ClinicRepo).save(
          Testing.makeClinic({ id: ClinicId.make(`clinic-${i}`), slug: `clinic-${i}` })
        )
      case "schedule":
        return yield* (yield* ScheduleRepo).saveProvider(
          new Provider({
            id: ProviderId.make(`provider-x${i}`),
            clinicId: patient.clinicId,
            name: `Dr. ${i}`,
            weeklyHours: []
          })
        )
      case "link":
        return yield* Effect.asVoid(
          Effect.orDie(
            (yield* Authentication).issueLink(
              patient,
              "quick-link",
              new ResourceRef({ kind: "message", id: `message-${i}` })
            )
          )
        )
    }
  })

/** The failure at the end of the body. */
const fail = (failure: Failure, i: number): Effect.Effect<never, Boom | SlotTaken, AppointmentRepo> => {
  switch (failure) {
    case "typed":
      return Effect.fail(new Boom({ step: i }))
    case "slot-taken":
      // The seeded appointment holds T0: the repository itself refuses, mid-unit.
      return Effect.gen(function* () {
        yield* (yield* AppointmentRepo).save(appointment(`appointment-clash-${i}`, 0))
        return yield* Effect.die(new Error("the clash was not refused"))
      })
    case "defect":
      return Effect.die(new Error(`store fault at step ${i}`))
    case "interrupt":
      return Effect.interrupt
  }
}

/** A domain with something in every store, so that "unchanged" is not "still empty". */
const seeded = Effect.gen(function* () {
  const patient = yield* seedPatient()
  yield* loginAs(patient)
  yield* (yield* ClinicRepo).save(Testing.makeClinic())
  yield* (yield* AppointmentRepo).save(appointment("appointment-seed", 0))
  yield* (yield* ScheduleRepo).saveProvider(
    new Provider({ id: providerId, clinicId: patient.clinicId, name: "Dr. Seed", weeklyHours: [] })
  )
  yield* write("chart", 0)
  yield* write("link", 0)
  return patient
})

const STORES: ReadonlyArray<keyof Snapshot> = [
  "patients",
  "passcodes",
  "sessions",
  "audit",
  "outbox",
  "clinics",
  "chart",
  "schedule",
  "appointments"
]

describe("UnitOfWork: all or nothing (property 10)", () => {
  it.effect.prop(
    "a body that fails at any step, in any way, leaves every store as it was (no partial write, no outbox record)",
    {
      steps: Schema.Array(Step).check(Schema.isBetweenLength(1, 9)),
      failAt: between(0, 9),
      failure: Failure
    },
    ({ steps, failAt, failure }) =>
      Effect.gen(function* () {
        const uow = yield* UnitOfWork
        yield* seeded
        const before = yield* snapshot
        const cut = Math.min(failAt, steps.length)
        const exit = yield* Effect.exit(
          uow.transaction(
            Effect.gen(function* () {
              for (let i = 0; i < cut; i++) yield* write(steps[i] as Step, i + 1)
              return yield* fail(failure, cut)
            })
          )
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          const cause = exit.cause
          if (failure === "typed") assert.deepStrictEqual(Cause.squash(cause), new Boom({ step: cut }))
          if (failure === "slot-taken")
            assert.strictEqual((Cause.squash(cause) as { _tag: string })._tag, "SlotTaken")
          if (failure === "defect") assert.isTrue(Cause.hasDies(cause))
          if (failure === "interrupt") assert.isTrue(Cause.hasInterrupts(cause))
        }
        // Let anything the unit might have forked run before looking.
        for (let i = 0; i < 10; i++) yield* Effect.yieldNow
        const after = yield* snapshot
        for (const store of STORES) {
          // The very same state value: nothing was written, not even an equal copy.
          assert.strictEqual(after[store], before[store], `${store} changed after a failed unit`)
        }
      }).pipe(Effect.provide(Testing.layerAuthenticationMemory())),
    { timeout: 60_000, arbitrary: { runs: 120 } }
  )

  it.effect.prop(
    "a body that succeeds commits every write it made, and touches no other store",
    { steps: Schema.Array(Step).check(Schema.isBetweenLength(1, 9)) },
    ({ steps }) =>
      Effect.gen(function* () {
        const uow = yield* UnitOfWork
        yield* seeded
        const before = yield* snapshot
        yield* uow.transaction(
          Effect.gen(function* () {
            for (let i = 0; i < steps.length; i++) yield* write(steps[i] as Step, i + 1)
          })
        )
        const after = yield* snapshot
        const touched = new Set(steps.flatMap((s) => STORES_OF[s]))
        for (const store of STORES) {
          if (touched.has(store))
            assert.notStrictEqual(after[store], before[store], `${store} was not written`)
          else assert.strictEqual(after[store], before[store], `${store} changed though no step wrote to it`)
        }
        const count = (step: Step) => steps.filter((s) => s === step).length
        assert.strictEqual(after.patients.size - before.patients.size, count("patient"))
        assert.strictEqual(after.chart.length - before.chart.length, count("chart"))
        // Preference `both`: two notifications per queued one; a link queues on both channels too.
        assert.strictEqual(after.outbox.length - before.outbox.length, 2 * (count("outbox") + count("link")))
        assert.strictEqual(
          after.passcodes.passcodes.length - before.passcodes.passcodes.length,
          count("link")
        )
        assert.strictEqual(after.audit.length - before.audit.length, count("audit") + count("link"))
        assert.strictEqual(after.appointments.size - before.appointments.size, count("appointment"))
        assert.strictEqual(after.sessions.size - before.sessions.size, count("session"))
        assert.strictEqual(after.clinics.size - before.clinics.size, count("clinic"))
        assert.strictEqual(after.schedule.providers.size - before.schedule.providers.size, count("schedule"))
      }).pipe(Effect.provide(Testing.layerAuthenticationMemory())),
    { timeout: 60_000, arbitrary: { runs: 60 } }
  )

  it.effect.prop(
    "concurrent read-modify-write units on the same data serialise: N increments give exactly 1..N, failed ones none",
    { units: between(2, 30), failEvery: between(0, 4) },
    ({ units, failEvery }) =>
      Effect.gen(function* () {
        const uow = yield* UnitOfWork
        const chart = yield* ChartRepo
        const notifications = yield* Notifications
        const patient = yield* seedPatient()
        const fails = (i: number) => failEvery > 0 && i % failEvery === 0
        const outboxBefore = (yield* snapshot).outbox.length
        const results = yield* Effect.all(
          Array.from({ length: units }, (_, i) =>
            Effect.exit(
              uow.transaction(
                Effect.gen(function* () {
                  // Read the counter, let every other unit run, then write counter + 1 and its notification.
                  const current = (yield* chart.listByPatient(patient.id)).length
                  yield* Effect.yieldNow
                  yield* Effect.yieldNow
                  yield* chart.file(
                    new ChartEntry({
                      id: ChartEntryId.make(`entry-${i}`),
                      clinicId: patient.clinicId,
                      patientId: patient.id,
                      kind: "demographics-change",
                      source: new Actor({ kind: "system" }),
                      origin: `unit:${i}`,
                      content: { n: current + 1 },
                      filedAt: T0
                    })
                  )
                  yield* notifications.queue({
                    patient,
                    template: "appointment-reminder",
                    payload: new NotificationPayload({ startsAt: T0 }),
                    key: `unit:${i}`,
                    channel: "email"
                  })
                  yield* Effect.yieldNow
                  if (fails(i)) return yield* new Boom({ step: i })
                })
              )
            )
          ),
          { concurrency: "unbounded" }
        )
        const committed = results.filter(Exit.isSuccess).length
        assert.strictEqual(
          committed,
          Array.from({ length: units }, (_, i) => i).filter((i) => !fails(i)).length
        )
        const after = yield* snapshot
        const ns = after.chart.map((e) => (e.content as { n: number }).n).sort((a, b) => a - b)
        assert.deepStrictEqual(
          ns,
          Array.from({ length: committed }, (_, i) => i + 1)
        )
        assert.strictEqual(after.outbox.length - outboxBefore, committed)
      }).pipe(Effect.provide(Testing.layerAuthenticationMemory())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect("20 concurrent increments through a unit each give exactly 20", () =>
    Effect.gen(function* () {
      const uow = yield* UnitOfWork
      const patients = yield* PatientRepo
      const patient = yield* seedPatient()
      const address = (line2: string) =>
        new Address({
          line1: "1 King St W",
          line2,
          city: "Toronto",
          region: "ON",
          postalCode: "M5H 1A1",
          country: "CA"
        })
      // The counter is the patient record itself: line2 of the address holds the count.
      yield* Effect.all(
        Array.from({ length: 20 }, () =>
          uow.transaction(
            Effect.gen(function* () {
              const found = yield* patients.findById(patient.id)
              const current = found._tag === "Some" ? Number(found.value.address?.line2 ?? "0") : Number.NaN
              yield* Effect.yieldNow
              yield* patients.save(Testing.makePatient({ address: address(String(current + 1)) }))
            })
          )
        ),
        { concurrency: "unbounded" }
      )
      const found = yield* patients.findById(patient.id)
      assert.strictEqual(found._tag === "Some" ? found.value.address?.line2 : undefined, "20")
    }).pipe(Effect.provide(Testing.layerAuthenticationMemory()))
  )
})
