/**
 * Where messages and replies are kept, with the keyset order the patient's listing pages by.
 */
import { Context, DateTime, Effect, Layer, Option, TxRef } from "effect"
import type { ClinicId, MessageId, PatientId } from "./Ids.ts"
import { type MemoryHandle, memoryLayer } from "./internal/memory.ts"
import type { Message, MessageReply } from "./Message.ts"

/**
 * A position in a patient's listing: messages are ordered newest first by `sentAt`, ties
 * broken by `id` descending (in a database: `ORDER BY sent_at DESC, id COLLATE "C" DESC`).
 */
export interface MessageKey {
  readonly sentAt: DateTime.Utc
  readonly id: MessageId
}

/** The state of the in-memory message repository. */
export interface MessageState {
  readonly messages: ReadonlyMap<MessageId, Message>
  /** Every reply, in the order written. */
  readonly replies: ReadonlyArray<MessageReply>
}

/** Messages and their replies. */
export class MessageRepo extends Context.Service<
  MessageRepo,
  {
    /** Inserts or replaces a message (marking it read replaces it). */
    readonly save: (message: Message) => Effect.Effect<void>
    readonly findById: (id: MessageId) => Effect.Effect<Option.Option<Message>>
    /**
     * Up to `limit` of a patient's messages in that clinic, newest first, starting strictly
     * after `after` in that order (from the newest when none).
     */
    readonly pageByPatient: (
      clinicId: ClinicId,
      patientId: PatientId,
      after: Option.Option<MessageKey>,
      limit: number
    ) => Effect.Effect<ReadonlyArray<Message>>
    /** Every message of a patient in that clinic, newest first. */
    readonly listByPatient: (
      clinicId: ClinicId,
      patientId: PatientId
    ) => Effect.Effect<ReadonlyArray<Message>>
    readonly saveReply: (reply: MessageReply) => Effect.Effect<void>
    /** A message's replies, oldest first. */
    readonly listReplies: (messageId: MessageId) => Effect.Effect<ReadonlyArray<MessageReply>>
  }
>()("@careportal/domain/MessageRepo") {
  /** In memory; also provides `MessageRepoMemory`. */
  static readonly layerMemory: Layer.Layer<MessageRepo | MessageRepoMemory> = Layer.suspend(() =>
    memoryLayer(MessageRepo, MessageRepoMemory, () => ({ messages: new Map(), replies: [] }), makeMemory)
  )
}

/** The in-memory message repository's state. */
export class MessageRepoMemory extends Context.Service<MessageRepoMemory, MemoryHandle<MessageState>>()(
  "@careportal/domain/MessageRepoMemory"
) {}

/** Negative when `a` comes before `b` in a listing (newer, or as new with the greater id). */
export const compareNewestFirst = (a: MessageKey, b: MessageKey): number => {
  const byTime = DateTime.toEpochMillis(b.sentAt) - DateTime.toEpochMillis(a.sentAt)
  if (byTime !== 0) return byTime
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1
}

const makeMemory = (state: TxRef.TxRef<MessageState>) => {
  const ofPatient = (s: MessageState, clinicId: ClinicId, patientId: PatientId) =>
    [...s.messages.values()]
      .filter((m) => m.clinicId === clinicId && m.patientId === patientId)
      .sort(compareNewestFirst)
  return MessageRepo.of({
    save: (message) =>
      TxRef.update(state, (s) => ({ ...s, messages: new Map(s.messages).set(message.id, message) })),
    findById: (id) => Effect.map(TxRef.get(state), (s) => Option.fromUndefinedOr(s.messages.get(id))),
    pageByPatient: (clinicId, patientId, after, limit) =>
      Effect.map(TxRef.get(state), (s) =>
        ofPatient(s, clinicId, patientId)
          .filter((m) => Option.isNone(after) || compareNewestFirst(m, after.value) > 0)
          .slice(0, limit)
      ),
    listByPatient: (clinicId, patientId) =>
      Effect.map(TxRef.get(state), (s) => ofPatient(s, clinicId, patientId)),
    saveReply: (reply) => TxRef.update(state, (s) => ({ ...s, replies: [...s.replies, reply] })),
    listReplies: (messageId) =>
      Effect.map(TxRef.get(state), (s) => s.replies.filter((r) => r.messageId === messageId))
  })
}
