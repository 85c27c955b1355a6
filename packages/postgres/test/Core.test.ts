import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Clinic, Ids, Patient, PatientRepo, UnitOfWork } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as PgClinicRepo from "../src/ClinicRepo.ts"
import * as Database from "../src/Database.ts"
import * as PgPatientRepo from "../src/PatientRepo.ts"
import * as PgUnitOfWork from "../src/UnitOfWork.ts"
import { freshEmbedded, testDatabase } from "./harness.ts"

const repos = Layer.mergeAll(PgClinicRepo.layer, PgPatientRepo.layer, PgUnitOfWork.layer)

layer(repos.pipe(Layer.provideMerge(testDatabase())), { timeout: 60_000 })("core tables", (it) => {
  it.effect("a patient round-trips, and is found by the normalised card", () =>
    Effect.gen(function* () {
      const repo = yield* PatientRepo.PatientRepo
      const patient = Testing.makePatient()
      yield* repo.save(patient)
      const found = yield* repo.findById(patient.id)
      assert.isTrue(Option.isSome(found))
      assert.deepStrictEqual(Option.getOrThrow(found), patient)
      const byCard = yield* repo.findByHealthCard(patient.clinicId, {
        idType: "ON-HCN",
        number: "1234567890"
      })
      assert.strictEqual(Option.getOrThrow(byCard).id, patient.id)
    })
  )

  it.effect("a clinic round-trips", () =>
    Effect.gen(function* () {
      const repo = yield* Clinic.ClinicRepo
      const clinic = Testing.makeClinic()
      yield* repo.save(clinic)
      assert.deepStrictEqual(Option.getOrThrow(yield* repo.findBySlug(clinic.slug)), clinic)
    })
  )

  it.effect("a failure inside a unit of work writes nothing", () =>
    Effect.gen(function* () {
      const uow = yield* UnitOfWork.UnitOfWork
      const repo = yield* PatientRepo.PatientRepo
      const patient = Testing.makePatient({
        id: Ids.PatientId.make("patient-rolled-back"),
        healthCard: new Patient.HealthCardIdentifier({ idType: "ON-HCN", number: "5555555555" })
      })
      const result = yield* Effect.flip(
        uow.transaction(
          Effect.gen(function* () {
            yield* repo.save(patient)
            return yield* Effect.fail("boom" as const)
          })
        )
      )
      assert.strictEqual(result, "boom")
      assert.isTrue(Option.isNone(yield* repo.findById(patient.id)))
    })
  )
})

describe("the embedded database", () => {
  it.live(
    "keeps its data across a restart on the same directory, and refuses a second process",
    () =>
      Effect.gen(function* () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "careportal-restart-"))
        const patient = Testing.makePatient()
        yield* Effect.gen(function* () {
          yield* (yield* PatientRepo.PatientRepo).save(patient)
        }).pipe(Effect.provide(PgPatientRepo.layer.pipe(Layer.provideMerge(freshEmbedded(dir)))))
        // The lock file is gone once the first run has stopped.
        assert.isFalse(fs.existsSync(path.join(dir, "careportal.lock")))
        const again = yield* Effect.gen(function* () {
          return yield* (yield* PatientRepo.PatientRepo).findById(patient.id)
        }).pipe(Effect.provide(PgPatientRepo.layer.pipe(Layer.provideMerge(freshEmbedded(dir)))))
        assert.deepStrictEqual(Option.getOrThrow(again), patient)
        // A live process holding the lock keeps others out (pid 1 is always alive).
        fs.writeFileSync(path.join(dir, "careportal.lock"), "1")
        const refused = yield* Effect.exit(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            yield* sql`SELECT 1`
          }).pipe(Effect.provide(Database.layerEmbedded({ dataDir: dir })))
        )
        assert.isTrue(refused._tag === "Failure")
        fs.rmSync(dir, { recursive: true, force: true })
      }),
    60_000
  )
})
