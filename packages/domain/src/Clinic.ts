/**
 * Clinics: one deployment serves many, each with its own portal, time zone and languages.
 */
import { Context, DateTime, Effect, Layer, Option, Schema, TxRef } from "effect"
import { ClinicId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** An IANA time zone name that this runtime knows, e.g. `America/Toronto`. */
export const TimeZoneName = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (name: string) =>
        Option.isSome(DateTime.zoneMakeNamed(name)) || `an IANA time zone such as America/Toronto`
    )
  )
)

/** A clinic and how its portal presents itself. */
export class Clinic extends Schema.Class<Clinic>("Clinic")({
  id: ClinicId,
  /** The short name in the portal's address, e.g. `toronto-west`. */
  slug: Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z0-9][a-z0-9-]{1,62}$/))),
  /** The display name: the one clinic detail a notification may carry. */
  name: Schema.String,
  timeZone: TimeZoneName,
  languages: Schema.Array(Schema.Literals(["en", "fr"])),
  /** The portal's public base URL; notification links are built on it. */
  portalUrl: Schema.String.pipe(Schema.check(Schema.isPattern(/^https?:\/\/[^\s]+[^/]$/)))
}) {}

/** Clinics, by id and by slug. */
export class ClinicRepo extends Context.Service<
  ClinicRepo,
  {
    readonly findById: (id: ClinicId) => Effect.Effect<Option.Option<Clinic>>
    readonly findBySlug: (slug: string) => Effect.Effect<Option.Option<Clinic>>
    readonly save: (clinic: Clinic) => Effect.Effect<void>
  }
>()("@careportal/domain/ClinicRepo") {
  /** In memory; also provides `ClinicRepoMemory`. */
  static readonly layerMemory: Layer.Layer<ClinicRepo | ClinicRepoMemory> = Layer.suspend(() =>
    memoryLayer(
      ClinicRepo,
      ClinicRepoMemory,
      () => new Map(),
      (state) =>
        ClinicRepo.of({
          findById: (id) => Effect.map(TxRef.get(state), (m) => Option.fromUndefinedOr(m.get(id))),
          findBySlug: (slug) =>
            Effect.map(TxRef.get(state), (m) =>
              Option.fromUndefinedOr([...m.values()].find((c) => c.slug === slug))
            ),
          save: (clinic) => TxRef.update(state, (m) => new Map(m).set(clinic.id, clinic))
        })
    )
  )
}

/** The in-memory clinic repository's state. */
export class ClinicRepoMemory extends Context.Service<
  ClinicRepoMemory,
  MemoryHandle<ReadonlyMap<ClinicId, Clinic>>
>()("@careportal/domain/ClinicRepoMemory") {}
