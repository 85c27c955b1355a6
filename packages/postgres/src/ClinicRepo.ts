/**
 * `ClinicRepo` on PostgreSQL.
 */
import { Clinic, type Ids } from "@careportal/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  id: Schema.String,
  slug: Schema.String,
  name: Schema.String,
  time_zone: Schema.String,
  languages: Schema.Array(Schema.String),
  portal_url: Schema.String
})

const toClinic = (row: typeof Row.Type) =>
  Schema.decodeUnknownSync(Clinic.Clinic)({
    id: row.id,
    slug: row.slug,
    name: row.name,
    timeZone: row.time_zone,
    languages: row.languages,
    portalUrl: row.portal_url
  })

/** Clinics in the `clinics` table. */
export const layer: Layer.Layer<Clinic.ClinicRepo, never, SqlClient.SqlClient> = Layer.effect(
  Clinic.ClinicRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const one = (rows: ReadonlyArray<unknown>) =>
      Option.map(Option.fromUndefinedOr(decodeRows(Row)(rows)[0]), toClinic)
    return Clinic.ClinicRepo.of({
      findById: (id: Ids.ClinicId) =>
        orDie(sql`SELECT * FROM clinics WHERE id = ${id}`.pipe(Effect.map(one))),
      findBySlug: (slug) => orDie(sql`SELECT * FROM clinics WHERE slug = ${slug}`.pipe(Effect.map(one))),
      save: (clinic) =>
        orDie(
          sql`
            INSERT INTO clinics (id, slug, name, time_zone, languages, portal_url)
            VALUES (${clinic.id}, ${clinic.slug}, ${clinic.name}, ${clinic.timeZone}, ${JSON.stringify(clinic.languages)}::jsonb, ${clinic.portalUrl})
            ON CONFLICT (id) DO UPDATE SET slug = EXCLUDED.slug, name = EXCLUDED.name, time_zone = EXCLUDED.time_zone,
              languages = EXCLUDED.languages, portal_url = EXCLUDED.portal_url
          `.pipe(Effect.asVoid)
        )
    })
  })
)
