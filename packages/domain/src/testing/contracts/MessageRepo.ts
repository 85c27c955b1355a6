/**
 * The contract of `MessageRepo`: a message reads back as saved and saving replaces it; a
 * patient's messages list newest first, ties broken by id in code-point order (upper case
 * before lower, `-` before `_`, whatever a database's collation says), and pages walk that
 * listing from strictly after a key without gaps or repeats; replies list in the order written.
 */
import { DateTime, Effect, Option } from "effect"
import { ClinicId, MessageId, PatientId, StaffId } from "../../Ids.ts"
import { Message, MessageReply, MessageReplyId } from "../../Message.ts"
import { compareNewestFirst, type MessageKey, MessageRepo } from "../../MessageRepo.ts"
import { type Contract, contractCase, expect, expectEqual, uniqueId as uuid } from "../Contract.ts"

const T0 = DateTime.makeUnsafe("2030-07-01T09:00:00.000Z")
const minutes = (n: number) => DateTime.addDuration(T0, `${n} minutes`)

/** A clinic and two patients of its own, so that a case sees only its own messages. */
const world = Effect.gen(function* () {
  const id = yield* uuid
  return {
    id,
    clinicId: ClinicId.make(`clinic-${id}`),
    otherClinic: ClinicId.make(`clinic-other-${id}`),
    patient: PatientId.make(`patient-${id}`),
    other: PatientId.make(`patient-other-${id}`)
  }
})

type World = Effect.Success<typeof world>

const makeMessage = (w: World, overrides: Partial<ConstructorParameters<typeof Message>[0]> = {}) =>
  Effect.map(
    uuid,
    (id) =>
      new Message({
        id: MessageId.make(`message-${id}`),
        clinicId: w.clinicId,
        patientId: w.patient,
        senderId: StaffId.make("staff-dr-who"),
        subject: "Your results",
        body: "Your results are in. Nothing to worry about — see you in June. 👍",
        replyAllowed: true,
        sentAt: T0,
        readAt: null,
        ...overrides
      })
  )

const saved = (w: World, overrides: Partial<ConstructorParameters<typeof Message>[0]> = {}) =>
  Effect.gen(function* () {
    const message = yield* makeMessage(w, overrides)
    yield* (yield* MessageRepo).save(message)
    return message
  })

const keyOf = (m: Message): MessageKey => ({ sentAt: m.sentAt, id: m.id })
const ids = (ms: ReadonlyArray<Message>) => ms.map((m) => m.id)

/**
 * A patient's messages where timestamps tie and the ids differ only where code-point order
 * and a linguistic collation disagree; plus messages of others that must never show.
 */
const seedListing = (w: World) =>
  Effect.gen(function* () {
    const mine: Array<Message> = []
    const suffixes = ["-b", "-B", "_a", "-a", "-Z", "-"]
    for (const [i, suffix] of suffixes.entries()) {
      mine.push(yield* saved(w, { id: MessageId.make(`message-${w.id}${suffix}`), sentAt: minutes(i % 2) }))
    }
    mine.push(yield* saved(w, { sentAt: minutes(-60) }))
    mine.push(yield* saved(w, { sentAt: DateTime.makeUnsafe("2030-07-01T09:00:00.001Z") }))
    yield* saved(w, { patientId: w.other, sentAt: minutes(1) })
    yield* saved(w, { clinicId: w.otherClinic, sentAt: minutes(1) })
    return [...mine].sort(compareNewestFirst)
  })

