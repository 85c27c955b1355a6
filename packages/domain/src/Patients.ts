/**
 * Patients as the clinic's staff manage them: register a patient (once per health card), find
 * them in the clinic's list, open their record, their chart and what the portal sent them.
 * Staff reach only their own clinic's patients; every read and write is audited.
 */
import { Context, DateTime, Effect, Layer, Option, Result, Schema } from "effect"
import { AuditLog } from "./AuditLog.ts"
import { NotFound } from "./CareErrors.ts"
import { type ChartEntry, ChartRepo } from "./Chart.ts"
import { ClinicRepo } from "./Clinic.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import { type AddressInput, validateAddress } from "./Demographics.ts"
import type { AddressProblem } from "./DemographicsErrors.ts"
import { NotificationId, PatientId } from "./Ids.ts"
import { patientOfClinic as staffPatient } from "./internal/access.ts"
import { makeAuditor, makeRefusals } from "./internal/audit.ts"
import { InstantAndId, taggedCursor } from "./internal/cursor.ts"
import { InvalidCursor, InvalidPageSize } from "./Message.ts"
import { type Notification, NotificationStatus, NotificationTemplate } from "./Notification.ts"
import { type NotificationKey, Outbox } from "./Outbox.ts"
import {
  type Address,
  type E164,
  EmailAddress,
  HealthCardIdentifier,
  type HealthCardInput,
  type NotificationPreference,
  normalizeEmail,
  normalizeHealthCard,
  Patient
} from "./Patient.ts"
import { FieldProblem, PatientAlreadyRegistered, PatientDetailsInvalid } from "./PatientErrors.ts"
import { foldName, PatientRepo, type PatientSearch, type PatientSortKey, sortKeyOf } from "./PatientRepo.ts"
import { handWritten, type PhoneNumberReader, PhoneNumbers } from "./PhoneNumbers.ts"
import { type StaffPrincipal, staffActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** The most patients or notifications one page may hold. */
export const MAX_PAGE_SIZE = 200

/** The page size of a listing that names none. */
export const DEFAULT_PAGE_SIZE = 50

/** The longest given or family name, in characters. */
export const MAX_NAME_LENGTH = 200

/** The longest email address (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 254

/** The earliest date of birth taken: older is a typing error, not a patient. */
export const EARLIEST_DATE_OF_BIRTH = "1900-01-01"

/** A patient as staff type them in; `register` normalises and checks every detail. */
export interface PatientRegistration {
  readonly healthCard: HealthCardInput
  readonly legalName: { readonly given: string; readonly family: string }
  /** `YYYY-MM-DD`. */
  readonly dateOfBirth: string
  /** Empty or absent: none. */
  readonly email?: string | undefined
  /** Any common form (`416 555 0100`, `+44 7400 123456`); empty or absent: none. */
  readonly mobile?: string | undefined
  /** Absent: email when there is an email address, else SMS when there is a mobile number. */
  readonly notificationPreference?: NotificationPreference | undefined
  /** Absent: `en`. */
  readonly language?: "en" | "fr" | undefined
  readonly address?: AddressInput | undefined
}

/** Which page of the clinic's patients to list. */
export interface ListPatients {
  /**
   * Keeps the patients whose family name, given name or "given family" begins with it
   * (ignoring case, accents, punctuation and spaces), or, when it is only digits (spaces and hyphens
   * allowed), whose health-card number begins with them. Blank: every patient.
   */
  readonly query?: string | undefined
  /** 1 to `MAX_PAGE_SIZE`; `DEFAULT_PAGE_SIZE` when absent. */
  readonly limit?: number | undefined
  /** The `nextCursor` of the previous page; the first page when absent. */
  readonly cursor?: string | undefined
}

/** One page of the clinic's patients by family name, given name, id; `nextCursor` is null on the last. */
export interface PatientPage {
  readonly patients: ReadonlyArray<Patient>
  readonly nextCursor: string | null
}

/**
 * A notification as the clinic sees it: to whom, on which channel, and how its delivery went.
 * Never its payload's code, link or challenge.
 */
export class NotificationView extends Schema.Class<NotificationView>("NotificationView")({
  id: NotificationId,
  patientId: PatientId,
  template: NotificationTemplate,
  channel: Schema.Literals(["email", "sms"]),
  /** The email address or E.164 number it went (or goes) to. */
  to: Schema.String,
  language: Schema.Literals(["en", "fr"]),
  status: NotificationStatus,
  /** Delivery attempts so far. */
  attempts: Schema.Int,
  /** The provider's reason for the last failure, if any. */
  lastError: Schema.NullOr(Schema.String),
  createdAt: Schema.DateTimeUtc,
  /** Not sent before this instant (reminders are queued ahead; retries back off). */
  notBefore: Schema.DateTimeUtc,
  /** When the provider accepted it. */
  sentAt: Schema.NullOr(Schema.DateTimeUtc),
  /** The appointment it is about, for appointment notices. */
  startsAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** Which page of the clinic's notifications to list. */
export interface ListClinicNotifications {
  /** Only those in this status (`dead`: the ones delivery gave up on); any status when absent. */
  readonly status?: NotificationStatus | undefined
  /** 1 to `MAX_PAGE_SIZE`; `DEFAULT_PAGE_SIZE` when absent. */
  readonly limit?: number | undefined
  /** The `nextCursor` of the previous page; the first page when absent. */
  readonly cursor?: string | undefined
}

/** One page of the clinic's notifications, newest first; `nextCursor` is null on the last. */
export interface NotificationPage {
  readonly notifications: ReadonlyArray<NotificationView>
  readonly nextCursor: string | null
}

/** A notification without anything secret in its payload. */
export const toNotificationView = (n: Notification): NotificationView =>
  new NotificationView({
    id: n.id,
    patientId: n.patientId,
    template: n.template,
    channel: n.channel,
    to: n.to,
    language: n.language,
    status: n.status,
    attempts: n.attempts,
    lastError: n.lastError ?? null,
    createdAt: n.createdAt,
    notBefore: n.notBefore,
    sentAt: n.sentAt ?? null,
    startsAt: n.payload.startsAt ?? null
  })

/** Patient management for the clinic's staff. */
export class Patients extends Context.Service<
  Patients,
  {
    /**
     * Registers a patient of the staff member's clinic. The card, email and mobile are
     * normalised; every detail at fault is listed at once (`PatientDetailsInvalid`). A card
     * the clinic already has, also one registered at the same moment by someone else, is
     * `PatientAlreadyRegistered` naming that patient: one card, one patient.
     */
    readonly register: (
      staff: StaffPrincipal,
      input: PatientRegistration
    ) => Effect.Effect<Patient, PatientAlreadyRegistered | PatientDetailsInvalid>
    /**
     * One page of the clinic's patients by family name, given name and id (ignoring case and
     * accents). The cursor is a position, so registrations while staff page never shift or
     * repeat later pages.
     */
    readonly list: (
      staff: StaffPrincipal,
      options: ListPatients
    ) => Effect.Effect<PatientPage, InvalidCursor | InvalidPageSize>
    /** A patient of the clinic; another clinic's is `NotFound`, like a missing one. */
    readonly get: (staff: StaffPrincipal, id: PatientId) => Effect.Effect<Patient, NotFound>
    /** A patient's chart, newest first. */
    readonly chart: (
      staff: StaffPrincipal,
      id: PatientId
    ) => Effect.Effect<ReadonlyArray<ChartEntry>, NotFound>
    /**
     * Up to `limit` (1 to `MAX_PAGE_SIZE`, `DEFAULT_PAGE_SIZE` when absent) of the patient's
     * notifications, newest first, without codes.
     */
    readonly notifications: (
      staff: StaffPrincipal,
      id: PatientId,
      options: { readonly limit?: number | undefined }
    ) => Effect.Effect<ReadonlyArray<NotificationView>, NotFound | InvalidPageSize>
    /**
     * One page of the clinic's notifications of every patient (in one status when asked, e.g.
     * `dead`), newest first, without codes. The cursor is a position, so notifications queued
     * while staff page never shift or repeat later pages. Each patient on the page is audited.
     */
    readonly clinicNotifications: (
      staff: StaffPrincipal,
      options: ListClinicNotifications
    ) => Effect.Effect<NotificationPage, InvalidCursor | InvalidPageSize>
  }
>()("@careportal/domain/Patients") {
  /** The service on its ports. */
  static readonly layer = Layer.effect(
    Patients,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

// ---------------------------------------------------------------------------------------------
// Checking a registration
// ---------------------------------------------------------------------------------------------

/** A registration's details, normalised and checked: a patient but for its id and clinic. */
export type CheckedRegistration = Omit<ConstructorParameters<typeof Patient>[0], "id" | "clinicId">

const ADDRESS_FIELD_NAMES: Record<AddressProblem["field"], string> = {
  line1: "the street address",
  line2: "the second address line",
  city: "the city",
  region: "the province or state",
  postalCode: "the postal code",
  country: "the country"
}

const addressMessage = (p: AddressProblem): string => {
  switch (p.problem) {
    case "empty":
      return `enter ${ADDRESS_FIELD_NAMES[p.field]}`
    case "too-long":
      return `shorten ${ADDRESS_FIELD_NAMES[p.field]} to at most ${MAX_NAME_LENGTH} characters`
    case "implausible":
      return "a postal code in the country's form, e.g. M5H 2N2 in Canada or 10001 in the US"
  }
}

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31

/** Whether `text` is a real calendar date `YYYY-MM-DD` (no 31 April, 29 February only in leap years). */
export const isCalendarDate = (text: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (m === null) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

const given = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const trimmed = value.trim()
  return trimmed.length === 0 ? undefined : trimmed
}

/**
 * Normalises and checks a registration against `today` (the clinic's local date,
 * `YYYY-MM-DD`), reading the mobile number with `phones` (the hand-written reader for +1 unless
 * given): every problem is collected, so staff fix them all in one go.
 */
export const checkRegistration = (
  input: PatientRegistration,
  today: string,
  phones: PhoneNumberReader = handWritten("1")
): Result.Result<CheckedRegistration, PatientDetailsInvalid> => {
  const problems: Array<FieldProblem> = []
  const problem = (field: string, message: string) => problems.push(new FieldProblem({ field, message }))

  // Health card: type, digits of the number, optional version code.
  const card = input.healthCard ?? { idType: "", number: "" }
  const idType = String(card.idType ?? "")
    .trim()
    .toUpperCase()
  if (!/^[A-Z0-9-]{2,16}$/.test(idType))
    problem("healthCard.idType", "a card type of 2 to 16 letters, digits or '-', e.g. ON-HCN")
  const rawNumber = String(card.number ?? "").trim()
  const { number } = normalizeHealthCard({ idType, number: rawNumber })
  if (/[^\d\s-]/.test(rawNumber))
    problem("healthCard.number", "only the card's digits (spaces and '-' allowed), e.g. 1234 567 890")
  else if (number.length < 4 || number.length > 20) problem("healthCard.number", "4 to 20 digits")
  const versionCode = given(card.versionCode)?.toUpperCase()
  if (versionCode !== undefined && !/^[A-Z]{1,4}$/.test(versionCode))
    problem("healthCard.versionCode", "1 to 4 letters, e.g. AB, or leave it out")

  // Legal name.
  const name = (field: "given" | "family") => {
    const value = String(input.legalName?.[field] ?? "").trim()
    const label = field === "given" ? "given name" : "family name"
    if (value.length === 0) problem(`legalName.${field}`, `enter the ${label}`)
    else if (Array.from(value).length > MAX_NAME_LENGTH)
      problem(`legalName.${field}`, `shorten the ${label} to at most ${MAX_NAME_LENGTH} characters`)
    else if (CONTROL.test(value))
      problem(`legalName.${field}`, `remove the control characters from the ${label}`)
    return value
  }
  const givenName = name("given")
  const familyName = name("family")

  // Date of birth: a real date, not in the future, not before EARLIEST_DATE_OF_BIRTH.
  const dateOfBirth = String(input.dateOfBirth ?? "").trim()
  if (!isCalendarDate(dateOfBirth))
    problem("dateOfBirth", "a real calendar date as YYYY-MM-DD, e.g. 1985-12-10")
  else if (dateOfBirth > today) problem("dateOfBirth", `a date of birth on or before today (${today})`)
  else if (dateOfBirth < EARLIEST_DATE_OF_BIRTH)
    problem("dateOfBirth", `a date of birth on or after ${EARLIEST_DATE_OF_BIRTH}`)

  // Contacts.
  const emailText = given(input.email)
  let email: EmailAddress | undefined
  if (emailText !== undefined) {
    const normalized = normalizeEmail(emailText)
    if (normalized.length <= MAX_EMAIL_LENGTH && Schema.is(EmailAddress)(normalized)) email = normalized
    else problem("email", "an email address such as name@example.org, or leave it out")
  }
  const mobileText = given(input.mobile)
  let mobile: E164 | undefined
  if (mobileText !== undefined) {
    const normalized = phones.normalize(mobileText)
    if (Option.isSome(normalized)) mobile = normalized.value
    else
      problem(
        "mobile",
        "a mobile number with its area code, e.g. 416 555 0100, or its country code, e.g. +44 7400 123456"
      )
  }

  // Preference: what was asked for must have its contact; by default the contacts decide.
  const asked = input.notificationPreference
  let notificationPreference: NotificationPreference =
    email !== undefined ? "email" : mobile !== undefined ? "sms" : "email"
  if (asked !== undefined) {
    if (asked !== "email" && asked !== "sms" && asked !== "both")
      problem("notificationPreference", "one of email, sms or both")
    else {
      notificationPreference = asked
      const needsEmail = asked !== "sms" && emailText === undefined
      const needsMobile = asked !== "email" && mobileText === undefined
      if (needsEmail || needsMobile)
        problem(
          "notificationPreference",
          `${asked} needs ${
            needsEmail && needsMobile
              ? "an email address and a mobile number"
              : needsEmail
                ? "an email address"
                : "a mobile number"
          }: add ${needsEmail && needsMobile ? "them" : "it"}, or choose another preference`
        )
    }
  }

  const language = input.language ?? "en"
  if (language !== "en" && language !== "fr") problem("language", "en or fr")

  let address: Address | undefined
  if (input.address !== undefined) {
    const checked = validateAddress(input.address)
    if (Result.isSuccess(checked)) address = checked.success
    else for (const p of checked.failure.problems) problem(`address.${p.field}`, addressMessage(p))
  }

  if (problems.length > 0) return Result.fail(new PatientDetailsInvalid({ fields: problems }))
  return Result.succeed({
    healthCard: new HealthCardIdentifier({
      idType,
      number,
      ...(versionCode === undefined ? {} : { versionCode })
    }),
    legalName: { given: givenName, family: familyName },
    dateOfBirth,
    ...(email === undefined ? {} : { email }),
    ...(mobile === undefined ? {} : { mobile }),
    notificationPreference,
    ...(address === undefined ? {} : { address }),
    language
  })
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

/** What a query keeps: digits only (spaces, hyphens allowed) search cards, anything else names. */
export const parseQuery = (query: string | undefined): PatientSearch | undefined => {
  const text = (query ?? "").trim()
  if (text.length === 0) return undefined
  if (/^[\d\s-]+$/.test(text)) {
    const digits = text.replace(/\D/g, "")
    if (digits.length > 0) return { _tag: "card", digits }
  }
  const prefix = foldName(text)
  return prefix.length === 0 ? undefined : { _tag: "name", prefix }
}

/** `["p1", family, given, id]`: the format of the cursors already handed out. */
const patientCursor = taggedCursor({
  tag: "p1",
  fields: Schema.Tuple([Schema.String, Schema.String, Schema.String]),
  maxLength: 2_000
})

/** An opaque cursor for the position after `key`. */
export const encodeCursor = (key: PatientSortKey): string =>
  patientCursor.encode([key.family, key.given, key.id])

/** The position a cursor stands for; `None` for anything `encodeCursor` did not produce. */
export const decodeCursor = (text: string): Option.Option<PatientSortKey> =>
  Option.flatMap(patientCursor.decode(text), ([family, given, id]) =>
    id.length === 0 ? Option.none() : Option.some({ family, given, id: PatientId.make(id) })
  )

// Tagged "n1" as the patients' cursors are "p1" and the appointments' "a1", so another
// listing's cursor is refused: `["n1", createdAt millis, id]`.
const notificationCursor = taggedCursor({
  tag: "n1",
  fields: InstantAndId,
  maxLength: 1_000
})

/** An opaque cursor for the place after `key` in the clinic's notifications. */
export const encodeNotificationCursor = (key: NotificationKey): string =>
  notificationCursor.encode([DateTime.toEpochMillis(key.createdAt), key.id])

/** The place a cursor stands for; `None` for anything `encodeNotificationCursor` did not produce. */
export const decodeNotificationCursor = (text: string): Option.Option<NotificationKey> =>
  Option.flatMap(notificationCursor.decode(text), ([millis, id]) =>
    Option.map(DateTime.make(millis), (createdAt) => ({ createdAt, id: NotificationId.make(id) }))
  )

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

const make = Effect.gen(function* () {
  const patients = yield* PatientRepo
  const clinics = yield* ClinicRepo
  const chartRepo = yield* ChartRepo
  const outbox = yield* Outbox
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const phones = yield* PhoneNumbers.inForce
  const audit = makeAuditor(yield* AuditLog, generator)

  const { settle, refuse } = makeRefusals(uow, audit)
  const patientOfClinic = staffPatient(patients)

  /** Today in the clinic's time zone (UTC for a clinic not on record). */
  const clinicToday = (staff: StaffPrincipal) =>
    Effect.gen(function* () {
      const now = yield* DateTime.now
      const clinic = yield* clinics.findById(staff.clinicId)
      return Option.match(clinic, {
        onNone: () => DateTime.formatIsoDate(now),
        onSome: (c) => DateTime.formatIsoDate(DateTime.makeZonedUnsafe(now, { timeZone: c.timeZone }))
      })
    })

  const pageSizeOf = (limit: number) =>
    Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_SIZE
      ? undefined
      : new InvalidPageSize({ limit, max: MAX_PAGE_SIZE })

  const register = Effect.fn("Patients.register")(function* (
    staff: StaffPrincipal,
    input: PatientRegistration
  ) {
    const id = PatientId.make(yield* generator.uuid)
    const today = yield* clinicToday(staff)
    return yield* settle<Patient, PatientAlreadyRegistered | PatientDetailsInvalid>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "patient.registered",
          patientId: null,
          resource: `patient:${id}`
        } as const
        const checked = checkRegistration(input, today, phones)
        if (Result.isFailure(checked)) return yield* refuse(facts, checked.failure)
        const patient = new Patient({ ...checked.success, id, clinicId: staff.clinicId })
        const duplicate = (existing: PatientId) =>
          refuse(
            { ...facts, patientId: existing, resource: `patient:${existing}` },
            new PatientAlreadyRegistered({ patientId: existing })
          )
        const existing = yield* patients.findByHealthCard(
          staff.clinicId,
          normalizeHealthCard(patient.healthCard)
        )
        if (Option.isSome(existing)) return yield* duplicate(existing.value.id)
        // The check above is only the common case: a registration of the same card that commits
        // between it and this write is caught here, by the repository, atomically.
        const created = yield* Effect.result(patients.create(patient))
        if (Result.isFailure(created)) return yield* duplicate(created.failure.patientId)
        yield* audit({ ...facts, patientId: id, outcome: "success" })
        return Result.succeed(patient)
      })
    )
  })

  const list = Effect.fn("Patients.list")(function* (staff: StaffPrincipal, options: ListPatients) {
    return yield* settle<PatientPage, InvalidCursor | InvalidPageSize>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "patient.listed",
          patientId: null,
          resource: `clinic:${staff.clinicId}`
        } as const
        const limit = options.limit ?? DEFAULT_PAGE_SIZE
        const badSize = pageSizeOf(limit)
        if (badSize !== undefined) return yield* refuse(facts, badSize)
        const after =
          options.cursor === undefined ? Option.none<PatientSortKey>() : decodeCursor(options.cursor)
        if (options.cursor !== undefined && Option.isNone(after))
          return yield* refuse(facts, new InvalidCursor())
        // One more than asked tells whether another page follows.
        const found = yield* patients.listByClinic(staff.clinicId, {
          search: parseQuery(options.query),
          after: Option.getOrUndefined(after),
          limit: limit + 1
        })
        const page = found.slice(0, limit)
        const last = page.at(-1)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed({
          patients: page,
          nextCursor: found.length > limit && last !== undefined ? encodeCursor(sortKeyOf(last)) : null
        })
      })
    )
  })

  /** Runs `read` on a patient of the staff member's clinic, audited as `action`; else `NotFound`. */
  const readPatient = <A>(
    staff: StaffPrincipal,
    id: PatientId,
    action: string,
    read: (patient: Patient) => Effect.Effect<A>
  ) =>
    settle<A, NotFound>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action,
          resource: `patient:${id}`
        }
        const patient = yield* patientOfClinic(staff, id)
        if (Option.isNone(patient))
          return yield* refuse({ ...facts, patientId: null }, new NotFound({ kind: "patient" }))
        const result = yield* read(patient.value)
        yield* audit({ ...facts, patientId: id, outcome: "success" })
        return Result.succeed(result)
      })
    )

  const get = Effect.fn("Patients.get")(function* (staff: StaffPrincipal, id: PatientId) {
    return yield* readPatient(staff, id, "patient.viewed", Effect.succeed)
  })

  const chart = Effect.fn("Patients.chart")(function* (staff: StaffPrincipal, id: PatientId) {
    return yield* readPatient(staff, id, "chart.viewed", (patient) =>
      Effect.map(chartRepo.listByPatient(patient.id), (entries) =>
        entries.filter((e) => e.clinicId === staff.clinicId)
      )
    )
  })

  const notifications = Effect.fn("Patients.notifications")(function* (
    staff: StaffPrincipal,
    id: PatientId,
    options: { readonly limit?: number | undefined }
  ) {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE
    const badSize = pageSizeOf(limit)
    if (badSize !== undefined) return yield* badSize
    return yield* readPatient(staff, id, "notification.listed", (patient) =>
      Effect.map(outbox.listByPatient(staff.clinicId, patient.id, { limit }), (all) =>
        all.map(toNotificationView)
      )
    )
  })

  const clinicNotifications = Effect.fn("Patients.clinicNotifications")(function* (
    staff: StaffPrincipal,
    options: ListClinicNotifications
  ) {
    return yield* settle<NotificationPage, InvalidCursor | InvalidPageSize>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "notification.listed",
          patientId: null,
          resource: `clinic:${staff.clinicId}`
        } as const
        const limit = options.limit ?? DEFAULT_PAGE_SIZE
        const badSize = pageSizeOf(limit)
        if (badSize !== undefined) return yield* refuse(facts, badSize)
        const after =
          options.cursor === undefined
            ? Option.none<NotificationKey>()
            : decodeNotificationCursor(options.cursor)
        if (options.cursor !== undefined && Option.isNone(after))
          return yield* refuse(facts, new InvalidCursor())
        // One more than asked tells whether another page follows.
        const found = yield* outbox.listByClinic(staff.clinicId, {
          status: options.status,
          after: Option.getOrUndefined(after),
          limit: limit + 1
        })
        const page = found.slice(0, limit)
        const last = page.at(-1)
        // Whose notifications staff saw: one event per patient on the page, or the clinic's
        // listing itself when the page is empty.
        const readOf = [...new Set(page.map((n) => n.patientId))]
        if (readOf.length === 0) yield* audit({ ...facts, outcome: "success" })
        for (const patientId of readOf)
          yield* audit({ ...facts, patientId, resource: `patient:${patientId}`, outcome: "success" })
        return Result.succeed({
          notifications: page.map(toNotificationView),
          nextCursor: found.length > limit && last !== undefined ? encodeNotificationCursor(last) : null
        })
      })
    )
  })

  return Patients.of({ register, list, get, chart, notifications, clinicNotifications })
})
