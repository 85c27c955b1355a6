/**
 * The contract of `PatientRepo`: a patient is kept as saved (a save replaces by id, every
 * optional detail kept or dropped as given) and found by id, or by the normalised health
 * card within their clinic only; the card's version code takes no part in the match. A
 * creation refuses a card the clinic has, also under concurrency; the clinic's listing is in
 * `compareSortKeys` order, pages by position and searches names and card numbers.
 */
import { Effect, Option, Result } from "effect"
import { ClinicId, PatientId } from "../../Ids.ts"
import { Address, E164, EmailAddress, HealthCardIdentifier, Patient } from "../../Patient.ts"
import { compareSortKeys, PatientRepo, type PatientSearch, sortKeyOf } from "../../PatientRepo.ts"
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
  ),
  contractCase(
    "create inserts a new patient, and refuses a card the clinic already has (whatever its version code) without writing",
    Effect.gen(function* () {
      const repo = yield* PatientRepo
      const w = yield* world
      const first = yield* makePatient(w, "8234567890")
      yield* repo.create(first)
      yield* expectEqual(yield* repo.findById(first.id), Option.some(first), "created")
      const again = yield* makePatient(w, "8234567890", {
        healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "8234567890", versionCode: "ZZ" }),
        legalName: { given: "Someone", family: "Else" }
      })
      const refused = yield* Effect.result(repo.create(again))
      yield* expect(
        Result.isFailure(refused) && refused.failure.patientId === first.id,
        "refused, naming the patient who has the card"
      )
      yield* expectEqual(yield* repo.findById(again.id), Option.none(), "nothing written")
      yield* expectEqual(yield* repo.findById(first.id), Option.some(first), "the first one unchanged")
      const elsewhere = yield* makePatient(w, "8234567890", { clinicId: w.otherClinic })
      yield* repo.create(elsewhere)
      yield* expectEqual(
        yield* repo.findById(elsewhere.id),
        Option.some(elsewhere),
        "the card in another clinic"
      )
      const otherCard = yield* makePatient(w, "8234567891")
      yield* repo.create(otherCard)
      yield* expectEqual(yield* repo.findById(otherCard.id), Option.some(otherCard), "another card")
    })
  ),
  contractCase(
    "of concurrent creations of one card, exactly one succeeds and every other names it",
    Effect.gen(function* () {
      const repo = yield* PatientRepo
      const w = yield* world
      const candidates = yield* Effect.all(Array.from({ length: 8 }, () => makePatient(w, "9234567890")))
      const outcomes = yield* Effect.all(
        candidates.map((p) => Effect.result(repo.create(p))),
        { concurrency: "unbounded" }
      )
      const won = candidates.filter((_, i) => Result.isSuccess(outcomes[i] as Result.Result<void, unknown>))
      yield* expectEqual(won.length, 1, "creations that succeeded")
      const winner = won[0] as Patient
      for (const outcome of outcomes) {
        if (Result.isFailure(outcome))
          yield* expectEqual(outcome.failure.patientId, winner.id, "the refusal names the winner")
      }
      yield* expectEqual(
        yield* repo.findByHealthCard(w.clinicId, { idType: "ON-HCN", number: "9234567890" }),
        Option.some(winner),
        "one patient has the card"
      )
    })
  ),
  contractCase(
    "listByClinic: the clinic's patients by folded family name, given name, id (by code point); pages start strictly after their key",
    Effect.gen(function* () {
      const repo = yield* PatientRepo
      const w = yield* world
      const names: ReadonlyArray<readonly [string, string]> = [
        ["Ada", "Lovelace"],
        ["ada", "lovelace"],
        ["Émile", "Zola"],
        ["Zoë", "Ørsted"],
        ["Amélie", "O'Connor-Tremblay"],
        ["Bob", "o connor"],
        ["Li", "李"],
        ["Ärzte", "de Souza"],
        ["Carl", "DeSouza"],
        ["  ", "Zz Top"],
        ["Ada", "Lovelace"]
      ]
      const all: Array<Patient> = []
      let n = 0
      for (const [given, family] of names) {
        all.push(yield* saved(w, String(3_000_000_000 + n++), { legalName: { given, family } }))
      }
      yield* saved(w, "3999999999", { clinicId: w.otherClinic, legalName: { given: "Ada", family: "Aaron" } })
      const ordered = [...all].sort((a, b) => compareSortKeys(sortKeyOf(a), sortKeyOf(b)))
      const ids = (ps: ReadonlyArray<Patient>) => ps.map((p) => p.id)
      yield* expectEqual(
        ids(yield* repo.listByClinic(w.clinicId, { limit: 100 })),
        ids(ordered),
        "everyone of the clinic, in order"
      )
      const visited: Array<Patient> = []
      let after: ReturnType<typeof sortKeyOf> | undefined
      for (let page = 0; page < 20; page++) {
        const found = yield* repo.listByClinic(w.clinicId, {
          limit: 3,
          ...(after === undefined ? {} : { after })
        })
        if (found.length === 0) break
        yield* expect(found.length <= 3, "a page holds at most the limit")
        visited.push(...found)
        after = sortKeyOf(found[found.length - 1] as Patient)
      }
      yield* expectEqual(ids(visited), ids(ordered), "pages of three visit everyone once, in order")
      yield* expectEqual(yield* repo.listByClinic(w.clinicId, { limit: 0 }), [], "a limit of zero")
    })
  ),
  contractCase(
    "listByClinic searches: a folded prefix of the family name, the given name or both joined; digits beginning the card number",
    Effect.gen(function* () {
      const repo = yield* PatientRepo
      const w = yield* world
      const amelie = yield* saved(w, "4100000001", {
        legalName: { given: "Amélie", family: "O'Connor-Tremblay" }
      })
      const ada = yield* saved(w, "4100000002", { legalName: { given: "Ada", family: "Lovelace" } })
      const conan = yield* saved(w, "4200000003", { legalName: { given: "Conan", family: "Doyle" } })
      yield* saved(w, "4100000004", {
        clinicId: w.otherClinic,
        legalName: { given: "Ada", family: "Lovelace" }
      })
      const search = (s: PatientSearch) =>
        Effect.map(repo.listByClinic(w.clinicId, { search: s, limit: 100 }), (ps) => ps.map((p) => p.id))
      const cases: ReadonlyArray<readonly [PatientSearch, ReadonlyArray<Patient>, string]> = [
        [{ _tag: "name", prefix: "oconnor" }, [amelie], "family name, punctuation folded"],
        [{ _tag: "name", prefix: "ame" }, [amelie], "given name, accents folded"],
        [{ _tag: "name", prefix: "adalove" }, [ada], "given then family"],
        [{ _tag: "name", prefix: "co" }, [conan], "a given name, not the middle of a family name"],
        [{ _tag: "name", prefix: "tremblay" }, [], "not a later part of a family name"],
        [{ _tag: "name", prefix: "x" }, [], "no one"],
        [{ _tag: "card", digits: "41" }, [ada, amelie], "card prefix (listing order)"],
        [{ _tag: "card", digits: "4200000003" }, [conan], "the whole card number"],
        [{ _tag: "card", digits: "00000003" }, [], "not the middle of a card number"]
      ]
      for (const [s, expected, what] of cases) {
        const want = [...expected]
          .sort((a, b) => compareSortKeys(sortKeyOf(a), sortKeyOf(b)))
          .map((p) => p.id)
        yield* expectEqual(yield* search(s), want, what)
      }
    })
  )
]
