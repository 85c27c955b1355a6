/**
 * Where upload requests are kept.
 */
import { Context, DateTime, Effect, Layer, Option, TxRef } from "effect"
import type { ClinicId, PatientId, UploadRequestId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import type { UploadRequest } from "./Upload.ts"

/** Upload requests. */
export class UploadRepo extends Context.Service<
  UploadRepo,
  {
    /** Inserts or replaces a request (using or cancelling it replaces it). */
    readonly save: (request: UploadRequest) => Effect.Effect<void>
    readonly findById: (id: UploadRequestId) => Effect.Effect<Option.Option<UploadRequest>>
    /** A patient's requests in that clinic, newest first. */
    readonly listByPatient: (
      clinicId: ClinicId,
      patientId: PatientId
    ) => Effect.Effect<ReadonlyArray<UploadRequest>>
  }
>()("@careportal/domain/UploadRepo") {
  /** In memory; also provides `UploadRepoMemory`. */
  static readonly layerMemory: Layer.Layer<UploadRepo | UploadRepoMemory> = Layer.suspend(() =>
    memoryLayer(UploadRepo, UploadRepoMemory, () => new Map(), makeMemory)
  )
}

/** The in-memory upload request repository's state. */
export class UploadRepoMemory extends Context.Service<
  UploadRepoMemory,
  MemoryHandle<ReadonlyMap<UploadRequestId, UploadRequest>>
>()("@careportal/domain/UploadRepoMemory") {}

const newestFirst = (a: UploadRequest, b: UploadRequest) =>
  DateTime.toEpochMillis(b.createdAt) - DateTime.toEpochMillis(a.createdAt) ||
  (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

const makeMemory = (state: TxRef.TxRef<ReadonlyMap<UploadRequestId, UploadRequest>>) =>
  UploadRepo.of({
    save: (request) => TxRef.update(state, (m) => new Map(m).set(request.id, request)),
    findById: (id) => Effect.map(TxRef.get(state), (m) => Option.fromUndefinedOr(m.get(id))),
    listByPatient: (clinicId, patientId) =>
      Effect.map(TxRef.get(state), (m) =>
        [...m.values()].filter((r) => r.clinicId === clinicId && r.patientId === patientId).sort(newestFirst)
      )
  })
