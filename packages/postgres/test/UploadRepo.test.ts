/**
 * `UploadRepo` on PostgreSQL: the same contract cases as the in-memory repository, across a
 * pool of connections, and concurrent uploads through one upload request as `Uploads` runs
 * them (read the request, store the photo, file it, use the request up, in one unit of work).
 */
import { Chart, CodeGenerator, FileStore, Ids, UnitOfWork, Upload, UploadRepo } from "@careportal/domain"
import { UploadRepoContract } from "@careportal/domain/testing"
import { assert, layer } from "@effect/vitest"
import { Data, DateTime, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as PgChartRepo from "../src/ChartRepo.ts"
import * as PgFileStore from "../src/FileStore.ts"
import * as PgUnitOfWork from "../src/UnitOfWork.ts"
import * as PgUploadRepo from "../src/UploadRepo.ts"
import { testDatabase } from "./harness.ts"

const repos = Layer.mergeAll(
  PgUploadRepo.layer,
  PgFileStore.layer,
  PgChartRepo.layer,
  PgUnitOfWork.layer
).pipe(Layer.provide(CodeGenerator.CodeGenerator.layer))

const T0 = DateTime.makeUnsafe("2030-08-01T09:00:00.000Z")

class RequestClosed extends Data.TaggedError("RequestClosed")<{ readonly state: string }> {}

const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13)

/** What `Uploads.upload` does in its unit, minus the audit. */
const upload = (requestId: Ids.UploadRequestId, i: number) =>
  Effect.gen(function* () {
    const requests = yield* UploadRepo.UploadRepo
    const files = yield* FileStore.FileStore
    const chart = yield* Chart.ChartRepo
    const uow = yield* UnitOfWork.UnitOfWork
    const chartEntryId = Ids.ChartEntryId.make(`chart-entry-${i}-${requestId}`)
    return yield* uow.transaction(
      Effect.gen(function* () {
        const request = Option.getOrThrow(yield* requests.findById(requestId))
        const now = DateTime.addDuration(T0, `${i + 1} seconds`)
        const state = Upload.stateOfRequest(request, now)
        if (state !== "open") return yield* new RequestClosed({ state })
        const fileId = yield* files.put(PNG, "image/png")
        yield* chart.file(
          new Chart.ChartEntry({
            id: chartEntryId,
            clinicId: request.clinicId,
            patientId: request.patientId,
            kind: "photo",
            source: { kind: "patient", id: request.patientId },
            origin: `upload-request:${request.id}`,
            content: { fileId, contentType: "image/png", size: PNG.length },
            filedAt: now
          })
        )
        yield* requests.save(new Upload.UploadRequest({ ...request, usedAt: now, chartEntryId }))
        return { chartEntryId, fileId }
      })
    )
  })

layer(repos.pipe(Layer.provideMerge(testDatabase({ maxConnections: 8 }))), { timeout: 60_000 })(
  "UploadRepo (Postgres)",
  (it) => {
    for (const c of UploadRepoContract) it.effect(c.name, () => c.run)

    it.effect("of 40 concurrent uploads through one request exactly one stores, files and uses it", () =>
      Effect.gen(function* () {
        const requests = yield* UploadRepo.UploadRepo
        const chart = yield* Chart.ChartRepo
        const sql = yield* SqlClient.SqlClient
        const id = crypto.randomUUID()
        const request = new Upload.UploadRequest({
          id: Ids.UploadRequestId.make(`upload-request-${id}`),
          clinicId: Ids.ClinicId.make(`clinic-${id}`),
          patientId: Ids.PatientId.make(`patient-${id}`),
          requestedBy: Ids.StaffId.make("staff-nurse"),
          note: null,
          createdAt: T0,
          expiresAt: DateTime.addDuration(T0, "3 days"),
          usedAt: null,
          chartEntryId: null,
          cancelledAt: null
        })
        yield* requests.save(request)
        const outcomes = yield* Effect.forEach(
          Array.from({ length: 40 }, (_, i) => i),
          (i) => Effect.result(upload(request.id, i)),
          { concurrency: "unbounded" }
        )
        const winners = outcomes.flatMap((o) => (o._tag === "Success" ? [o.success] : []))
        const losers = outcomes.flatMap((o) => (o._tag === "Failure" ? [o.failure.state] : []))
        assert.strictEqual(winners.length, 1)
        assert.deepStrictEqual(
          losers,
          Array.from({ length: 39 }, () => "used")
        )
        const winner = winners[0] as { chartEntryId: Ids.ChartEntryId; fileId: Ids.FileId }
        const used = Option.getOrThrow(yield* requests.findById(request.id))
        assert.strictEqual(used.chartEntryId, winner.chartEntryId)
        assert.deepStrictEqual(
          (yield* chart.listByPatient(request.patientId)).map((e) => e.id),
          [winner.chartEntryId]
        )
        const stored = yield* sql<{ readonly n: number }>`
          SELECT count(*)::int AS n FROM files WHERE id IN (
            SELECT content->>'fileId' FROM chart_entries WHERE patient_id = ${request.patientId}
          )
        `
        assert.strictEqual(stored[0]?.n, 1)
      })
    )
  }
)