/** The behaviours of every `MessageRepo`. */
export const MessageRepoContract: Contract<MessageRepo> = [
  contractCase(
    "a message reads back as saved, and saving it again replaces it; an unknown id is not found",
    Effect.gen(function* () {
      const repo = yield* MessageRepo
      const w = yield* world
      const message = yield* saved(w, {
        subject: "Ünïcode subject 𝄞",
        replyAllowed: false,
        sentAt: DateTime.makeUnsafe("2030-07-01T09:00:00.321Z")
      })
      yield* expectEqual(yield* repo.findById(message.id), Option.some(message), "the message read back")
      const read = new Message({ ...message, readAt: DateTime.makeUnsafe("2030-07-02T10:11:12.013Z") })
      yield* repo.save(read)
      yield* expectEqual(yield* repo.findById(message.id), Option.some(read), "the message marked read")
      yield* expectEqual(
        yield* repo.listByPatient(w.clinicId, w.patient),
        [read],
        "the listing holds it once"
      )
      yield* expectEqual(
        yield* repo.findById(MessageId.make(`message-missing-${yield* uuid}`)),
        Option.none(),
        "an unknown message"
      )
    })
  ),

  contractCase(
    "a patient's messages list newest first, ties broken by id in code-point order, only theirs in that clinic",
    Effect.gen(function* () {
      const repo = yield* MessageRepo
      const w = yield* world
      yield* expectEqual(yield* repo.listByPatient(w.clinicId, w.patient), [], "no messages yet")
      const expected = yield* seedListing(w)
      yield* expectEqual(yield* repo.listByPatient(w.clinicId, w.patient), expected, "the listing")
      // The order spelled out, so that `compareNewestFirst` itself is pinned too.
      const at = (suffix: string) => MessageId.make(`message-${w.id}${suffix}`)
      yield* expectEqual(
        [...ids(expected).slice(0, 3), ...ids(expected).slice(4, 7)],
        [at("-a"), at("-B"), at("-"), at("_a"), at("-b"), at("-Z")],
        "the messages of each tied instant, by id descending"
      )
      yield* expectEqual(
        (yield* repo.listByPatient(w.clinicId, w.other)).length,
        1,
        "the other patient's messages"
      )
      yield* expectEqual(
        (yield* repo.listByPatient(w.otherClinic, w.patient)).length,
        1,
        "the patient id's messages in the other clinic"
      )
    })
  ),

  contractCase(
    "pages walk the listing from strictly after their key, without gaps or repeats, whatever the page size",
    Effect.gen(function* () {
      const repo = yield* MessageRepo
      const w = yield* world
      const expected = yield* seedListing(w)
      yield* expectEqual(
        yield* repo.pageByPatient(w.clinicId, w.patient, Option.none(), 3),
        expected.slice(0, 3),
        "the first page of three"
      )
      for (const size of [1, 2, 3, 5, 100]) {
        const walked: Array<Message> = []
        let after = Option.none<MessageKey>()
        for (let guard = 0; guard < 20; guard++) {
          const page = yield* repo.pageByPatient(w.clinicId, w.patient, after, size)
          yield* expect(page.length <= size, `a page of ${size} holds ${page.length}`)
          walked.push(...page)
          const last = page[page.length - 1]
          if (page.length < size || last === undefined) break
          after = Option.some(keyOf(last))
        }
        yield* expectEqual(ids(walked), ids(expected), `the listing walked in pages of ${size}`)
      }
      // A key that is no stored message: strictly after it in (sentAt desc, id desc).
      const between: MessageKey = { sentAt: minutes(0), id: MessageId.make(`message-${w.id}-a`) }
      yield* expectEqual(
        ids(yield* repo.pageByPatient(w.clinicId, w.patient, Option.some(between), 100)),
        ids(expected.filter((m) => compareNewestFirst(m, between) > 0)),
        "the page after a key between messages"
      )
      yield* expectEqual(
        yield* repo.pageByPatient(w.clinicId, w.patient, Option.none(), 0),
        [],
        "a page of none"
      )
      const oldest = expected[expected.length - 1] as Message
      yield* expectEqual(
        yield* repo.pageByPatient(w.clinicId, w.patient, Option.some(keyOf(oldest)), 10),
        [],
        "the page after the oldest"
      )
    })
  ),

  contractCase(
    "a message's replies read back in the order written, also when written at one instant",
    Effect.gen(function* () {
      const repo = yield* MessageRepo
      const w = yield* world
      const message = yield* saved(w)
      const other = yield* saved(w)
      yield* expectEqual(yield* repo.listReplies(message.id), [], "no replies yet")
      const replies: Array<MessageReply> = []
      for (const body of ["Thank you!", "One more question: fasting?", "Merci — à bientôt"]) {
        const reply = new MessageReply({
          id: MessageReplyId.make(`reply-${yield* uuid}`),
          clinicId: w.clinicId,
          patientId: w.patient,
          messageId: message.id,
          body,
          sentAt: minutes(10)
        })
        yield* repo.saveReply(reply)
        replies.push(reply)
        if (replies.length === 2) {
          yield* repo.saveReply(
            new MessageReply({
              ...reply,
              id: MessageReplyId.make(`reply-${yield* uuid}`),
              messageId: other.id
            })
          )
        }
      }
      yield* expectEqual(yield* repo.listReplies(message.id), replies, "the replies")
      yield* expectEqual((yield* repo.listReplies(other.id)).length, 1, "the other message's replies")
    })
  )
]
