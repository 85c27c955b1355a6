/**
 * The chart: what lands in the patient's record from the portal — questionnaire responses,
 * uploaded photos, demographic changes — with its source and time.
 */
import { Context, Effect, Layer, Option, Schema, TxRef } from "effect"
import { Actor } from "./AuditEvent.ts"
import { ChartEntryId, ClinicId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** What kind of entry. */
export const ChartEntryKind = Schema.Literals(["questionnaire-response", "photo", "demographics-change"])
export type ChartEntryKind = typeof ChartEntryKind.Type

/** One entry of a patient's chart. `content` is the entry's own JSON (answers, file reference, changes). */
export class ChartEntry extends Schema.Class<ChartEntry>("ChartEntry")({
  id: ChartEntryId,
  clinicId: ClinicId,
  patientId: PatientId,
  kind: ChartEntryKind,
  /** Who filed it. */
  source: Actor,
  /** What it came from, as `kind:id` (`task:…`, `upload-request:…`, `patient:…`). */
  origin: Schema.String,
  content: Schema.Json,
  filedAt: Schema.DateTimeUtc
}) {}

/** Patients' charts. */
export class ChartRepo extends Context.Service<
  ChartRepo,
  {
    readonly file: (entry: ChartEntry) => Effect.Effect<void>
    readonly findById: (id: ChartEntryId) => Effect.Effect<Option.Option<ChartEntry>>
    /** A patient's entries, newest first. */
    readonly listByPatient: (patientId: PatientId) => Effect.Effect<ReadonlyArray<ChartEntry>>
  }
>()("@careportal/domain/ChartRepo") {
  /** In memory; also provides `ChartRepoMemory`. */
  static readonly layerMemory: Layer.Layer<ChartRepo | ChartRepoMemory> = Layer.suspend(() =>
    memoryLayer(
      ChartRepo,
      ChartRepoMemory,
      () => [],
      (state) =>
        ChartRepo.of({
          file: (entry) => TxRef.update(state, (all) => [...all, entry]),
          findById: (id) =>
            Effect.map(TxRef.get(state), (all) => Option.fromUndefinedOr(all.find((e) => e.id === id))),
          listByPatient: (patientId) =>
            Effect.map(TxRef.get(state), (all) => all.filter((e) => e.patientId === patientId).reverse())
        })
    )
  )
}

/** The in-memory chart's entries, in filing order. */
export class ChartRepoMemory extends Context.Service<
  ChartRepoMemory,
  MemoryHandle<ReadonlyArray<ChartEntry>>
>()("@careportal/domain/ChartRepoMemory") {}
