/**
 * Clinic API keys: how staff software authenticates to the staff side. A key belongs to one
 * clinic and acts as one staff member; only its SHA-256 is kept, with a short prefix that
 * lets staff recognise it in a list. Kept in the `ApiKeyStore`; issued and checked by `ApiKeys`.
 */
import { Schema } from "effect"
import { ApiKeyId, ClinicId, StaffId } from "./Ids.ts"

/** What every key text starts with, so that a leaked one is recognisable (secret scanners). */
export const API_KEY_PREFIX = "cpk_"

/** Random bytes in a key: 256 bits, base64url (43 characters) after the prefix. */
export const API_KEY_BYTES = 32

/** The length of a key's text: the prefix and 43 base64url characters. */
export const API_KEY_LENGTH = API_KEY_PREFIX.length + Math.ceil((API_KEY_BYTES * 4) / 3)

/** A staff id a key may act as: 1 to 64 letters, digits, `.`, `_`, `@` or `-`, e.g. `reception`. */
export const StaffIdText = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
      message: "a staff id of 1 to 64 letters, digits, '.', '_', '@' or '-', e.g. reception"
    })
  )
)

/** How many leading characters of a key are kept to display (`cpk_` and 8 random ones). */
export const DISPLAY_PREFIX_LENGTH = 12

/** A clinic API key as stored: never its text, only the text's hash and displayable prefix. */
export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  id: ApiKeyId,
  clinicId: ClinicId,
  /** Who the key acts as in the audit log, e.g. `reception`. */
  staffId: StaffId,
  /** What the key is for, e.g. "front-desk app". */
  label: Schema.String,
  /** The key's first 12 characters, e.g. `cpk_AbCd1234`: safe to show, enough to recognise it. */
  prefix: Schema.String,
  /** Hex SHA-256 of the whole key text. */
  keyHash: Schema.String,
  createdAt: Schema.DateTimeUtc,
  /** When it stopped working; none while it works. */
  revokedAt: Schema.OptionFromNullOr(Schema.DateTimeUtc)
}) {}
