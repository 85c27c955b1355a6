/**
 * Demographics: the patient reads what the clinic holds about them and keeps their address,
 * notification preference and language current; every change is filed into the chart at
 * once. A new email or mobile becomes a login contact only after a code sent to it is entered.
 */
import { Context, DateTime, Effect, Layer, Option, type Redacted, Result, Schema } from "effect"
import { AuditLog } from "./AuditLog.ts"
import type { ChallengeNotFound, PasscodeFailure, ResendFailure, ResendLimitReached } from "./AuthErrors.ts"
import { Authentication, type CodeSent, type ContactVerified } from "./Authentication.ts"
import { NotFound } from "./CareErrors.ts"
import { ChartEntry, ChartRepo } from "./Chart.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import {
  type AddressField,
  AddressInvalid,
  AddressProblem,
  ContactChangeNotFound,
  ContactInvalid,
  ContactUnchanged,
  PreferenceNeedsContact
} from "./DemographicsErrors.ts"
import { type ChallengeId, ChartEntryId } from "./Ids.ts"
import { makeAuditor } from "./internal/audit.ts"
import { NotificationPayload } from "./Notification.ts"
import { Notifications } from "./Notifications.ts"
import {
  Address,
  type ContactKey,
  E164,
  EmailAddress,
  NotificationPreference,
  normalizeEmail,
  Patient,
  patientHasContact
} from "./Patient.ts"
import { PatientRepo } from "./PatientRepo.ts"
import { type PhoneNumberReader, PhoneNumbers } from "./PhoneNumbers.ts"
import type { PatientPrincipal } from "./Session.ts"
import { patientActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** What the patient sees of their own record: the health card masked but for its last three digits. */
export class PatientDemographics extends Schema.Class<PatientDemographics>("PatientDemographics")({
  legalName: Schema.Struct({ given: Schema.String, family: Schema.String }),
  dateOfBirth: Schema.String,
  healthCard: Schema.Struct({
    idType: Schema.String,
    /** `*******890`: as long as the number, only its last three digits shown. */
    maskedNumber: Schema.String
  }),
  email: Schema.optionalKey(EmailAddress),
  mobile: Schema.optionalKey(E164),
  address: Schema.optionalKey(Address),
  notificationPreference: NotificationPreference,
  language: Schema.Literals(["en", "fr"])
}) {}

/** An address as the patient typed it; `update` trims it, checks it and formats the postal code. */
export interface AddressInput {
  readonly line1: string
  readonly line2?: string | undefined
  readonly city: string
  readonly region: string
  readonly postalCode: string
  readonly country: string
}

/** What a patient may change directly; a field left out stays as it is. */
export interface DemographicsUpdate {
  readonly address?: AddressInput | undefined
  readonly notificationPreference?: NotificationPreference | undefined
  readonly language?: "en" | "fr" | undefined
}

/** A new email address or a new mobile number, as typed. */
export type ContactChangeRequest =
  | { readonly email: string; readonly mobile?: undefined }
  | { readonly mobile: string; readonly email?: undefined }

/** One changed field of a `demographics-change` chart entry: its value before and after (null: none). */
export class DemographicsChange extends Schema.Class<DemographicsChange>("DemographicsChange")({
  field: Schema.Literals(["address", "notificationPreference", "language", "email", "mobile"]),
  before: Schema.Json,
  after: Schema.Json
}) {}

/** The content of a `demographics-change` chart entry. */
export const DemographicsChangeContent = Schema.Struct({ changes: Schema.Array(DemographicsChange) })

/** The patient's own demographics: read, update, and change of login contacts. */
export class Demographics extends Context.Service<
  Demographics,
  {
    /** The caller's demographics; the read is audited. */
    readonly get: (principal: PatientPrincipal) => Effect.Effect<PatientDemographics, NotFound>
    /**
     * Changes the caller's address, notification preference or language. The save, its chart
     * entry (each changed field, before and after) and its audit event commit together; an
     * update that changes nothing files nothing.
     */
    readonly update: (
      principal: PatientPrincipal,
      changes: DemographicsUpdate
    ) => Effect.Effect<PatientDemographics, NotFound | AddressInvalid | PreferenceNeedsContact>
    /**
     * Starts a change of email or mobile: a code goes to the new contact only (see
     * `Authentication.issueContactCode`). Nothing changes until `confirmContactChange`.
     * A contact another patient of the clinic also uses is allowed: families share an
     * address, login matches on the health card before the contact, and refusing would tell
     * the caller that someone else at the clinic uses it.
     */
    readonly requestContactChange: (
      principal: PatientPrincipal,
      request: ContactChangeRequest
    ) => Effect.Effect<CodeSent, NotFound | ContactInvalid | ContactUnchanged | ResendLimitReached>
    /** A new code for a pending contact change, to the same new contact. */
    readonly resendContactCode: (
      principal: PatientPrincipal,
      challengeId: ChallengeId
    ) => Effect.Effect<CodeSent, ContactChangeNotFound | ResendFailure>
    /**
     * Enters the code sent to the new contact. The right one, once, in one unit of work:
     * the contact is replaced (and becomes a login contact), login codes and quick/upload
     * links already sent are retired, a chart entry is filed, every other session of the
     * patient ends, a `contact-changed` notice is queued to the old contact (if there was one),
     * and each step is audited.
     */
    readonly confirmContactChange: (
      principal: PatientPrincipal,
      entry: { readonly challengeId: ChallengeId; readonly code: Redacted.Redacted<string> }
    ) => Effect.Effect<PatientDemographics, ContactChangeNotFound | PasscodeFailure>
  }
>()("@careportal/domain/Demographics") {
  /** The service on `Authentication` and the ports. */
  static readonly layer = Layer.effect(
    Demographics,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

const MAX_FIELD_LENGTH = 200

/** `1234567890` → `*******890`. */
export const maskHealthCardNumber = (number: string): string =>
  `${"*".repeat(Math.max(0, number.length - 3))}${number.slice(-3)}`

const toDemographics = (patient: Patient): PatientDemographics =>
  new PatientDemographics({
    legalName: patient.legalName,
    dateOfBirth: patient.dateOfBirth,
    healthCard: {
      idType: patient.healthCard.idType,
      maskedNumber: maskHealthCardNumber(patient.healthCard.number)
    },
    ...(patient.email === undefined ? {} : { email: patient.email }),
    ...(patient.mobile === undefined ? {} : { mobile: patient.mobile }),
    ...(patient.address === undefined ? {} : { address: patient.address }),
    notificationPreference: patient.notificationPreference,
    language: patient.language
  })

const CANADA = new Set(["CA", "CAN", "CANADA"])
const UNITED_STATES = new Set(["US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"])
// Canada Post: no D, F, I, O, Q or U anywhere, no W or Z first.
const CANADIAN_POSTAL_CODE = /^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]) ?(\d[ABCEGHJ-NPRSTV-Z]\d)$/
const US_ZIP_CODE = /^\d{5}(-\d{4})?$/
const OTHER_POSTAL_CODE = /^[A-Z0-9][A-Z0-9 -]{1,9}$/

/**
 * A postal code in its country's form (`m5h2n2` → `M5H 2N2`), or `None` when it cannot be
 * one. Canada and the US are checked exactly; elsewhere 2 to 10 letters, digits, spaces or
 * hyphens, as the formats vary too much to do better without a table per country.
 */
export const normalizePostalCode = (postalCode: string, country: string): Option.Option<string> => {
  const code = postalCode.trim().toUpperCase().replace(/\s+/g, " ")
  const nation = country.trim().toUpperCase()
  if (CANADA.has(nation)) {
    const m = CANADIAN_POSTAL_CODE.exec(code)
    return m === null ? Option.none() : Option.some(`${m[1]} ${m[2]}`)
  }
  if (UNITED_STATES.has(nation)) return US_ZIP_CODE.test(code) ? Option.some(code) : Option.none()
  return OTHER_POSTAL_CODE.test(code) ? Option.some(code) : Option.none()
}

/** Checks an address as typed: every field but `line2` filled in, none too long, a plausible postal code. */
export const validateAddress = (input: AddressInput): Result.Result<Address, AddressInvalid> => {
  const problems: Array<AddressProblem> = []
  const required = (field: Exclude<AddressField, "line2">): string => {
    const value = input[field].trim()
    if (value.length === 0) problems.push(new AddressProblem({ field, problem: "empty" }))
    else if (value.length > MAX_FIELD_LENGTH)
      problems.push(new AddressProblem({ field, problem: "too-long" }))
    return value
  }
  const line1 = required("line1")
  const line2 = (input.line2 ?? "").trim()
  if (line2.length > MAX_FIELD_LENGTH)
    problems.push(new AddressProblem({ field: "line2", problem: "too-long" }))
  const city = required("city")
  const region = required("region")
  const rawPostalCode = required("postalCode")
  const country = required("country")
  const postalCode = normalizePostalCode(rawPostalCode, country)
  if (rawPostalCode.length > 0 && rawPostalCode.length <= MAX_FIELD_LENGTH && Option.isNone(postalCode)) {
    problems.push(new AddressProblem({ field: "postalCode", problem: "implausible" }))
  }
  if (problems.length > 0 || Option.isNone(postalCode)) return Result.fail(new AddressInvalid({ problems }))
  return Result.succeed(
    new Address({
      line1,
      ...(line2.length > 0 ? { line2 } : {}),
      city,
      region,
      postalCode: postalCode.value,
      country
    })
  )
}

/** The contact a preference needs that the patient lacks, if any. */
const missingFor = (preference: NotificationPreference, patient: Patient): "email" | "mobile" | undefined => {
  if ((preference === "sms" || preference === "both") && patient.mobile === undefined) return "mobile"
  if ((preference === "email" || preference === "both") && patient.email === undefined) return "email"
  return undefined
}

const encodeAddress = Schema.encodeSync(Address)

/** The changed fields between two versions of a patient, as a chart entry records them. */
const changesBetween = (before: Patient, after: Patient): ReadonlyArray<DemographicsChange> => {
  const changes: Array<DemographicsChange> = []
  const addressJson = (a: Address | undefined): Schema.Json =>
    a === undefined ? null : (encodeAddress(a) as Schema.Json)
  const beforeAddress = addressJson(before.address)
  const afterAddress = addressJson(after.address)
  if (JSON.stringify(beforeAddress) !== JSON.stringify(afterAddress)) {
    changes.push(new DemographicsChange({ field: "address", before: beforeAddress, after: afterAddress }))
  }
  for (const field of ["notificationPreference", "language", "email", "mobile"] as const) {
    const was = before[field] ?? null
    const is = after[field] ?? null
    if (was !== is) changes.push(new DemographicsChange({ field, before: was, after: is }))
  }
  return changes
}

/** Reads a typed new contact, on the channel the request names. */
const readContact = (
  request: ContactChangeRequest,
  phones: PhoneNumberReader
): Result.Result<ContactKey, ContactInvalid> => {
  if (request.email !== undefined) {
    const email = normalizeEmail(request.email)
    return Schema.is(EmailAddress)(email)
      ? Result.succeed({ channel: "email", value: email })
      : Result.fail(new ContactInvalid({ channel: "email" }))
  }
  return Option.match(phones.normalize(request.mobile), {
    onNone: () => Result.fail(new ContactInvalid({ channel: "sms" })),
    onSome: (value) => Result.succeed({ channel: "sms", value })
  })
}

const unwrap = <A, E>(result: Result.Result<A, E>): Effect.Effect<A, E> =>
  Result.isSuccess(result) ? Effect.succeed(result.success) : Effect.fail(result.failure)

const make = Effect.gen(function* () {
  const auth = yield* Authentication
  const patients = yield* PatientRepo
  const chart = yield* ChartRepo
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const phones = yield* PhoneNumbers.inForce
  const notifications = yield* Notifications
  const audit = makeAuditor(yield* AuditLog, generator)

  /** The caller's own record: the principal decides, so there is no id to tamper with. */
  const own = (principal: PatientPrincipal) =>
    Effect.flatMap(patients.findById(principal.patientId), (found) =>
      Option.isSome(found) && found.value.clinicId === principal.clinicId
        ? Effect.succeed(found.value)
        : Effect.fail(new NotFound({ kind: "patient" }))
    )

  const audited = (
    principal: PatientPrincipal,
    action:
      | "demographics.read"
      | "demographics.updated"
      | "demographics.unchanged"
      | "contact.change-requested",
    outcome: "success" | "failure",
    reason?: string
  ) =>
    audit({
      clinicId: principal.clinicId,
      actor: patientActor(principal),
      action,
      patientId: principal.patientId,
      resource: `patient:${principal.patientId}`,
      outcome,
      ...(reason === undefined ? {} : { reason })
    })

  /** Files the changes into the chart and audits them; runs inside the caller's unit of work. */
  const fileChanges = (principal: PatientPrincipal, changes: ReadonlyArray<DemographicsChange>) =>
    Effect.gen(function* () {
      const content = Schema.encodeSync(DemographicsChangeContent)({ changes }) as Schema.Json
      yield* chart.file(
        new ChartEntry({
          id: ChartEntryId.make(yield* generator.uuid),
          clinicId: principal.clinicId,
          patientId: principal.patientId,
          kind: "demographics-change",
          source: patientActor(principal),
          origin: `patient:${principal.patientId}`,
          content,
          filedAt: yield* DateTime.now
        })
      )
      yield* audited(principal, "demographics.updated", "success")
    })

  const get = Effect.fn("Demographics.get")(function* (principal: PatientPrincipal) {
    return yield* uow.transaction(
      Effect.gen(function* () {
        const patient = yield* own(principal)
        yield* audited(principal, "demographics.read", "success")
        return toDemographics(patient)
      })
    )
  })

  const update = Effect.fn("Demographics.update")(function* (
    principal: PatientPrincipal,
    changes: DemographicsUpdate
  ) {
    const address = changes.address === undefined ? undefined : validateAddress(changes.address)
    // The patient is read inside the unit, so two concurrent updates cannot undo each other. A
    // refusal commits its audit event and only then fails.
    const settled = yield* uow.transaction(
      Effect.gen(function* () {
        const patient = yield* own(principal)
        const missing =
          changes.notificationPreference === undefined
            ? undefined
            : missingFor(changes.notificationPreference, patient)
        const refusal =
          address !== undefined && Result.isFailure(address)
            ? address.failure
            : missing !== undefined && changes.notificationPreference !== undefined
              ? new PreferenceNeedsContact({ preference: changes.notificationPreference, missing })
              : undefined
        if (refusal !== undefined) {
          yield* audited(principal, "demographics.updated", "failure", refusal._tag)
          return Result.fail<AddressInvalid | PreferenceNeedsContact>(refusal)
        }
        const next = new Patient({
          ...patient,
          ...(address !== undefined && Result.isSuccess(address) ? { address: address.success } : {}),
          ...(changes.notificationPreference === undefined
            ? {}
            : { notificationPreference: changes.notificationPreference }),
          ...(changes.language === undefined ? {} : { language: changes.language })
        })
        const changed = changesBetween(patient, next)
        if (changed.length === 0) {
          yield* audited(principal, "demographics.unchanged", "success")
          return Result.succeed(toDemographics(patient))
        }
        yield* patients.save(next)
        yield* fileChanges(principal, changed)
        return Result.succeed(toDemographics(next))
      })
    )
    return yield* unwrap(settled)
  })

  const requestContactChange = Effect.fn("Demographics.requestContactChange")(function* (
    principal: PatientPrincipal,
    request: ContactChangeRequest
  ) {
    const contact = yield* unwrap(readContact(request, phones))
    const patient = yield* own(principal)
    if (patientHasContact(patient, contact)) {
      // The answer tells the caller what is on file, so the comparison is audited as a read.
      yield* uow.transaction(audited(principal, "contact.change-requested", "failure", "ContactUnchanged"))
      return yield* new ContactUnchanged({ channel: contact.channel })
    }
    return yield* auth.issueContactCode(patient, contact)
  })

  const resendContactCode = Effect.fn("Demographics.resendContactCode")(function* (
    principal: PatientPrincipal,
    challengeId: ChallengeId
  ) {
    return yield* auth
      .resendContactCode(principal, challengeId)
      .pipe(Effect.catchTag("ChallengeNotFound", () => Effect.fail(new ContactChangeNotFound())))
  })

  /**
   * Tells the contact being replaced that it was: if the change was not the patient's (a
   * session left open, a stolen phone), the old inbox is where they will notice. Only there:
   * never to the new contact, and never its value. A contact added where there was none has
   * no old one to tell.
   */
  const warnOldContact = (change: ContactVerified, challengeId: ChallengeId) =>
    Effect.gen(function* () {
      const { email, mobile, ...rest } = change.before
      const recipient =
        change.channel === "email"
          ? email === undefined
            ? undefined
            : new Patient({ ...rest, email })
          : mobile === undefined
            ? undefined
            : new Patient({ ...rest, mobile })
      if (recipient === undefined) return
      yield* notifications.queue({
        patient: recipient,
        template: "contact-changed",
        payload: new NotificationPayload({ contactKind: change.channel === "email" ? "email" : "mobile" }),
        key: `contact-changed:${challengeId}`,
        channel: change.channel
      })
    })

  const confirmContactChange = Effect.fn("Demographics.confirmContactChange")(function* (
    principal: PatientPrincipal,
    entry: { readonly challengeId: ChallengeId; readonly code: Redacted.Redacted<string> }
  ) {
    return yield* auth
      .verifyContactCode(principal, entry.challengeId, entry.code, (change) =>
        Effect.gen(function* () {
          yield* fileChanges(principal, changesBetween(change.before, change.after))
          yield* warnOldContact(change, entry.challengeId)
          return toDemographics(change.after)
        })
      )
      .pipe(
        Effect.catchTag("ChallengeNotFound", (_: ChallengeNotFound) =>
          Effect.fail(new ContactChangeNotFound())
        )
      )
  })

  return Demographics.of({ get, update, requestContactChange, resendContactCode, confirmContactChange })
})
