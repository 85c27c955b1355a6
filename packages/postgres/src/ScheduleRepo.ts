/**
 * `ScheduleRepo` on PostgreSQL: providers (weekly hours as jsonb), appointment types
 * (questionnaire ids as jsonb) and blocked periods. Lists follow insertion order, as the
 * in-memory repository's maps do: a re-save keeps its place, a removed period loses it.
 */
import { Appointment, type Ids, ScheduleRepo } from "@careportal/domain"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { decodeRows, orDie } from "./internal.ts"

const ProviderRow = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  name: Schema.String,
  weekly_hours: Schema.Unknown,
  meeting_url: Schema.NullOr(Schema.String)
})

const TypeRow = Schema.Struct({
  clinic_id: Schema.String,
  id: Schema.String,
  name: Schema.String,
  mode: Schema.String,
  duration_minutes: Schema.Int,
  patient_booking: Schema.String,
  questionnaire_ids: Schema.Unknown
})

const BlockedRow = Schema.Struct({
  id: Schema.String,
  provider_id: Schema.String,
  start_at: Schema.DateTimeUtcFromDate,
  end_at: Schema.DateTimeUtcFromDate
})

const providers = (rows: ReadonlyArray<unknown>) =>
  decodeRows(ProviderRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Appointment.Provider)({
      id: row.id,
      clinicId: row.clinic_id,
      name: row.name,
      weeklyHours: row.weekly_hours,
      ...(row.meeting_url === null ? {} : { meetingUrl: row.meeting_url })
    })
  )

const types = (rows: ReadonlyArray<unknown>) =>
  decodeRows(TypeRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Appointment.AppointmentType)({
      id: row.id,
      clinicId: row.clinic_id,
      name: row.name,
      mode: row.mode,
      durationMinutes: row.duration_minutes,
      patientBooking: row.patient_booking,
      questionnaireIds: row.questionnaire_ids
    })
  )

const periods = (rows: ReadonlyArray<unknown>) =>
  decodeRows(BlockedRow)(rows).map((row) =>
    Schema.decodeUnknownSync(Appointment.BlockedPeriod)({
      id: row.id,
      providerId: row.provider_id,
      start: row.start_at,
      end: row.end_at
    })
  )

const encodeHours = Schema.encodeSync(Schema.Array(Appointment.WeeklyHours))
const date = DateTime.toDateUtc

/** Providers, appointment types and blocked periods in their tables. */
export const layer: Layer.Layer<ScheduleRepo.ScheduleRepo, never, SqlClient.SqlClient> = Layer.effect(
  ScheduleRepo.ScheduleRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return ScheduleRepo.ScheduleRepo.of({
      saveProvider: (p) =>
        orDie(
          sql`
            INSERT INTO providers (clinic_id, id, name, weekly_hours, meeting_url)
            VALUES (${p.clinicId}, ${p.id}, ${p.name}, ${JSON.stringify(encodeHours(p.weeklyHours))}::jsonb,
              ${p.meetingUrl ?? null})
            ON CONFLICT (clinic_id, id) DO UPDATE SET name = EXCLUDED.name, weekly_hours = EXCLUDED.weekly_hours,
              meeting_url = EXCLUDED.meeting_url
          `.pipe(Effect.asVoid)
        ),
      findProvider: (id: Ids.ProviderId) =>
        orDie(
          sql`SELECT * FROM providers WHERE id = ${id}`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(providers(rows)[0]))
          )
        ),
      listProviders: (clinicId) =>
        orDie(
          sql`SELECT * FROM providers WHERE clinic_id = ${clinicId} ORDER BY position`.pipe(
            Effect.map(providers)
          )
        ),
      saveType: (t) =>
        orDie(
          sql`
            INSERT INTO appointment_types (clinic_id, id, name, mode, duration_minutes, patient_booking, questionnaire_ids)
            VALUES (${t.clinicId}, ${t.id}, ${t.name}, ${t.mode}, ${t.durationMinutes}, ${t.patientBooking},
              ${JSON.stringify(t.questionnaireIds)}::jsonb)
            ON CONFLICT (clinic_id, id) DO UPDATE SET name = EXCLUDED.name, mode = EXCLUDED.mode,
              duration_minutes = EXCLUDED.duration_minutes, patient_booking = EXCLUDED.patient_booking,
              questionnaire_ids = EXCLUDED.questionnaire_ids
          `.pipe(Effect.asVoid)
        ),
      findType: (id: Ids.AppointmentTypeId) =>
        orDie(
          sql`SELECT * FROM appointment_types WHERE id = ${id}`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(types(rows)[0]))
          )
        ),
      listTypes: (clinicId) =>
        orDie(
          sql`SELECT * FROM appointment_types WHERE clinic_id = ${clinicId} ORDER BY position`.pipe(
            Effect.map(types)
          )
        ),
      // The period takes its provider's clinic: the port names none, and the provider is
      // checked to exist before a period is blocked (a period of no known provider is a defect).
      saveBlocked: (b) =>
        orDie(
          sql`
            INSERT INTO blocked_periods (clinic_id, id, provider_id, start_at, end_at)
            VALUES ((SELECT clinic_id FROM providers WHERE id = ${b.providerId} LIMIT 1), ${b.id}, ${b.providerId},
              ${date(b.start)}, ${date(b.end)})
            ON CONFLICT (clinic_id, id) DO UPDATE SET provider_id = EXCLUDED.provider_id,
              start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at
          `.pipe(Effect.asVoid)
        ),
      removeBlocked: (id) => orDie(sql`DELETE FROM blocked_periods WHERE id = ${id}`.pipe(Effect.asVoid)),
      findBlocked: (id: Ids.BlockedPeriodId) =>
        orDie(
          sql`SELECT * FROM blocked_periods WHERE id = ${id}`.pipe(
            Effect.map((rows) => Option.fromUndefinedOr(periods(rows)[0]))
          )
        ),
      listBlocked: (providerId, from, to) =>
        orDie(
          sql`
            SELECT * FROM blocked_periods
            WHERE provider_id = ${providerId} AND start_at < ${date(to)} AND end_at > ${date(from)}
            ORDER BY position
          `.pipe(Effect.map(periods))
        )
    })
  })
)
