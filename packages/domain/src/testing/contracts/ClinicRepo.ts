/**
 * The contract of `ClinicRepo`: a clinic is kept as saved (a save replaces by id) and found
 * by id or by its slug; a changed slug no longer finds it.
 */
import { Effect, Option } from "effect"
import { Clinic, ClinicRepo } from "../../Clinic.ts"
import { ClinicId } from "../../Ids.ts"
import { type Contract, contractCase, expectEqual, uniqueId as uuid } from "../Contract.ts"

const makeClinic = (overrides: Partial<ConstructorParameters<typeof Clinic>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new Clinic({
        id: ClinicId.make(`clinic-${id}`),
        slug: `c-${id}`,
        name: "Clinique Saint-Laurent",
        timeZone: "America/Toronto",
        languages: ["fr", "en"],
        portalUrl: `https://portal.example.org/c-${id}`,
        ...overrides
      })
  )

/** The behaviours of every `ClinicRepo`. */
export const ClinicRepoContract: Contract<ClinicRepo> = [
  contractCase(
    "a clinic is found by id and by slug as saved; unknown ones are not found",
    Effect.gen(function* () {
      const repo = yield* ClinicRepo
      const clinic = yield* makeClinic()
      const other = yield* makeClinic({
        timeZone: "America/Vancouver",
        languages: ["en"],
        name: "West End Clinic"
      })
      const none = yield* makeClinic({ languages: [] })
      for (const c of [clinic, other, none]) yield* repo.save(c)
      yield* expectEqual(yield* repo.findById(clinic.id), Option.some(clinic), "by id (languages in order)")
      yield* expectEqual(yield* repo.findBySlug(clinic.slug), Option.some(clinic), "by slug")
      yield* expectEqual(yield* repo.findBySlug(other.slug), Option.some(other), "another clinic by slug")
      yield* expectEqual(yield* repo.findById(none.id), Option.some(none), "no languages")
      const unknown = yield* uuid
      yield* expectEqual(
        yield* repo.findById(ClinicId.make(`clinic-${unknown}`)),
        Option.none(),
        "unknown id"
      )
      yield* expectEqual(yield* repo.findBySlug(`c-${unknown}`), Option.none(), "unknown slug")
    })
  ),
  contractCase(
    "a re-save replaces the clinic: its new slug finds it, the old one not",
    Effect.gen(function* () {
      const repo = yield* ClinicRepo
      const clinic = yield* makeClinic()
      yield* repo.save(clinic)
      const renamed = new Clinic({
        ...clinic,
        slug: `${clinic.slug}-west`,
        name: "Clinique Saint-Laurent Ouest",
        timeZone: "America/Montreal",
        languages: ["en", "fr"],
        portalUrl: `${clinic.portalUrl}-west`
      })
      yield* repo.save(renamed)
      yield* expectEqual(yield* repo.findById(clinic.id), Option.some(renamed), "replaced")
      yield* expectEqual(yield* repo.findBySlug(renamed.slug), Option.some(renamed), "by the new slug")
      yield* expectEqual(yield* repo.findBySlug(clinic.slug), Option.none(), "not by the old slug")
    })
  )
]
