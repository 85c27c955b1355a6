/**
 * The contract of `PatientRepo`: a patient is kept as saved (a save replaces by id, every
 * optional detail kept or dropped as given) and found by id, or by the normalised health
 * card within their clinic only; the card's version code takes no part in the match.
 */
import { Effect, Option } from "effect"
import { ClinicId, PatientId } from "../../Ids.ts"
import { Address, E164, EmailAddress, HealthCardIdentifier, Patient } from "../../Patient.ts"
import { PatientRepo } from "../../PatientRepo.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

/** A clinic of its own and another one, so that a case sees only its own patients. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return { clinicId: ClinicId.make(`clinic-${id}`), otherClinic: ClinicId.make(`clinic-other-${id}`) }
})

type World = Effect.Success<typeof world>

const makePatient = (
  w: World,
  number: string,
  overrides: Partial<ConstructorParameters<typeof Patient>[0]> = {}
) =>
  Effect.map(
    uuid,
    (id) =>
      new Patient({
        id: PatientId.make(`patient-${id}`),
        clinicId: w.clinicId,
        healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number, versionCode: "AB" }),
        legalName: { given: "Amélie", family: "O'Connor-Tremblay" },
        dateOfBirth: "1984-02-29",
        email: EmailAddress.make("amelie@example.org"),
        mobile: E164.make("+14165550100"),
        notificationPreference: "both",
        address: new Address({
          line1: "12 Rue Principale",
          line2: "App. 3",
          city: "Ottawa",
          region: "ON",
          postalCode: "K1A 0B1",
          country: "CA"
        }),
        language: "fr",
        ...overrides
      })
  )

const saved = (w: World, number: string, overrides: Partial<ConstructorParameters<typeof Patient>[0]> = {}) =>
  Effect.gen(function* () {
    const patient = yield* makePatient(w, number, overrides)
    yield* (yield* PatientRepo).save(patient)
    return patient
  })

/** The behaviours of every `PatientRepo`. */
export const PatientRepoContract: Contract<PatientRepo> = [
  contractCase(
    "a patient is found by id as saved, with every detail or with none of the optional ones; unknown ones are not found",
    Effect.gen(function* () {
      const repo = yield* PatientRepo
      const w = yield* world
      const full = yield* saved(w, "1234567890")
      yield* expectEqual(yield* repo.findById(full.id), Option.some(full), "every detail")
      const {
        email: _e,
        mobile: _m,
        address: _a,
        ...rest
      } = yield* makePatient(w, "2234567890", {
        notificationPreference: "sms",
        language: "en",
        healthCard: new HealthCardIdentifier({ idType: "QC-RAMQ", number: "000123" }),
        address: new Address({
          line1: "1 Main St",
          city: "Toronto",
          region: "ON",
          postalCode: "M5V",
          country: "CA"
        })
      })
      const bare = new Patient(rest)
      yield* repo.save(bare)
      yield* expectEqual(
        yield* repo.findById(bare.id),
        Option.some(bare),
        "no contacts, address or version code"
      )
      const withAddress = yield* saved(w, "3234567890", {
        address: new Address({
          line1: "1 Main St",
          city: "Toronto",
          region: "ON",
          postalCode: "M5V",
          country: "CA"
        })
      })
      yield* expectEqual(
        yield* repo.findById(withAddress.id),
        Option.some(withAddress),
        "an address without line 2"
      )
      yield* expect(Option.isNone(yield* repo.findById(PatientId.make(`patient-${yield* uuid}`))), "unknown")
    })
  ),
  contractCase(
    "a re-save replaces the patient: details dropped are gone, and the new card finds them, the old one not",
    Effect.gen(function* () {
      const repo = yield* PatientRepo
      const w = yield* world
      const patient = yield* saved(w, "4234567890")
      const { email: _e, address: _a, ...rest } = patient
      const changed = new Patient({
        ...rest,
        healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "5234567890" }),
        legalName: { given: "Amélie", family: "Tremblay" },
        dateOfBirth: "1984-03-01",
        mobile: E164.make("+33612345678"),
        notificationPreference: "sms",
        language: "en"
      })
      yield* repo.save(changed)
      yield* expectEqual(yield* repo.findById(patient.id), Option.some(changed), "replaced")
      yield* expectEqual(
        yield* repo.findByHealthCard(w.clinicId, { idType: "ON-HCN", number: "5234567890" }),
        Option.some(changed),
        "by the new card"
      )
      yield* expectEqual(
        yield* repo.findByHealthCard(w.clinicId, { idType: "ON-HCN", number: "4234567890" }),
        Option.none(),
        "not by the old card"
      )
    })
  ),
  contractCase(
    "findByHealthCard matches the normalised card in the patient's clinic only, whatever its version code",
    Effect.gen(function* () {
      const repo = yield* PatientRepo
      const w = yield* world
      const patient = yield* saved(w, "6234567890")
      const neighbour = yield* saved(w, "7234567890", {
        healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "7234567890" })
      })
      const elsewhere = yield* saved(w, "6234567890", { clinicId: w.otherClinic })
      yield* expectEqual(
        yield* repo.findByHealthCard(w.clinicId, { idType: "ON-HCN", number: "6234567890" }),
        Option.some(patient),
        "the card"
      )
      yield* expectEqual(
        yield* repo.findByHealthCard(w.clinicId, { idType: "ON-HCN", number: "7234567890" }),
        Option.some(neighbour),
        "a card without a version code"
      )
      yield* expectEqual(
        yield* repo.findByHealthCard(w.otherClinic, { idType: "ON-HCN", number: "6234567890" }),
        Option.some(elsewhere),
        "the same card in another clinic is another patient"
      )
      for (const [key, what] of [
        [{ idType: "QC-RAMQ", number: "6234567890" }, "another card type"],
        [{ idType: "ON-HCN", number: "623456789" }, "a prefix of the number"],
        [{ idType: "ON-HCN", number: "62345678900" }, "a longer number"]
      ] as const) {
        yield* expectEqual(yield* repo.findByHealthCard(w.clinicId, key), Option.none(), what)
      }
      yield* expectEqual(
        yield* repo.findByHealthCard(ClinicId.make(`clinic-${yield* uuid}`), {
          idType: "ON-HCN",
          number: "6234567890"
        }),
        Option.none(),
        "a clinic without patients"
      )
    })
  )
]
