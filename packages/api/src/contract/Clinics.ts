/**
 * A clinic's public face: what its portal shows before anyone logs in (the name on the login
 * page, the time zone times are shown in, the languages it offers). Public by nature, so it
 * takes no credential; the clinic's id and its portal URL stay out of it.
 */

import { Clinic } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { docs, NotFound } from "./Common.ts"

/** A clinic as its portal presents it to anyone: the slug, display name, IANA time zone and languages. */
export const ClinicProfile = Schema.Struct({
  slug: Clinic.Clinic.fields.slug,
  name: Clinic.Clinic.fields.name,
  timeZone: Clinic.Clinic.fields.timeZone,
  languages: Clinic.Clinic.fields.languages
}).annotate({ identifier: "ClinicProfile" })

/** The clinics' public faces, by slug. */
export class ClinicsGroup extends HttpApiGroup.make("clinics")
  .add(
    HttpApiEndpoint.get("read", "/v1/clinics/:slug", {
      // The slug rule of `Clinic`: anything else is refused as bad input before any lookup.
      params: { slug: Clinic.Clinic.fields.slug },
      success: ClinicProfile,
      error: NotFound
    }).annotateMerge(
      docs(
        "Read a clinic's public face by its slug",
        "Answers `{ slug, name, timeZone, languages }`: the display name for the login page, the " +
          "IANA time zone the portal shows times in (e.g. `America/Toronto`) and the languages it " +
          "offers (`en`, `fr`). The slug is the short name in the portal's address " +
          "(`/{slug}/...`) and in `POST /v1/auth/login`'s `clinic`.",
        'An unknown slug answers 404 `NotFound` with `kind: "clinic"`. Text that is not a slug ' +
          "(2 to 63 lower-case letters, digits or hyphens, not starting with a hyphen) answers 400 " +
          "naming `slug`."
      )
    )
  )
  .annotate(
    OpenApi.Description,
    "The clinic a portal belongs to, as anyone may see it: the portal reads it before a session, " +
      "so it takes no credential."
  ) {}
