/**
 * Where patients are kept.
 */
import { Context, Effect, Layer, Option, TxRef } from "effect"
import type { ClinicId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { type HealthCardKey, normalizeHealthCard, type Patient } from "./Patient.ts"

/** Patients, by id and by health card. */
export class PatientRepo extends Context.Service<
  PatientRepo,
  {
    readonly findById: (id: PatientId) => Effect.Effect<Option.Option<Patient>>
    /** The clinic's patient with this normalised health card, if any. */
    readonly findByHealthCard: (
      clinicId: ClinicId,
      card: HealthCardKey
    ) => Effect.Effect<Option.Option<Patient>>
    /** Inserts or replaces a patient. */
    readonly save: (patient: Patient) => Effect.Effect<void>
  }
>()("@careportal/domain/PatientRepo") {
  /** In memory; also provides `PatientRepoMemory` for inspection. */
  static readonly layerMemory: Layer.Layer<PatientRepo | PatientRepoMemory> = Layer.suspend(() =>
    memoryLayer(PatientRepo, PatientRepoMemory, () => new Map(), makeMemory)
  )
}

/** The in-memory patient repository's state, by patient id. */
export class PatientRepoMemory extends Context.Service<
  PatientRepoMemory,
  MemoryHandle<ReadonlyMap<PatientId, Patient>>
>()("@careportal/domain/PatientRepoMemory") {}

const makeMemory = (store: TxRef.TxRef<ReadonlyMap<PatientId, Patient>>) =>
  PatientRepo.of({
    findById: (id) => Effect.map(TxRef.get(store), (m) => Option.fromUndefinedOr(m.get(id))),
    findByHealthCard: (clinicId, card) =>
      Effect.map(TxRef.get(store), (m) => {
        for (const p of m.values()) {
          if (p.clinicId !== clinicId) continue
          const key = normalizeHealthCard(p.healthCard)
          if (key.idType === card.idType && key.number === card.number) return Option.some(p)
        }
        return Option.none()
      }),
    save: (patient) => TxRef.update(store, (m) => new Map(m).set(patient.id, patient))
  })
