/**
 * `PatientRepo` on PostgreSQL. The card is stored normalised (type upper-cased, number digits
 * only), so the login lookup is one indexed equality, and the unique index on it
 * (`patients_card`) is what makes a creation refuse a card the clinic has, however many
 * processes register at once. The folded names the listing sorts and searches by are computed
 * here with the domain's `foldName` and kept in `family_key`/`given_key` (`COLLATE "C"`).
 */
import { Ids, Patient, PatientErrors, PatientRepo } from "@careportal/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const Row = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  card_id_type: Schema.String,
  card_number: Schema.String,
  card_version_code: Schema.NullOr(Schema.String),
  given_name: Schema.String,
  family_name: Schema.String,
  date_of_birth: Schema.String,
  email: Schema.NullOr(Schema.String),
  mobile: Schema.NullOr(Schema.String),
  notification_preference: Schema.String,
  address: Schema.NullOr(Schema.Unknown),
  language: Schema.String
})

const toPatient = (row: typeof Row.Type): Patient.Patient =>
  Schema.decodeUnknownSync(Patient.Patient)({
    id: row.id,
    clinicId: row.clinic_id,
    healthCard: {
      idType: row.card_id_type,
      number: row.card_number,
      ...(row.card_version_code === null ? {} : { versionCode: row.card_version_code })
    },
    legalName: { given: row.given_name, family: row.family_name },
    dateOfBirth: row.date_of_birth,
    ...(row.email === null ? {} : { email: row.email }),
    ...(row.mobile === null ? {} : { mobile: row.mobile }),
    notificationPreference: row.notification_preference,
    ...(row.address === null ? {} : { address: row.address }),
    language: row.language
  })

const encodeAddress = Schema.encodeSync(Patient.Address)

/** Patients in the `patients` table. */
export const layer: Layer.Layer<PatientRepo.PatientRepo, never, SqlClient.SqlClient> = Layer.effect(
  PatientRepo.PatientRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const one = (rows: ReadonlyArray<unknown>) =>
      Option.map(Option.fromUndefinedOr(decodeRows(Row)(rows)[0]), toPatient)
    const many = (rows: ReadonlyArray<unknown>) => decodeRows(Row)(rows).map(toPatient)
    /** A patient's row, in the order of `COLUMNS`. */
    const values = (patient: Patient.Patient) => {
      const card = Patient.normalizeHealthCard(patient.healthCard)
      const address = patient.address === undefined ? null : JSON.stringify(encodeAddress(patient.address))
      const key = PatientRepo.sortKeyOf(patient)
      return sql`(${patient.clinicId}, ${patient.id}, ${card.idType}, ${card.number}, ${patient.healthCard.versionCode ?? null},
        ${patient.legalName.given}, ${patient.legalName.family}, ${patient.dateOfBirth}, ${patient.email ?? null},
        ${patient.mobile ?? null}, ${patient.notificationPreference}, ${address}::jsonb, ${patient.language},
        ${key.family}, ${key.given})`
    }
    const COLUMNS =
      sql.literal(`(clinic_id, id, card_id_type, card_number, card_version_code, given_name, family_name,
      date_of_birth, email, mobile, notification_preference, address, language, family_key, given_key)`)
    const search = (s: PatientRepo.PatientSearch | undefined) =>
      s === undefined
        ? sql``
        : s._tag === "card"
          ? sql`AND starts_with(card_number, ${s.digits})`
          : sql`AND (starts_with(family_key, ${s.prefix}) OR starts_with(given_key, ${s.prefix})
              OR starts_with(given_key || family_key, ${s.prefix}))`
    return PatientRepo.PatientRepo.of({
      findById: (id: Ids.PatientId) =>
        orDie(
          sql`SELECT *, date_of_birth::text AS date_of_birth FROM patients WHERE id = ${id}`.pipe(
            Effect.map(one)
          )
        ),
      findByHealthCard: (clinicId, card) =>
        orDie(
          sql`
            SELECT *, date_of_birth::text AS date_of_birth FROM patients
            WHERE clinic_id = ${clinicId} AND card_id_type = ${card.idType} AND card_number = ${card.number}
          `.pipe(Effect.map(one))
        ),
      save: (patient) =>
        orDie(
          sql`
            INSERT INTO patients ${COLUMNS} VALUES ${values(patient)}
            ON CONFLICT (clinic_id, id) DO UPDATE SET card_id_type = EXCLUDED.card_id_type, card_number = EXCLUDED.card_number,
              card_version_code = EXCLUDED.card_version_code, given_name = EXCLUDED.given_name,
              family_name = EXCLUDED.family_name, date_of_birth = EXCLUDED.date_of_birth, email = EXCLUDED.email,
              mobile = EXCLUDED.mobile, notification_preference = EXCLUDED.notification_preference,
              address = EXCLUDED.address, language = EXCLUDED.language, family_key = EXCLUDED.family_key,
              given_key = EXCLUDED.given_key
          `.pipe(Effect.asVoid)
        ),
      // A concurrent insert of the same card makes this one wait for it: when it commits, this
      // one does nothing, and the next statement (a new snapshot) sees who has the card.
      create: Effect.fn("PatientRepo.create")(function* (patient: Patient.Patient) {
        const inserted = yield* orDie(sql`
          INSERT INTO patients ${COLUMNS} VALUES ${values(patient)}
          ON CONFLICT (clinic_id, card_id_type, card_number) DO NOTHING
          RETURNING id
        `)
        if (inserted.length > 0) return
        const card = Patient.normalizeHealthCard(patient.healthCard)
        const holder = yield* orDie(sql<{ readonly id: string }>`
          SELECT id FROM patients
          WHERE clinic_id = ${patient.clinicId} AND card_id_type = ${card.idType} AND card_number = ${card.number}
        `)
        const id = holder[0]?.id
        if (id === undefined)
          return yield* Effect.die(new Error("a patient's card conflicted, but no patient has it"))
        return yield* new PatientErrors.PatientAlreadyRegistered({ patientId: Ids.PatientId.make(id) })
      }),
      listByClinic: (clinicId, { search: s, after, limit }) =>
        orDie(
          sql`
            SELECT *, date_of_birth::text AS date_of_birth FROM patients
            WHERE clinic_id = ${clinicId} ${search(s)}
              ${
                after === undefined
                  ? sql``
                  : sql`AND (family_key, given_key, id COLLATE "C") > (${after.family}, ${after.given}, ${after.id})`
              }
            ORDER BY family_key, given_key, id COLLATE "C"
            LIMIT ${Math.max(0, Math.floor(limit))}
          `.pipe(Effect.map(many))
        )
    })
  })
)
