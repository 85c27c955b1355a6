/**
 * Opaque page cursors: a listing's place as a tuple behind the listing's own tag, written as
 * base64url JSON (`["p1", …]`). The tag versions the format and keeps one listing from taking
 * another's cursor; the length cap turns a huge input away before anything is decoded.
 */
import { Option, Result, Schema } from "effect"
import { Base64Url } from "effect/encoding"

/** Writes and reads the cursors of one listing. */
export interface TaggedCursor<A, E> {
  /** The cursor for a place, given as the JSON values after the tag. */
  readonly encode: (fields: E) => string
  /** The place a cursor stands for; `None` for anything `encode` did not produce. */
  readonly decode: (cursor: string) => Option.Option<A>
}

const decodeJson = Schema.decodeUnknownOption(Schema.fromJsonString(Schema.Unknown))

/**
 * The cursors tagged `tag` whose values after the tag are the tuple `fields` decodes (exactly
 * those values); a cursor longer than `maxLength` is refused unread.
 */
export const taggedCursor = <A extends ReadonlyArray<unknown>, E extends ReadonlyArray<unknown>>(options: {
  readonly tag: string
  readonly fields: Schema.Codec<A, E>
  readonly maxLength: number
}): TaggedCursor<A, E> => {
  const decodeFields = Schema.decodeUnknownOption(options.fields)
  return {
    encode: (fields) => Base64Url.encode(JSON.stringify([options.tag, ...fields])),
    decode: (cursor) => {
      if (cursor.length > options.maxLength) return Option.none()
      const text = Base64Url.decodeString(cursor)
      if (Result.isFailure(text)) return Option.none()
      return Option.flatMap(decodeJson(text.success), (json) =>
        Array.isArray(json) && json[0] === options.tag ? decodeFields(json.slice(1)) : Option.none()
      )
    }
  }
}

/** The instants PostgreSQL and ISO strings both hold (years 1 to 9999); others are no cursor of ours. */
const MIN_CURSOR_MILLIS = -62_135_596_800_000
const MAX_CURSOR_MILLIS = 253_402_300_799_999

/** The values of a cursor that stands after (an instant in epoch milliseconds, an id). */
export const InstantAndId = Schema.Tuple([
  Schema.Int.check(Schema.isBetween({ minimum: MIN_CURSOR_MILLIS, maximum: MAX_CURSOR_MILLIS })),
  Schema.String.check(Schema.isNonEmpty())
])
