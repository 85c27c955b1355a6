/**
 * Where patients are kept, and the order and search by which staff list a clinic's patients.
 */
import { Context, Effect, Layer, Option, TxRef } from "effect"
import type { ClinicId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import { type HealthCardKey, normalizeHealthCard, type Patient } from "./Patient.ts"
import { PatientAlreadyRegistered } from "./PatientErrors.ts"

/**
 * A name as listing sorts and searches it: accents and other marks removed, lower-cased, only
 * letters and digits kept (`O'Connor-Tremblay` → `oconnortremblay`, `de Souza` → `desouza`,
 * `Amélie` → `amelie`), so that a search need not guess the spelling's punctuation or
 * spacing. Computed here, never by a database, so every adapter agrees.
 */
export const foldName = (name: string): string =>
  name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "")

/**
 * A patient's place in the clinic's listing: by folded family name, then folded given name,
 * then id, each compared by Unicode code point (in a database: `COLLATE "C"` on UTF-8).
 */
export interface PatientSortKey {
  readonly family: string
  readonly given: string
  readonly id: PatientId
}

/** Where a patient stands in the listing. */
export const sortKeyOf = (patient: Patient): PatientSortKey => ({
  family: foldName(patient.legalName.family),
  given: foldName(patient.legalName.given),
  id: patient.id
})

/** Orders strings by code point, as PostgreSQL's `"C"` collation orders their UTF-8 bytes. */
export const compareCodePoints = (a: string, b: string): number => {
  if (a === b) return 0
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) ?? 0
    const y = b.codePointAt(j) ?? 0
    if (x !== y) return x < y ? -1 : 1
    i += x > 0xffff ? 2 : 1
    j += y > 0xffff ? 2 : 1
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0
}

/** Negative when `a` comes before `b` in the listing. */
export const compareSortKeys = (a: PatientSortKey, b: PatientSortKey): number =>
  compareCodePoints(a.family, b.family) ||
  compareCodePoints(a.given, b.given) ||
  compareCodePoints(a.id, b.id)

/**
 * Which patients a listing keeps. `name`: the folded `prefix` (non-empty, see `foldName`)
 * begins the folded family name, the folded given name, or the two joined (given first).
 * `card`: `digits` (non-empty, digits only) begin the normalised card number.
 */
export type PatientSearch =
  | { readonly _tag: "name"; readonly prefix: string }
  | { readonly _tag: "card"; readonly digits: string }

/** Whether a patient is kept by a search. */
export const matchesSearch = (patient: Patient, search: PatientSearch): boolean => {
  if (search._tag === "card") return normalizeHealthCard(patient.healthCard).number.startsWith(search.digits)
  const { family, given } = sortKeyOf(patient)
  return (
    family.startsWith(search.prefix) ||
    given.startsWith(search.prefix) ||
    `${given}${family}`.startsWith(search.prefix)
  )
}

/** Which page of a clinic's patients to list. */
export interface PatientListing {
  readonly search?: PatientSearch | undefined
  /** Start strictly after this place; from the first patient when absent. */
  readonly after?: PatientSortKey | undefined
  readonly limit: number
}

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
    /**
     * Inserts a new patient unless their clinic already has one with the same normalised
     * health card; then nothing is written and it fails naming that patient. Atomic: of
     * concurrent creations with one card, exactly one succeeds.
     */
    readonly create: (patient: Patient) => Effect.Effect<void, PatientAlreadyRegistered>
    /**
     * Up to `limit` of a clinic's patients kept by `search`, in listing order
     * (`compareSortKeys`), starting strictly after `after`.
     */
    readonly listByClinic: (
      clinicId: ClinicId,
      listing: PatientListing
    ) => Effect.Effect<ReadonlyArray<Patient>>
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

const withCard = (m: ReadonlyMap<PatientId, Patient>, clinicId: ClinicId, card: HealthCardKey) => {
  for (const p of m.values()) {
    if (p.clinicId !== clinicId) continue
    const key = normalizeHealthCard(p.healthCard)
    if (key.idType === card.idType && key.number === card.number) return Option.some(p)
  }
  return Option.none<Patient>()
}

const makeMemory = (store: TxRef.TxRef<ReadonlyMap<PatientId, Patient>>) =>
  PatientRepo.of({
    findById: (id) => Effect.map(TxRef.get(store), (m) => Option.fromUndefinedOr(m.get(id))),
    findByHealthCard: (clinicId, card) => Effect.map(TxRef.get(store), (m) => withCard(m, clinicId, card)),
    save: (patient) => TxRef.update(store, (m) => new Map(m).set(patient.id, patient)),
    // One read-and-write of the store: concurrent creations cannot both see the card free.
    create: (patient) =>
      Effect.flatten(
        TxRef.modify(
          store,
          (m): [Effect.Effect<void, PatientAlreadyRegistered>, ReadonlyMap<PatientId, Patient>] => {
            const existing = withCard(m, patient.clinicId, normalizeHealthCard(patient.healthCard))
            if (Option.isSome(existing))
              return [Effect.fail(new PatientAlreadyRegistered({ patientId: existing.value.id })), m]
            return [Effect.void, new Map(m).set(patient.id, patient)]
          }
        )
      ),
    listByClinic: (clinicId, { search, after, limit }) =>
      Effect.map(TxRef.get(store), (m) =>
        [...m.values()]
          .filter((p) => p.clinicId === clinicId && (search === undefined || matchesSearch(p, search)))
          .map((p) => ({ p, key: sortKeyOf(p) }))
          .filter(({ key }) => after === undefined || compareSortKeys(key, after) > 0)
          .sort((a, b) => compareSortKeys(a.key, b.key))
          .slice(0, Math.max(0, Math.floor(limit)))
          .map(({ p }) => p)
      )
  })
