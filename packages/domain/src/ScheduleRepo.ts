/**
 * Where providers, their blocked periods and the clinic's appointment types are kept.
 */
import { Context, DateTime, Effect, Layer, Option, TxRef } from "effect"
import type { AppointmentType, BlockedPeriod, Provider } from "./Appointment.ts"
import type { AppointmentTypeId, BlockedPeriodId, ClinicId, ProviderId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"

/** The state of the in-memory schedule repository. */
export interface ScheduleState {
  readonly providers: ReadonlyMap<ProviderId, Provider>
  readonly types: ReadonlyMap<AppointmentTypeId, AppointmentType>
  readonly blocked: ReadonlyMap<BlockedPeriodId, BlockedPeriod>
}

/** Providers, blocked periods and appointment types. */
export class ScheduleRepo extends Context.Service<
  ScheduleRepo,
  {
    readonly saveProvider: (provider: Provider) => Effect.Effect<void>
    readonly findProvider: (id: ProviderId) => Effect.Effect<Option.Option<Provider>>
    readonly listProviders: (clinicId: ClinicId) => Effect.Effect<ReadonlyArray<Provider>>
    readonly saveType: (type: AppointmentType) => Effect.Effect<void>
    readonly findType: (id: AppointmentTypeId) => Effect.Effect<Option.Option<AppointmentType>>
    readonly listTypes: (clinicId: ClinicId) => Effect.Effect<ReadonlyArray<AppointmentType>>
    readonly saveBlocked: (period: BlockedPeriod) => Effect.Effect<void>
    readonly removeBlocked: (id: BlockedPeriodId) => Effect.Effect<void>
    readonly findBlocked: (id: BlockedPeriodId) => Effect.Effect<Option.Option<BlockedPeriod>>
    /** A provider's blocked periods that overlap `[from, to)`. */
    readonly listBlocked: (
      providerId: ProviderId,
      from: DateTime.Utc,
      to: DateTime.Utc
    ) => Effect.Effect<ReadonlyArray<BlockedPeriod>>
  }
>()("@careportal/domain/ScheduleRepo") {
  /** In memory; also provides `ScheduleRepoMemory`. */
  static readonly layerMemory: Layer.Layer<ScheduleRepo | ScheduleRepoMemory> = Layer.suspend(() =>
    memoryLayer(
      ScheduleRepo,
      ScheduleRepoMemory,
      (): ScheduleState => ({ providers: new Map(), types: new Map(), blocked: new Map() }),
      (state) =>
        ScheduleRepo.of({
          saveProvider: (p) =>
            TxRef.update(state, (s) => ({ ...s, providers: new Map(s.providers).set(p.id, p) })),
          findProvider: (id) =>
            Effect.map(TxRef.get(state), (s) => Option.fromUndefinedOr(s.providers.get(id))),
          listProviders: (clinicId) =>
            Effect.map(TxRef.get(state), (s) =>
              [...s.providers.values()].filter((p) => p.clinicId === clinicId)
            ),
          saveType: (t) => TxRef.update(state, (s) => ({ ...s, types: new Map(s.types).set(t.id, t) })),
          findType: (id) => Effect.map(TxRef.get(state), (s) => Option.fromUndefinedOr(s.types.get(id))),
          listTypes: (clinicId) =>
            Effect.map(TxRef.get(state), (s) => [...s.types.values()].filter((t) => t.clinicId === clinicId)),
          saveBlocked: (b) =>
            TxRef.update(state, (s) => ({ ...s, blocked: new Map(s.blocked).set(b.id, b) })),
          removeBlocked: (id) =>
            TxRef.update(state, (s) => {
              const blocked = new Map(s.blocked)
              blocked.delete(id)
              return { ...s, blocked }
            }),
          findBlocked: (id) => Effect.map(TxRef.get(state), (s) => Option.fromUndefinedOr(s.blocked.get(id))),
          listBlocked: (providerId, from, to) =>
            Effect.map(TxRef.get(state), (s) =>
              [...s.blocked.values()].filter(
                (b) =>
                  b.providerId === providerId &&
                  DateTime.isLessThan(b.start, to) &&
                  DateTime.isGreaterThan(b.end, from)
              )
            )
        })
    )
  )
}

/** The in-memory schedule repository's state. */
export class ScheduleRepoMemory extends Context.Service<ScheduleRepoMemory, MemoryHandle<ScheduleState>>()(
  "@careportal/domain/ScheduleRepoMemory"
) {}
