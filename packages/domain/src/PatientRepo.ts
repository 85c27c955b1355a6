/**
 * Where patients are kept.
 */
import { Context, Effect, Layer, Option, Ref } from "effect"
import type { ClinicId, PatientId } from "./Ids.ts"
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
  /** In memory, for tests and the SDK's examples. */
  static readonly layerMemory: Layer.Layer<PatientRepo> = Layer.effect(
    PatientRepo,
    Effect.gen(function* () {
      const store = yield* Ref.make(new Map<PatientId, Patient>())
      return PatientRepo.of({
        findById: (id) => Effect.map(Ref.get(store), (m) => Option.fromUndefinedOr(m.get(id))),
        findByHealthCard: (clinicId, card) =>
          Effect.map(Ref.get(store), (m) => {
            for (const p of m.values()) {
              if (p.clinicId !== clinicId) continue
              const key = normalizeHealthCard(p.healthCard)
              if (key.idType === card.idType && key.number === card.number) return Option.some(p)
            }
            return Option.none()
          }),
        save: (patient) => Ref.update(store, (m) => new Map(m).set(patient.id, patient))
      })
    })
  )
}
