/**
 * Failures of the care features. A record that does not exist and a record that belongs to
 * someone else answer the same `NotFound`, so existence never leaks.
 */
import { Schema } from "effect"

/** The kinds of record `NotFound` can name. */
export const RecordKind = Schema.Literals([
  "patient",
  "message",
  "provider",
  "appointment-type",
  "appointment",
  "questionnaire",
  "task",
  "upload-request",
  "chart-entry",
  "clinic",
  "virtual-visit",
  "api-key"
])
export type RecordKind = typeof RecordKind.Type

/** No such record among the caller's: it does not exist, or it is someone else's. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  kind: RecordKind
}) {
  override get message() {
    return `There is no such ${this.kind.replace("-", " ")} among yours. It may have been removed; refresh and try again.`
  }
}

/** Someone else holds that time with this provider (also when two people book it at once). */
export class SlotTaken extends Schema.TaggedError<SlotTaken>()("SlotTaken", {}) {
  override get message() {
    return "That time was just taken. Choose another time from the provider's current availability."
  }
}
