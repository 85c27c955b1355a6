/**
 * Secure messaging: staff send a message to a patient, whose notification carries only a
 * quick-link code; the patient lists, reads and, where allowed, replies; staff review the
 * thread. Every read and write is audited.
 */
import { Context, DateTime, Effect, Layer, Option, Result, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import { AuditLog } from "./AuditLog.ts"
import { Authentication, LinkIssued } from "./Authentication.ts"
import { NotFound } from "./CareErrors.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import { MessageId, type PatientId } from "./Ids.ts"
import { patientOfClinic as staffPatient } from "./internal/access.ts"
import { makeAuditor, makeRefusals } from "./internal/audit.ts"
import {
  checkText,
  InvalidCursor,
  InvalidPageSize,
  MAX_BODY_LENGTH,
  MAX_SUBJECT_LENGTH,
  Message,
  MessagePage,
  MessageReply,
  MessageReplyId,
  type MessageTextInvalid,
  MessageThread,
  ReplyNotAllowed
} from "./Message.ts"
import { type MessageKey, MessageRepo } from "./MessageRepo.ts"
import { ResourceRef } from "./Passcode.ts"
import { PatientRepo } from "./PatientRepo.ts"
import type { PatientPrincipal } from "./Session.ts"
import { patientActor, type StaffPrincipal, staffActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** Messages per page when the caller does not say. */
export const DEFAULT_PAGE_SIZE = 20

/** The most messages one page may hold. */
export const MAX_PAGE_SIZE = 100

/** What staff write to a patient. */
export interface SendMessage {
  readonly patientId: PatientId
  readonly subject: string
  readonly body: string
  readonly replyAllowed: boolean
}

/** Which page of the patient's messages to list. */
export interface ListMessages {
  /** The `nextCursor` of the previous page; the newest messages when absent. */
  readonly cursor?: string | undefined
  /** Messages per page, 1 to `MAX_PAGE_SIZE`; `DEFAULT_PAGE_SIZE` when absent. */
  readonly limit?: number | undefined
}

/**
 * A sent message and the quick link that notifies the patient of it; `link` is null when
 * the patient has no email address or mobile number on file.
 */
export class MessageSent extends Schema.Class<MessageSent>("MessageSent")({
  message: Message,
  link: Schema.NullOr(LinkIssued)
}) {}

/** The messaging operations of patients and staff. */
export class Messaging extends Context.Service<
  Messaging,
  {
    /**
     * Stores a message to a patient of the staff member's clinic and, in the same unit of
     * work, issues a quick-link code whose notification says only that something new is in
     * the portal (never the subject or body). A patient with no contact on file still gets
     * the message: it is stored without a link (`link: null`) and they see it at their next
     * login.
     */
    readonly send: (
      staff: StaffPrincipal,
      input: SendMessage
    ) => Effect.Effect<MessageSent, NotFound | MessageTextInvalid>
    /**
     * One page of the caller's messages, newest first. The cursor is a position, not an
     * offset, so messages arriving while the patient pages never shift or repeat later pages.
     */
    readonly list: (
      principal: PatientPrincipal,
      options?: ListMessages
    ) => Effect.Effect<MessagePage, InvalidCursor | InvalidPageSize>
    /** One of the caller's messages with its replies; the first read marks it read. */
    readonly read: (
      principal: PatientPrincipal,
      messageId: MessageId
    ) => Effect.Effect<MessageThread, NotFound>
    /** Answers one of the caller's messages, where the clinic takes replies to it. */
    readonly reply: (
      principal: PatientPrincipal,
      messageId: MessageId,
      body: string
    ) => Effect.Effect<MessageReply, NotFound | ReplyNotAllowed | MessageTextInvalid>
    /** A patient's messages with their replies, newest first, for staff of the patient's clinic. */
    readonly staffThread: (
      staff: StaffPrincipal,
      patientId: PatientId
    ) => Effect.Effect<ReadonlyArray<MessageThread>, NotFound>
  }
>()("@careportal/domain/Messaging") {
  /** The service on its ports and `Authentication`. */
  static readonly layer = Layer.effect(
    Messaging,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

const CURSOR_VERSION = "m1"

/** An opaque cursor for the position after `key`. */
export const encodeCursor = (key: MessageKey): string =>
  Base64Url.encode(`${CURSOR_VERSION}.${DateTime.toEpochMillis(key.sentAt)}.${key.id}`)

/** The position a cursor stands for; `None` for anything `encodeCursor` did not produce. */
export const decodeCursor = (cursor: string): Option.Option<MessageKey> => {
  const text = Base64Url.decodeString(cursor)
  if (Result.isFailure(text)) return Option.none()
  const match = /^m1\.(-?\d{1,16})\.([\x21-\x7e]{1,200})$/.exec(text.success)
  if (match === null) return Option.none()
  const millis = Number(match[1])
  if (!Number.isSafeInteger(millis)) return Option.none()
  return Option.map(DateTime.make(millis), (sentAt) => ({ sentAt, id: MessageId.make(match[2] ?? "") }))
}

const make = Effect.gen(function* () {
  const messages = yield* MessageRepo
  const patients = yield* PatientRepo
  const auth = yield* Authentication
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const audit = makeAuditor(yield* AuditLog, generator)

  const { settle, refuse } = makeRefusals(uow, audit)
  const patientOfClinic = staffPatient(patients)

  /** The caller's message; someone else's, or one of another clinic, is not found. */
  const ownMessage = (principal: PatientPrincipal, messageId: MessageId) =>
    Effect.map(
      messages.findById(messageId),
      Option.filter((m: Message) => m.patientId === principal.patientId && m.clinicId === principal.clinicId)
    )

  const send = Effect.fn("Messaging.send")(function* (staff: StaffPrincipal, input: SendMessage) {
    const id = MessageId.make(yield* generator.uuid)
    return yield* settle<MessageSent, NotFound | MessageTextInvalid>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "message.sent",
          resource: `message:${id}`
        } as const
        const patient = yield* patientOfClinic(staff, input.patientId)
        if (Option.isNone(patient))
          return yield* refuse(
            { ...facts, patientId: null, resource: `patient:${input.patientId}` },
            new NotFound({ kind: "patient" })
          )
        const invalid =
          checkText("subject", input.subject, MAX_SUBJECT_LENGTH) ??
          checkText("body", input.body, MAX_BODY_LENGTH)
        if (invalid !== undefined) return yield* refuse({ ...facts, patientId: input.patientId }, invalid)
        const message = new Message({
          id,
          clinicId: staff.clinicId,
          patientId: patient.value.id,
          senderId: staff.staffId,
          subject: input.subject,
          body: input.body,
          replyAllowed: input.replyAllowed,
          sentAt: yield* DateTime.now,
          readAt: null
        })
        yield* messages.save(message)
        // issueLink refuses a patient without contact before it writes anything, so catching
        // that refusal here leaves nothing half-written in this unit.
        const link = yield* auth
          .issueLink(patient.value, "quick-link", new ResourceRef({ kind: "message", id }))
          .pipe(
            Effect.map((issued): LinkIssued | null => issued),
            Effect.catchTag("NoContactOnFile", () => Effect.succeed(null))
          )
        yield* audit({ ...facts, patientId: patient.value.id, outcome: "success" })
        return Result.succeed(new MessageSent({ message, link }))
      })
    )
  })

  const list = Effect.fn("Messaging.list")(function* (
    principal: PatientPrincipal,
    options: ListMessages = {}
  ) {
    return yield* settle<MessagePage, InvalidCursor | InvalidPageSize>(
      Effect.gen(function* () {
        const facts = {
          clinicId: principal.clinicId,
          actor: patientActor(principal),
          action: "message.listed",
          patientId: principal.patientId,
          resource: `patient:${principal.patientId}`
        } as const
        const limit = options.limit ?? DEFAULT_PAGE_SIZE
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
          return yield* refuse(facts, new InvalidPageSize({ limit, max: MAX_PAGE_SIZE }))
        const after = options.cursor === undefined ? Option.none<MessageKey>() : decodeCursor(options.cursor)
        if (options.cursor !== undefined && Option.isNone(after))
          return yield* refuse(facts, new InvalidCursor())
        // One more than asked tells whether an older page exists.
        const found = yield* messages.pageByPatient(principal.clinicId, principal.patientId, after, limit + 1)
        const page = found.slice(0, limit)
        const last = page.at(-1)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(
          new MessagePage({
            messages: page,
            nextCursor: found.length > limit && last !== undefined ? encodeCursor(last) : null
          })
        )
      })
    )
  })

  const read = Effect.fn("Messaging.read")(function* (principal: PatientPrincipal, messageId: MessageId) {
    return yield* settle<MessageThread, NotFound>(
      Effect.gen(function* () {
        const facts = {
          clinicId: principal.clinicId,
          actor: patientActor(principal),
          action: "message.read",
          patientId: principal.patientId,
          resource: `message:${messageId}`
        } as const
        const found = yield* ownMessage(principal, messageId)
        if (Option.isNone(found)) return yield* refuse(facts, new NotFound({ kind: "message" }))
        let message = found.value
        if (message.readAt === null) {
          message = new Message({ ...message, readAt: yield* DateTime.now })
          yield* messages.save(message)
        }
        const replies = yield* messages.listReplies(message.id)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(new MessageThread({ message, replies }))
      })
    )
  })

  const reply = Effect.fn("Messaging.reply")(function* (
    principal: PatientPrincipal,
    messageId: MessageId,
    body: string
  ) {
    const id = MessageReplyId.make(yield* generator.uuid)
    return yield* settle<MessageReply, NotFound | ReplyNotAllowed | MessageTextInvalid>(
      Effect.gen(function* () {
        const facts = {
          clinicId: principal.clinicId,
          actor: patientActor(principal),
          action: "message.replied",
          patientId: principal.patientId,
          resource: `message:${messageId}`
        } as const
        const found = yield* ownMessage(principal, messageId)
        if (Option.isNone(found)) return yield* refuse(facts, new NotFound({ kind: "message" }))
        // Refused before the text is judged: no edit of the text can make this reply go through.
        if (!found.value.replyAllowed) return yield* refuse(facts, new ReplyNotAllowed({ messageId }))
        const invalid = checkText("body", body, MAX_BODY_LENGTH)
        if (invalid !== undefined) return yield* refuse(facts, invalid)
        const saved = new MessageReply({
          id,
          clinicId: principal.clinicId,
          patientId: principal.patientId,
          messageId,
          body,
          sentAt: yield* DateTime.now
        })
        yield* messages.saveReply(saved)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(saved)
      })
    )
  })

  const staffThread = Effect.fn("Messaging.staffThread")(function* (
    staff: StaffPrincipal,
    patientId: PatientId
  ) {
    return yield* settle<ReadonlyArray<MessageThread>, NotFound>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "message.thread-viewed",
          resource: `patient:${patientId}`
        } as const
        const patient = yield* patientOfClinic(staff, patientId)
        if (Option.isNone(patient))
          return yield* refuse({ ...facts, patientId: null }, new NotFound({ kind: "patient" }))
        const all = yield* messages.listByPatient(staff.clinicId, patientId)
        const threads: Array<MessageThread> = []
        for (const message of all) {
          threads.push(new MessageThread({ message, replies: yield* messages.listReplies(message.id) }))
        }
        yield* audit({ ...facts, patientId, outcome: "success" })
        return Result.succeed(threads)
      })
    )
  })

  return Messaging.of({ send, list, read, reply, staffThread })
})
