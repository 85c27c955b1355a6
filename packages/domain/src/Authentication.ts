/**
 * Who a patient is and whether a code lets them in: login by one-time passcode, notification
 * links opened with a code and a date of birth, and the sessions that follow.
 */
import { Context, DateTime, Effect, Layer, Option, Redacted, Result, Schema } from "effect"
import { Actor, type AuditAction } from "./AuditEvent.ts"
import { AuditLog } from "./AuditLog.ts"
import {
  ChallengeNotFound,
  ContactUnreadable,
  LinkNotFound,
  NoContactOnFile,
  type PasscodeFailure,
  type ResendFailure,
  type ResendLimitReached,
  SessionExpired,
  SessionNotFound
} from "./AuthErrors.ts"
import { AuthPolicy } from "./AuthPolicy.ts"
import { Clinic, ClinicRepo } from "./Clinic.ts"
import { CodeGenerator, DIGITS, UNAMBIGUOUS } from "./CodeGenerator.ts"
import { Hasher, hashesEqual } from "./Hasher.ts"
import { ChallengeId, type ClinicId, PasscodeId, type PatientId, SessionId } from "./Ids.ts"
import { makeAuditor } from "./internal/audit.ts"
import { MaskedContact, maskContact } from "./MaskedContact.ts"
import { type Notification, NotificationPayload, type NotificationTemplate } from "./Notification.ts"
import { destinations, Notifications } from "./Notifications.ts"
import {
  type DeliveryChannel,
  LinkPurpose,
  Passcode,
  type PasscodePurpose,
  PasscodeTarget,
  ResourceKind,
  ResourceRef
} from "./Passcode.ts"
import {
  type EntryOutcome,
  judgeEntry,
  judgeResend,
  judgeSendLimit,
  stateOf,
  ttlOf
} from "./PasscodeRules.ts"
import { PasscodeStore } from "./PasscodeStore.ts"
import {
  type ContactKey,
  dateOfBirthMatches,
  EmailAddress,
  type HealthCardInput,
  normalizeHealthCard,
  Patient,
  patientHasContact
} from "./Patient.ts"
import { PatientRepo } from "./PatientRepo.ts"
import { PhoneNumbers, readContact } from "./PhoneNumbers.ts"
import { PatientPrincipal, Session, type SessionOrigin, SessionSummary } from "./Session.ts"
import { SessionStore } from "./SessionStore.ts"
import { type StaffPrincipal, staffActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** What start-login answers, the same whether or not the identity matched. */
export class LoginChallenge extends Schema.Class<LoginChallenge>("LoginChallenge")({
  challengeId: ChallengeId,
  expiresAt: Schema.DateTimeUtc
}) {}

/** A new session: the bearer token (shown once, redacted in logs) and the session. */
export class SessionGrant extends Schema.Class<SessionGrant>("SessionGrant")({
  token: Schema.Redacted(Schema.String),
  session: SessionSummary,
  principal: PatientPrincipal
}) {}

/**
 * The clinic a link belongs to, as the link's page names it before anyone has proved who they
 * are: the display name (the one clinic detail a notification carries too) and the slug of the
 * clinic's portal, under which its public face (time zone, languages) can be read.
 */
export class LinkClinic extends Schema.Class<LinkClinic>("LinkClinic")({
  slug: Clinic.fields.slug,
  name: Clinic.fields.name
}) {}

/** What a link opens, whose clinic it is and whether it can still be used; nothing about the patient. */
export class LinkDescription extends Schema.Class<LinkDescription>("LinkDescription")({
  linkId: ChallengeId,
  purpose: LinkPurpose,
  resourceKind: ResourceKind,
  status: Schema.Literals(["active", "expired", "used", "locked", "superseded"]),
  expiresAt: Schema.DateTimeUtc,
  clinic: LinkClinic
}) {}

/** An opened link: the new session and the record it leads to. */
export class LinkOpened extends Schema.Class<LinkOpened>("LinkOpened")({
  grant: SessionGrant,
  purpose: LinkPurpose,
  target: ResourceRef
}) {}

/** A link issued for a patient; its code went to the patient's preferred channels. */
export class LinkIssued extends Schema.Class<LinkIssued>("LinkIssued")({
  linkId: ChallengeId,
  expiresAt: Schema.DateTimeUtc,
  channel: Schema.Literals(["email", "sms", "both"])
}) {}

/** A new code was sent; it expires at `expiresAt`. */
export class CodeSent extends Schema.Class<CodeSent>("CodeSent")({
  challengeId: ChallengeId,
  expiresAt: Schema.DateTimeUtc
}) {}

/**
 * A new code for a link was sent, and where to, masked (`MaskedContact`): one entry per
 * notification queued, so `both` lists the email address and the mobile number.
 */
export class LinkCodeSent extends CodeSent.extend<LinkCodeSent>("LinkCodeSent")({
  sentTo: Schema.Array(MaskedContact)
}) {}

/**
 * A new contact whose code was entered: the patient before and after the change, and how
 * many other sessions it ended. What `verifyContactCode` hands to its caller's own writes.
 */
export interface ContactVerified {
  readonly channel: "email" | "sms"
  readonly before: Patient
  readonly after: Patient
  readonly endedSessions: number
}

/** The login, link and session operations of the portal. */
export class Authentication extends Context.Service<
  Authentication,
  {
    /**
     * Starts a login: when the health card matches a patient of the clinic and the contact
     * is that patient's, a code goes to that contact. The answer has the same shape either
     * way, so it tells no one whether the identity exists.
     */
    readonly startLogin: (input: {
      readonly clinicId: ClinicId
      readonly identifier: HealthCardInput
      readonly contact: string
    }) => Effect.Effect<LoginChallenge, ContactUnreadable | ResendFailure>
    /** Checks a login code; the right one, once, opens a session. */
    readonly verifyLogin: (
      challengeId: ChallengeId,
      code: Redacted.Redacted<string>,
      stayLoggedIn: boolean
    ) => Effect.Effect<SessionGrant, ChallengeNotFound | PasscodeFailure>
    /** Sends a new login code to the same contact; the old one stops working. */
    readonly resendLogin: (
      challengeId: ChallengeId
    ) => Effect.Effect<CodeSent, ChallengeNotFound | ResendFailure>
    /** What a link opens and whether it is still valid. Consumes nothing (mail scanners follow links). */
    readonly describeLink: (linkId: ChallengeId) => Effect.Effect<LinkDescription, LinkNotFound>
    /** Opens a link with its code and the patient's date of birth; both must match. */
    readonly openLink: (
      linkId: ChallengeId,
      code: Redacted.Redacted<string>,
      dateOfBirth: string,
      stayLoggedIn: boolean
    ) => Effect.Effect<LinkOpened, LinkNotFound | PasscodeFailure>
    /**
     * "Resend quick passcode": a new code for the link, to the patient's preferred channels;
     * answers where it went, masked, so the page can say so.
     */
    readonly resendLink: (
      linkId: ChallengeId
    ) => Effect.Effect<LinkCodeSent, LinkNotFound | ResendFailure | NoContactOnFile>
    /**
     * Staff withdraw a link (e.g. its upload request was cancelled): from now on its code
     * opens no session and cannot be resent. Its current code is marked used, so
     * `describeLink` reports `used` and `openLink` answers `PasscodeUsed` ("log in with your
     * health card"): the answer that leads the patient on, where `superseded` would send them
     * looking for a newer message that does not exist. A link already used, superseded,
     * locked or expired stays as it is. A link of another clinic answers `LinkNotFound`, as a
     * missing one. Audited as `link.revoked`, refusals too.
     */
    readonly revokeLink: (
      staff: StaffPrincipal,
      linkId: ChallengeId
    ) => Effect.Effect<LinkDescription, LinkNotFound>
    /** The link issued for a patient's record with that purpose (the newest, if several were), if any. */
    readonly linkFor: (
      patientId: PatientId,
      purpose: LinkPurpose,
      resource: ResourceRef
    ) => Effect.Effect<Option.Option<ChallengeId>>
    /** Issues a link code bound to a patient and a record, and queues its notification. */
    readonly issueLink: (
      patient: Patient,
      purpose: LinkPurpose,
      target: ResourceRef
    ) => Effect.Effect<LinkIssued, NoContactOnFile>
    /** The caller behind a session token; refreshes the session's idle timer. */
    readonly authenticate: (
      token: Redacted.Redacted<string>
    ) => Effect.Effect<PatientPrincipal, SessionExpired>
    /** Ends the caller's session. */
    readonly logout: (principal: PatientPrincipal) => Effect.Effect<void>
    /** The caller's sessions that are still valid, the current one marked. */
    readonly listSessions: (principal: PatientPrincipal) => Effect.Effect<ReadonlyArray<SessionSummary>>
    /** Ends one of the caller's sessions. */
    readonly endSession: (
      principal: PatientPrincipal,
      sessionId: SessionId
    ) => Effect.Effect<void, SessionNotFound>
    /** Ends every session of the caller but the current one; returns how many ended. */
    readonly endOtherSessions: (principal: PatientPrincipal) => Effect.Effect<number>
    /**
     * Sends a contact-verification code to a new email address or mobile number, and only
     * there: the patient's current contacts get nothing. The new contact is not a login
     * contact until `verifyContactCode` accepts the code. The code has the link-code form
     * (`linkCodeLength`, 8 case-sensitive characters of the unambiguous alphabet: typed
     * from a message, like a link code) and lives `contactVerifyTtl`; it is bound to the
     * patient and the new contact, so a newer request for the same contact supersedes it,
     * and the send limits apply per patient and contact.
     */
    readonly issueContactCode: (
      patient: Patient,
      contact: ContactKey
    ) => Effect.Effect<CodeSent, ResendLimitReached>
    /** Sends a new code for a pending contact change of the caller, to the same new contact. */
    readonly resendContactCode: (
      principal: PatientPrincipal,
      challengeId: ChallengeId
    ) => Effect.Effect<CodeSent, ChallengeNotFound | ResendFailure>
    /**
     * Checks a contact-verification code of the caller. The right one, once, in one unit of
     * work: replaces the patient's email or mobile with the new contact, retires login codes
     * and quick/upload links already sent (they read as used: the patient logs in with their
     * health card instead), ends every other session of the patient, and runs `onVerified` (the
     * caller's own writes, e.g. a chart entry); if `onVerified` fails, nothing is written and
     * the code stays usable. Another patient's challenge answers `ChallengeNotFound` and does
     * not count as a wrong entry on it.
     */
    readonly verifyContactCode: <A, E>(
      principal: PatientPrincipal,
      challengeId: ChallengeId,
      code: Redacted.Redacted<string>,
      onVerified: (change: ContactVerified) => Effect.Effect<A, E>
    ) => Effect.Effect<A, E | ChallengeNotFound | PasscodeFailure>
  }
>()("@careportal/domain/Authentication") {
  /** The service on its ports. */
  static readonly layer = Layer.effect(
    Authentication,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

const SESSION_TOKEN_BYTES = 32

const make = Effect.gen(function* () {
  const policy = yield* AuthPolicy
  const patients = yield* PatientRepo
  const clinics = yield* ClinicRepo
  const passcodes = yield* PasscodeStore
  const sessions = yield* SessionStore
  const generator = yield* CodeGenerator
  const hasher = yield* Hasher
  const auditLog = yield* AuditLog
  const notifications = yield* Notifications
  const uow = yield* UnitOfWork
  const phones = yield* PhoneNumbers.inForce

  const audit = makeAuditor(auditLog, generator)

  const anonymous = new Actor({ kind: "anonymous" })
  const system = new Actor({ kind: "system" })
  const patientActor = (id: Patient["id"]) => new Actor({ kind: "patient", id })

  const codeFor = (purpose: PasscodePurpose) =>
    purpose === "login-otp"
      ? generator.code(DIGITS, policy.loginCodeLength)
      : generator.code(UNAMBIGUOUS, policy.linkCodeLength)

  const newPasscode = (fields: {
    readonly challengeId: ChallengeId
    readonly clinicId: ClinicId
    readonly purpose: PasscodePurpose
    readonly target: PasscodeTarget
    readonly channel: DeliveryChannel
    readonly codeHash: Passcode["codeHash"]
    readonly now: DateTime.Utc
    readonly failedAttempts: number
  }) =>
    Effect.map(
      generator.uuid,
      (id) =>
        new Passcode({
          id: PasscodeId.make(id),
          challengeId: fields.challengeId,
          clinicId: fields.clinicId,
          purpose: fields.purpose,
          target: fields.target,
          channel: fields.channel,
          codeHash: fields.codeHash,
          issuedAt: fields.now,
          expiresAt: DateTime.addDuration(fields.now, ttlOf(policy, fields.purpose)),
          failedAttempts: fields.failedAttempts,
          consumedAt: null,
          supersededAt: null
        })
    )

  const templateOf = (purpose: PasscodePurpose): NotificationTemplate =>
    purpose === "login-otp"
      ? "login-code"
      : purpose === "contact-verify"
        ? "contact-verify-code"
        : "link-code"

  /** The channels a link code goes to: the preference, falling back to whichever contact exists. */
  const linkChannel = (patient: Patient): Option.Option<DeliveryChannel> => {
    const to = destinations(patient)
    if (to.length === 0) return Option.none()
    return Option.some(to.length === 2 ? "both" : (to[0]?.channel ?? patient.notificationPreference))
  }

  /** Queues the code's notifications (and returns them): one per channel, the code sealed, nothing about health. */
  const enqueueCode = (patient: Patient, passcode: Passcode, code: Redacted.Redacted<string>) =>
    Effect.gen(function* () {
      const sealed = yield* hasher.seal(passcode.challengeId, code)
      const isLinkCode = passcode.purpose === "quick-link" || passcode.purpose === "upload-link"
      return yield* notifications.queue({
        patient,
        template: templateOf(passcode.purpose),
        payload: new NotificationPayload({
          purpose: passcode.purpose,
          challengeId: passcode.challengeId,
          code: sealed,
          codeContext: passcode.challengeId,
          expiresAt: passcode.expiresAt,
          ...(passcode.target.resource ? { resourceKind: passcode.target.resource.kind } : {}),
          ...(isLinkCode ? { path: `/links/${passcode.challengeId}` } : {})
        }),
        key: passcode.id,
        channel: passcode.channel,
        notBefore: passcode.issuedAt
      })
    })

  const unwrapIssue = <R>(result: Result.Result<Passcode, R>): Effect.Effect<Passcode, R> =>
    Result.isSuccess(result) ? Effect.succeed(result.success) : Effect.fail(result.failure)

  /**
   * Issues the first code of a new challenge, atomically refused (`ResendLimitReached`) when
   * its purpose and target have had their codes for the send window.
   */
  const issueWithinSendLimit = (passcode: Passcode, now: DateTime.Utc) =>
    passcodes
      .issue({
        clinicId: passcode.clinicId,
        purpose: passcode.purpose,
        target: passcode.target,
        challengeId: Option.none(),
        windowStart: DateTime.subtractDuration(now, policy.sendWindow),
        decide: ({ recent }) => {
          const refused = judgeSendLimit(policy, now, recent)
          return refused === undefined ? Result.succeed(passcode) : Result.fail(refused)
        }
      })
      .pipe(Effect.flatMap(unwrapIssue))

  const openSession = (passcode: Passcode, origin: SessionOrigin, stayLoggedIn: boolean) =>
    Effect.gen(function* () {
      const patientId = passcode.target.patientId
      if (patientId === null) return yield* Effect.die(new Error("a decoy passcode was accepted"))
      const now = yield* DateTime.now
      const token = yield* generator.token(SESSION_TOKEN_BYTES)
      const session = new Session({
        id: SessionId.make(yield* generator.uuid),
        clinicId: passcode.clinicId,
        patientId,
        tokenHash: yield* hasher.hashToken(token),
        origin,
        stayLoggedIn,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: DateTime.addDuration(
          now,
          stayLoggedIn ? policy.stayLoggedInLifetime : policy.sessionLifetime
        ),
        revokedAt: null
      })
      yield* sessions.create(session)
      return new SessionGrant({
        token,
        session: summarize(session, session.id),
        principal: new PatientPrincipal({ sessionId: session.id, clinicId: session.clinicId, patientId })
      })
    })

  /** Checks one entry under the store's lock, audits it, and fails with the patient-facing error. */
  /**
   * Checks one entry in one unit of work: the verdict on the passcode, its audit event and,
   * when accepted, what `onAccept` writes (the session) commit together. A refusal commits
   * too (the wrong entry must count) and only then fails with the patient-facing error.
   */
  const enterCode = <NotFound extends ChallengeNotFound | LinkNotFound, A, E = never>(
    challengeId: ChallengeId,
    code: Redacted.Redacted<string>,
    isCorrectFor: (passcode: Passcode, codeMatches: boolean) => boolean,
    notFound: NotFound,
    actions: { readonly ok: AuditAction; readonly failed: AuditAction; readonly locked: AuditAction },
    onAccept: (passcode: Passcode) => Effect.Effect<A, E>,
    actor: Actor = anonymous
  ) =>
    Effect.gen(function* () {
      const candidate = yield* hasher.hashCode(challengeId, code)
      const settled = yield* uow.transaction(
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const outcome = yield* passcodes.attempt<EntryOutcome>({
            challengeId,
            now,
            failureWindowStart: DateTime.subtractDuration(now, policy.patientFailureWindow),
            decide: (passcode, failures) =>
              judgeEntry(
                policy,
                now,
                isCorrectFor(passcode, hashesEqual(candidate, passcode.codeHash))
              )(passcode, failures)
          })
          if (Option.isNone(outcome)) return Result.fail<PasscodeFailure | NotFound>(notFound)
          const result = outcome.value
          const { passcode } = result
          const base = {
            clinicId: passcode.clinicId,
            patientId: passcode.target.patientId,
            resource: `challenge:${passcode.challengeId}`,
            actor
          }
          if (result._tag === "Accepted") {
            yield* audit({ ...base, action: actions.ok, outcome: "success" })
            return Result.succeed(yield* onAccept(passcode))
          }
          yield* audit({
            ...base,
            action: result.locked ? actions.locked : actions.failed,
            outcome: "failure",
            reason: result.error._tag
          })
          return Result.fail<PasscodeFailure | NotFound>(result.error)
        })
      )
      return yield* Result.isSuccess(settled) ? Effect.succeed(settled.success) : Effect.fail(settled.failure)
    })

  const isLink = (p: Passcode) => p.purpose === "quick-link" || p.purpose === "upload-link"

  const findChallenge = (challengeId: ChallengeId) =>
    Effect.flatMap(passcodes.latest(challengeId), (found) =>
      Option.isSome(found) && found.value.purpose === "login-otp"
        ? Effect.succeed(found.value)
        : Effect.fail(new ChallengeNotFound())
    )

  const findLink = (linkId: ChallengeId) =>
    Effect.flatMap(passcodes.latest(linkId), (found) =>
      Option.isSome(found) && isLink(found.value) && found.value.target.resource !== undefined
        ? Effect.succeed(found.value)
        : Effect.fail(new LinkNotFound())
    )

  /**
   * A new code under an existing challenge, judged atomically against the latest state; also
   * answers the notifications queued with it (none for a decoy).
   */
  const reissue = (
    current: Passcode,
    patient: Option.Option<Patient>,
    channel: DeliveryChannel,
    action: "login.code-resent" | "link.code-resent" | "contact.code-resent",
    actor: Actor = anonymous
  ) =>
    Effect.gen(function* () {
      const now = yield* DateTime.now
      const code = yield* codeFor(current.purpose)
      const codeHash = yield* hasher.hashCode(current.challengeId, code)
      const candidate = yield* newPasscode({ ...current, channel, codeHash, now, failedAttempts: 0 })
      return yield* uow.transaction(
        Effect.gen(function* () {
          const issued = yield* passcodes
            .issue({
              clinicId: current.clinicId,
              purpose: current.purpose,
              target: current.target,
              challengeId: Option.some(current.challengeId),
              windowStart: DateTime.subtractDuration(now, policy.sendWindow),
              decide: ({ recent, current: latest }) => {
                const base = Option.getOrElse(latest, () => current)
                const refused = judgeResend(policy, now, base, recent)
                // Wrong entries carry over: a resend never buys more guesses.
                return refused === undefined
                  ? Result.succeed(new Passcode({ ...candidate, failedAttempts: base.failedAttempts }))
                  : Result.fail(refused)
              }
            })
            .pipe(Effect.flatMap(unwrapIssue))
          const queued: ReadonlyArray<Notification> = Option.isSome(patient)
            ? yield* enqueueCode(patient.value, issued, code)
            : []
          yield* audit({
            clinicId: current.clinicId,
            actor,
            action,
            patientId: current.target.patientId,
            resource: `challenge:${current.challengeId}`,
            outcome: "success"
          })
          return {
            sent: new CodeSent({ challengeId: issued.challengeId, expiresAt: issued.expiresAt }),
            queued
          }
        })
      )
    })

  const summarize = (session: Session, current: SessionId) =>
    new SessionSummary({
      id: session.id,
      origin: session.origin,
      stayLoggedIn: session.stayLoggedIn,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      expiresAt: session.expiresAt,
      current: session.id === current
    })

  /** Whether a session is still valid at `now`: not revoked, within its lifetime and, unless kept, not idle. */
  const isLive = (session: Session, now: DateTime.Utc) =>
    session.revokedAt === null &&
    DateTime.isLessThan(now, session.expiresAt) &&
    (session.stayLoggedIn ||
      DateTime.isLessThan(now, DateTime.addDuration(session.lastSeenAt, policy.sessionIdleTimeout)))

  const startLogin = Effect.fn("Authentication.startLogin")(function* (input: {
    readonly clinicId: ClinicId
    readonly identifier: HealthCardInput
    readonly contact: string
  }) {
    const contact = readContact(phones, input.contact)
    if (Option.isNone(contact)) return yield* new ContactUnreadable()
    const card = normalizeHealthCard(input.identifier)
    const found = yield* patients.findByHealthCard(input.clinicId, card)
    const patient = Option.filter(found, (p) => patientHasContact(p, contact.value))
    const now = yield* DateTime.now
    const challengeId = ChallengeId.make(yield* generator.uuid)
    const code = yield* codeFor("login-otp")
    // An unmatched identity gets a decoy challenge: stored, rate-limited and answering like a
    // real one, with a code nobody receives. Its key is a hash, not the typed identity.
    const target = Option.isSome(patient)
      ? new PasscodeTarget({ patientId: patient.value.id })
      : new PasscodeTarget({
          patientId: null,
          decoyKey: yield* hasher.hashCode(
            "decoy",
            Redacted.make(`${input.clinicId}|${card.idType}|${card.number}|${contact.value.value}`)
          )
        })
    const passcode = yield* newPasscode({
      challengeId,
      clinicId: input.clinicId,
      purpose: "login-otp",
      target,
      channel: contact.value.channel,
      codeHash: yield* hasher.hashCode(challengeId, code),
      now,
      failedAttempts: 0
    })
    return yield* uow.transaction(
      Effect.gen(function* () {
        const issued = yield* issueWithinSendLimit(passcode, now)
        if (Option.isSome(patient)) yield* enqueueCode(patient.value, issued, code)
        yield* audit({
          clinicId: input.clinicId,
          actor: anonymous,
          action: "login.started",
          patientId: Option.isSome(patient) ? patient.value.id : null,
          resource: `challenge:${challengeId}`,
          outcome: Option.isSome(patient) ? "success" : "failure",
          ...(Option.isSome(patient) ? {} : { reason: "IdentityNotMatched" })
        })
        return new LoginChallenge({ challengeId, expiresAt: issued.expiresAt })
      })
    )
  })

  const verifyLogin = Effect.fn("Authentication.verifyLogin")(function* (
    challengeId: ChallengeId,
    code: Redacted.Redacted<string>,
    stayLoggedIn: boolean
  ) {
    // A link id is not a login challenge: refuse it before it can count as a wrong entry.
    yield* findChallenge(challengeId)
    return yield* enterCode(
      challengeId,
      code,
      (passcode, codeMatches) => passcode.purpose === "login-otp" && codeMatches,
      new ChallengeNotFound(),
      { ok: "login.succeeded", failed: "login.failed", locked: "login.locked" },
      (accepted) => openSession(accepted, "login", stayLoggedIn)
    )
  })

  const resendLogin = Effect.fn("Authentication.resendLogin")(function* (challengeId: ChallengeId) {
    const current = yield* findChallenge(challengeId)
    const patient =
      current.target.patientId === null
        ? Option.none<Patient>()
        : yield* patients.findById(current.target.patientId)
    // Answers only what it always did: a decoy has no contact to show, so nothing about one is shown.
    const { sent } = yield* reissue(current, patient, current.channel, "login.code-resent")
    return sent
  })

  /**
   * The link as its page shows it. Every passcode belongs to a clinic on file (clinics are
   * never removed), so a missing one is a broken store, not an answer to give.
   */
  const describe = (passcode: Passcode, now: DateTime.Utc) =>
    Effect.map(
      Effect.flatMap(clinics.findById(passcode.clinicId), (found) =>
        Option.isSome(found)
          ? Effect.succeed(found.value)
          : Effect.die(
              new Error(`link ${passcode.challengeId} belongs to clinic ${passcode.clinicId}, not on file`)
            )
      ),
      (clinic) =>
        new LinkDescription({
          linkId: passcode.challengeId,
          purpose: passcode.purpose as LinkPurpose,
          resourceKind: (passcode.target.resource as ResourceRef).kind,
          status: stateOf(policy, passcode, now),
          expiresAt: passcode.expiresAt,
          clinic: new LinkClinic({ slug: clinic.slug, name: clinic.name })
        })
    )

  const describeLink = Effect.fn("Authentication.describeLink")(function* (linkId: ChallengeId) {
    const passcode = yield* findLink(linkId)
    return yield* describe(passcode, yield* DateTime.now)
  })

  const revokeLink = Effect.fn("Authentication.revokeLink")(function* (
    staff: StaffPrincipal,
    linkId: ChallengeId
  ) {
    // Decided inside the unit so that a refusal's audit event commits before the error is raised.
    const settled = yield* uow.transaction(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "link.revoked",
          resource: `challenge:${linkId}`
        } as const
        const found = yield* Effect.option(findLink(linkId))
        if (Option.isNone(found) || found.value.clinicId !== staff.clinicId) {
          yield* audit({ ...facts, patientId: null, outcome: "failure", reason: "LinkNotFound" })
          return Result.fail(new LinkNotFound())
        }
        const now = yield* DateTime.now
        const retired = yield* passcodes.retire(linkId, now)
        yield* audit({ ...facts, patientId: found.value.target.patientId, outcome: "success" })
        return Result.succeed(
          yield* describe(
            Option.getOrElse(retired, () => found.value),
            now
          )
        )
      })
    )
    return yield* Effect.fromResult(settled)
  })

  const linkFor = Effect.fn("Authentication.linkFor")(function* (
    patientId: PatientId,
    purpose: LinkPurpose,
    resource: ResourceRef
  ) {
    const found = yield* passcodes.latestFor(purpose, new PasscodeTarget({ patientId, resource }))
    return Option.map(found, (p) => p.challengeId)
  })

  const openLink = Effect.fn("Authentication.openLink")(function* (
    linkId: ChallengeId,
    code: Redacted.Redacted<string>,
    dateOfBirth: string,
    stayLoggedIn: boolean
  ) {
    const link = yield* findLink(linkId)
    const patient =
      link.target.patientId === null ? Option.none() : yield* patients.findById(link.target.patientId)
    // The code and the date of birth are judged as one entry: a wrong date of birth with
    // the right code is a wrong entry, and the answer does not say which part was wrong.
    return yield* enterCode(
      linkId,
      code,
      (passcode, codeMatches) =>
        isLink(passcode) &&
        codeMatches &&
        Option.isSome(patient) &&
        dateOfBirthMatches(patient.value, dateOfBirth),
      new LinkNotFound(),
      { ok: "link.opened", failed: "link.failed", locked: "link.locked" },
      (accepted) =>
        Effect.map(
          openSession(accepted, accepted.purpose as LinkPurpose, stayLoggedIn),
          (grant) =>
            new LinkOpened({
              grant,
              purpose: accepted.purpose as LinkPurpose,
              target: accepted.target.resource as ResourceRef
            })
        )
    )
  })

  const resendLink = Effect.fn("Authentication.resendLink")(function* (linkId: ChallengeId) {
    const current = yield* findLink(linkId)
    const patient =
      current.target.patientId === null ? Option.none() : yield* patients.findById(current.target.patientId)
    if (Option.isNone(patient)) return yield* new LinkNotFound()
    const channel = linkChannel(patient.value)
    if (Option.isNone(channel)) return yield* new NoContactOnFile()
    const { sent, queued } = yield* reissue(current, patient, channel.value, "link.code-resent")
    return new LinkCodeSent({ ...sent, sentTo: queued.map(maskContact) })
  })

  const issueLink = Effect.fn("Authentication.issueLink")(function* (
    patient: Patient,
    purpose: LinkPurpose,
    resource: ResourceRef
  ) {
    const channel = linkChannel(patient)
    if (Option.isNone(channel)) return yield* new NoContactOnFile()
    const now = yield* DateTime.now
    const linkId = ChallengeId.make(yield* generator.uuid)
    const code = yield* codeFor(purpose)
    const target = new PasscodeTarget({ patientId: patient.id, resource })
    const passcode = yield* newPasscode({
      challengeId: linkId,
      clinicId: patient.clinicId,
      purpose,
      target,
      channel: channel.value,
      codeHash: yield* hasher.hashCode(linkId, code),
      now,
      failedAttempts: 0
    })
    return yield* uow.transaction(
      Effect.gen(function* () {
        // A clinic-initiated link is always issued; the send limits guard resends.
        const issued = yield* passcodes
          .issue({
            clinicId: patient.clinicId,
            purpose,
            target,
            challengeId: Option.none(),
            windowStart: now,
            decide: () => Result.succeed(passcode)
          })
          .pipe(Effect.flatMap(unwrapIssue))
        yield* enqueueCode(patient, issued, code)
        yield* audit({
          clinicId: patient.clinicId,
          actor: system,
          action: "link.issued",
          patientId: patient.id,
          resource: `challenge:${linkId}`,
          outcome: "success"
        })
        return new LinkIssued({ linkId, expiresAt: issued.expiresAt, channel: channel.value })
      })
    )
  })

  const authenticate = Effect.fn("Authentication.authenticate")(function* (token: Redacted.Redacted<string>) {
    const hash = yield* hasher.hashToken(token)
    const found = yield* sessions.findByTokenHash(hash)
    const now = yield* DateTime.now
    if (Option.isNone(found) || !isLive(found.value, now)) return yield* new SessionExpired()
    const session = found.value
    yield* sessions.touch(session.id, now)
    return new PatientPrincipal({
      sessionId: session.id,
      clinicId: session.clinicId,
      patientId: session.patientId
    })
  })

  const endOne = (principal: PatientPrincipal, sessionId: SessionId) =>
    uow.transaction(
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const ended = yield* sessions.revoke(sessionId, now)
        if (ended) {
          yield* audit({
            clinicId: principal.clinicId,
            actor: patientActor(principal.patientId),
            action: "session.ended",
            patientId: principal.patientId,
            resource: `session:${sessionId}`,
            outcome: "success"
          })
        }
      })
    )

  const logout = Effect.fn("Authentication.logout")(function* (principal: PatientPrincipal) {
    yield* endOne(principal, principal.sessionId)
  })

  const listSessions = Effect.fn("Authentication.listSessions")(function* (principal: PatientPrincipal) {
    const now = yield* DateTime.now
    const all = yield* sessions.listByPatient(principal.patientId)
    return all
      .filter((s) => s.clinicId === principal.clinicId && isLive(s, now))
      .sort((a, b) => DateTime.toEpochMillis(b.lastSeenAt) - DateTime.toEpochMillis(a.lastSeenAt))
      .map((s) => summarize(s, principal.sessionId))
  })

  const endSession = Effect.fn("Authentication.endSession")(function* (
    principal: PatientPrincipal,
    sessionId: SessionId
  ) {
    const found = yield* sessions.findById(sessionId)
    // Someone else's session answers exactly like a missing one.
    const now = yield* DateTime.now
    if (
      Option.isNone(found) ||
      found.value.patientId !== principal.patientId ||
      found.value.clinicId !== principal.clinicId ||
      !isLive(found.value, now)
    ) {
      return yield* new SessionNotFound()
    }
    yield* endOne(principal, sessionId)
  })

  const endOtherSessions = Effect.fn("Authentication.endOtherSessions")(function* (
    principal: PatientPrincipal
  ) {
    return yield* uow.transaction(endOthers(principal))
  })

  const endOthers = (principal: PatientPrincipal) =>
    Effect.gen(function* () {
      const now = yield* DateTime.now
      // Expired sessions are ended too, but only the live ones count: those are what the patient saw in their list.
      const live = (yield* sessions.listByPatient(principal.patientId)).filter(
        (s) => s.id !== principal.sessionId && s.clinicId === principal.clinicId && isLive(s, now)
      ).length
      yield* sessions.revokeAllExcept(principal.patientId, Option.some(principal.sessionId), now)
      yield* audit({
        clinicId: principal.clinicId,
        actor: patientActor(principal.patientId),
        action: "sessions.ended-others",
        patientId: principal.patientId,
        resource: `session:${principal.sessionId}`,
        outcome: "success"
      })
      return live
    })

  /** The target of a contact-verification code: the patient and the normalised new contact. */
  const contactTarget = (patientId: Patient["id"], contact: ContactKey) =>
    new PasscodeTarget({ patientId, resource: new ResourceRef({ kind: "contact", id: contact.value }) })

  /** The new contact a contact-verification passcode is bound to. */
  const contactOf = (passcode: Passcode): Option.Option<ContactKey> =>
    passcode.target.resource?.kind === "contact"
      ? readContact(phones, passcode.target.resource.id)
      : Option.none()

  /** The patient with `contact` in place of their email or mobile. */
  const withContact = (patient: Patient, contact: ContactKey): Patient =>
    new Patient({
      ...patient,
      ...(contact.channel === "email"
        ? { email: EmailAddress.make(contact.value) }
        : { mobile: contact.value })
    })

  /**
   * The patient as a code for a new contact must see them: that contact and no other, so
   * the notification can only go there (never to the contact being replaced).
   */
  const addressedTo = (patient: Patient, contact: ContactKey): Patient => {
    const { email: _email, mobile: _mobile, ...rest } = patient
    return withContact(new Patient(rest), contact)
  }

  /** The caller's pending contact change under `challengeId`; anyone else's answers like a missing one. */
  const findContactChallenge = (principal: PatientPrincipal, challengeId: ChallengeId) =>
    Effect.flatMap(passcodes.latest(challengeId), (found) =>
      Option.isSome(found) &&
      found.value.purpose === "contact-verify" &&
      found.value.target.patientId === principal.patientId &&
      found.value.clinicId === principal.clinicId &&
      Option.isSome(contactOf(found.value))
        ? Effect.succeed(found.value)
        : Effect.fail(new ChallengeNotFound())
    )

  /**
   * Retires the login codes already sent to the patient: one may have gone to the contact
   * being replaced, and must not open a session after the change. Issuing for the same
   * purpose and target supersedes every older code; what is issued is a code nobody holds,
   * consumed at once, so it can never be used either.
   */
  const retireLoginCodes = (patient: Patient, now: DateTime.Utc) =>
    Effect.gen(function* () {
      const challengeId = ChallengeId.make(yield* generator.uuid)
      const retired = yield* newPasscode({
        challengeId,
        clinicId: patient.clinicId,
        purpose: "login-otp",
        target: new PasscodeTarget({ patientId: patient.id }),
        channel: patient.notificationPreference,
        codeHash: yield* hasher.hashCode(challengeId, yield* codeFor("login-otp")),
        now,
        failedAttempts: 0
      })
      yield* passcodes.issue({
        clinicId: patient.clinicId,
        purpose: "login-otp",
        target: retired.target,
        challengeId: Option.none(),
        windowStart: now,
        decide: () => Result.succeed(new Passcode({ ...retired, consumedAt: now }))
      })
    })

  const issueContactCode = Effect.fn("Authentication.issueContactCode")(function* (
    patient: Patient,
    contact: ContactKey
  ) {
    const now = yield* DateTime.now
    const challengeId = ChallengeId.make(yield* generator.uuid)
    const code = yield* codeFor("contact-verify")
    const target = contactTarget(patient.id, contact)
    const passcode = yield* newPasscode({
      challengeId,
      clinicId: patient.clinicId,
      purpose: "contact-verify",
      target,
      channel: contact.channel,
      codeHash: yield* hasher.hashCode(challengeId, code),
      now,
      failedAttempts: 0
    })
    return yield* uow.transaction(
      Effect.gen(function* () {
        const issued = yield* issueWithinSendLimit(passcode, now)
        yield* enqueueCode(addressedTo(patient, contact), issued, code)
        yield* audit({
          clinicId: patient.clinicId,
          actor: patientActor(patient.id),
          action: "contact.code-sent",
          patientId: patient.id,
          resource: `challenge:${challengeId}`,
          outcome: "success"
        })
        return new CodeSent({ challengeId, expiresAt: issued.expiresAt })
      })
    )
  })

  const resendContactCode = Effect.fn("Authentication.resendContactCode")(function* (
    principal: PatientPrincipal,
    challengeId: ChallengeId
  ) {
    const current = yield* findContactChallenge(principal, challengeId)
    const contact = contactOf(current)
    const patient = yield* patients.findById(principal.patientId)
    if (Option.isNone(contact) || Option.isNone(patient)) return yield* new ChallengeNotFound()
    const { sent } = yield* reissue(
      current,
      Option.some(addressedTo(patient.value, contact.value)),
      contact.value.channel,
      "contact.code-resent",
      patientActor(principal.patientId)
    )
    return sent
  })

  const verifyContactCode = Effect.fn("Authentication.verifyContactCode")(function* <A, E>(
    principal: PatientPrincipal,
    challengeId: ChallengeId,
    code: Redacted.Redacted<string>,
    onVerified: (change: ContactVerified) => Effect.Effect<A, E>
  ) {
    // Someone else's challenge is refused here, before it could count as a wrong entry on it.
    yield* findContactChallenge(principal, challengeId)
    return yield* enterCode(
      challengeId,
      code,
      (passcode, codeMatches) =>
        passcode.purpose === "contact-verify" &&
        passcode.target.patientId === principal.patientId &&
        codeMatches,
      new ChallengeNotFound(),
      { ok: "contact.verified", failed: "contact.verify-failed", locked: "contact.verify-locked" },
      (accepted) =>
        Effect.gen(function* () {
          const contact = contactOf(accepted)
          const found = yield* patients.findById(principal.patientId)
          if (Option.isNone(contact) || Option.isNone(found) || found.value.clinicId !== principal.clinicId) {
            return yield* new ChallengeNotFound()
          }
          const before = found.value
          const after = withContact(before, contact.value)
          yield* patients.save(after)
          const now = yield* DateTime.now
          yield* retireLoginCodes(after, now)
          // Quick and upload links live for days and may have gone to the contact being
          // replaced: whoever reads that inbox must not open a session with them afterwards.
          yield* passcodes.retireAllFor(after.id, LinkPurpose.literals, now)
          const endedSessions = yield* endOthers(principal)
          return yield* onVerified({ channel: contact.value.channel, before, after, endedSessions })
        }),
      patientActor(principal.patientId)
    )
  })

  return Authentication.of({
    startLogin,
    verifyLogin,
    resendLogin,
    describeLink,
    openLink,
    resendLink,
    revokeLink,
    linkFor,
    issueLink,
    authenticate,
    logout,
    listSessions,
    endSession,
    endOtherSessions,
    issueContactCode,
    resendContactCode,
    verifyContactCode
  })
})
