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

/** A base URL for `PortalAddress.layerPublicUrl`: absolute http(s), no query or fragment. */
const BASE_URL = /^https?:\/\/[^\s/?#]+[^\s?#]*$/

/**
 * Where a clinic's portal lives: every notification link (an email's text, its html and its
 * calendar entry, an SMS) is built on the address this gives, `${address}${path}`. A reference
 * whose default is the clinic's stored `portalUrl`, so nothing needs to provide it; a
 * deployment that serves every clinic's portal on one origin provides `layerPublicUrl`. The
 * dispatcher reads it once, when it is built.
 */
export class PortalAddress extends Context.Reference<(clinic: Clinic) => string>(
  "@careportal/domain/PortalAddress",
  { defaultValue: () => (clinic) => clinic.portalUrl }
) {
  /** Provides another address: an absolute http(s) URL without a trailing slash, for each clinic. */
  static readonly layer = (address: (clinic: Clinic) => string): Layer.Layer<never> =>
    Layer.succeed(PortalAddress, address)

  /**
   * Every clinic's portal at `${baseUrl}/${clinic.slug}` (a trailing slash on `baseUrl` is
   * dropped). Throws a `RangeError` for a base that is not an absolute http(s) URL, so a
   * misconfigured deployment stops at start-up rather than mailing broken links.
   */
  static readonly layerPublicUrl = (baseUrl: string): Layer.Layer<never> => {
    const base = baseUrl.trim().replace(/\/+$/, "")
    if (!BASE_URL.test(base)) {
      throw new RangeError(
        `PortalAddress.layerPublicUrl needs an absolute http(s) URL such as https://portal.example.org, got ${JSON.stringify(baseUrl)}`
      )
    }
    return PortalAddress.layer((clinic) => `${base}/${clinic.slug}`)
  }
}

/**
 * The clinic with its `portalUrl` replaced by the one `address` gives: what the pure renderers
 * (`Notifications.render`, `Dispatcher.emailOf`, …) build links on. Throws when the address is
 * not one a clinic may have.
 */
export const atPortalAddress = (clinic: Clinic, address: (clinic: Clinic) => string): Clinic => {
  const portalUrl = address(clinic)
  return portalUrl === clinic.portalUrl ? clinic : new Clinic({ ...clinic, portalUrl })
}

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
