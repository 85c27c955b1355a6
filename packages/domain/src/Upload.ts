/**
 * Upload requests and the photo rules: staff ask a patient for a photo through a secure
 * link; what the patient sends is accepted only when its bytes are a JPEG, PNG or HEIC image
 * of at most `MAX_UPLOAD_BYTES`. The file name is never trusted.
 */
import { DateTime, Schema } from "effect"
import { ChartEntryId, ClinicId, FileId, PatientId, StaffId, UploadRequestId } from "./Ids.ts"

/** One mebibyte. */
export const MIB = 1024 * 1024

/** The largest photo accepted, in bytes (10 MiB): the one place this limit is set. */
export const MAX_UPLOAD_BYTES = 10 * MIB

/** The longest note staff may attach to an upload request, in characters. */
export const MAX_NOTE_LENGTH = 1_000

/** A staff request that a patient upload a photo. */
export class UploadRequest extends Schema.Class<UploadRequest>("UploadRequest")({
  id: UploadRequestId,
  clinicId: ClinicId,
  patientId: PatientId,
  requestedBy: StaffId,
  /** What staff ask for, shown to the patient once they have opened the link; never in a notification. */
  note: Schema.NullOr(Schema.String),
  createdAt: Schema.DateTimeUtc,
  /** The end of the upload link's lifetime; the request closes with it. */
  expiresAt: Schema.DateTimeUtc,
  /** When a photo was accepted for it. */
  usedAt: Schema.NullOr(Schema.DateTimeUtc),
  /** The chart entry the photo was filed as. */
  chartEntryId: Schema.NullOr(ChartEntryId),
  cancelledAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** Where an upload request stands. Used and cancelled outrank expired. */
export const UploadRequestState = Schema.Literals(["open", "used", "cancelled", "expired"])
export type UploadRequestState = typeof UploadRequestState.Type

/** The state of a request at `now`. */
export const stateOfRequest = (request: UploadRequest, now: DateTime.Utc): UploadRequestState => {
  if (request.usedAt !== null) return "used"
  if (request.cancelledAt !== null) return "cancelled"
  if (DateTime.isGreaterThanOrEqualTo(now, request.expiresAt)) return "expired"
  return "open"
}

/** A request as its patient sees it after opening the upload link. */
export class UploadRequestView extends Schema.Class<UploadRequestView>("UploadRequestView")({
  id: UploadRequestId,
  note: Schema.NullOr(Schema.String),
  state: UploadRequestState,
  expiresAt: Schema.DateTimeUtc
}) {}

/** A request with its state, as staff see it. */
export class UploadRequestSummary extends Schema.Class<UploadRequestSummary>("UploadRequestSummary")({
  request: UploadRequest,
  state: UploadRequestState
}) {}

/** The image types accepted, by content. */
export const PhotoContentType = Schema.Literals(["image/jpeg", "image/png", "image/heic", "image/heif"])
export type PhotoContentType = typeof PhotoContentType.Type

/** What a photo was filed as: the chart entry and the stored file. */
export class PhotoFiled extends Schema.Class<PhotoFiled>("PhotoFiled")({
  chartEntryId: ChartEntryId,
  fileId: FileId,
  contentType: PhotoContentType,
  size: Schema.Int
}) {}

/** The uploaded file is not a photo the clinic can take, or is too large. */
export class UploadRejected extends Schema.TaggedError<UploadRejected>()("UploadRejected", {
  reason: Schema.Literals(["not-a-photo", "too-large"]),
  /** The file's size in bytes. */
  size: Schema.Int,
  maxSize: Schema.Int
}) {
  override get message() {
    return this.reason === "not-a-photo"
      ? "This file is not a JPEG, PNG or HEIC photo. Take a photo with your phone's camera, or choose a JPEG, PNG or HEIC picture, and upload it again."
      : `This photo is larger than ${formatMiB(this.maxSize)}: ${formatSize(this.size, this.maxSize)}. Take it again at a lower resolution, or crop it, and upload it again.`
  }
}

/** The upload link was already used for a photo; each link takes one. */
export class UploadRequestUsed extends Schema.TaggedError<UploadRequestUsed>()("UploadRequestUsed", {}) {
  override get message() {
    return "This upload link was already used: the clinic has your photo. To send another, ask the clinic for a new upload link."
  }
}

/** The upload link's lifetime has passed. */
export class UploadRequestExpired extends Schema.TaggedError<UploadRequestExpired>()(
  "UploadRequestExpired",
  {}
) {
  override get message() {
    return "This upload link has expired. Ask the clinic for a new upload link."
  }
}

/** The clinic withdrew the request. */
export class UploadRequestCancelled extends Schema.TaggedError<UploadRequestCancelled>()(
  "UploadRequestCancelled",
  {}
) {
  override get message() {
    return "The clinic no longer needs this photo and has cancelled the request. Call the clinic if you still want to send one."
  }
}

/** A note longer than `MAX_NOTE_LENGTH`. */
export class UploadNoteInvalid extends Schema.TaggedError<UploadNoteInvalid>()("UploadNoteInvalid", {
  length: Schema.Int,
  maxLength: Schema.Int
}) {
  override get message() {
    return `The note is too long: ${this.length} characters, at most ${this.maxLength}. Shorten it and try again.`
  }
}

/** Why a request is closed, as the error the patient (or staff) sees. */
export type UploadRequestClosed = UploadRequestUsed | UploadRequestExpired | UploadRequestCancelled

/** The error for a request that is not open. */
export const closedError = (state: Exclude<UploadRequestState, "open">): UploadRequestClosed => {
  switch (state) {
    case "used":
      return new UploadRequestUsed()
    case "expired":
      return new UploadRequestExpired()
    case "cancelled":
      return new UploadRequestCancelled()
  }
}

const formatMiB = (bytes: number) => `${Number((bytes / MIB).toFixed(1))} MiB`

/** A size for the patient: MiB to one decimal, or bytes where the rounding would hide the excess. */
const formatSize = (size: number, maxSize: number) => {
  const mib = (size / MIB).toFixed(1)
  return Number(mib) * MIB > maxSize ? `${mib} MiB` : `${size} bytes`
}

const JPEG = [0xff, 0xd8, 0xff] as const
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const

/** HEIF brands of HEVC-coded images and sequences: `image/heic`. */
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx"])
/** Generic HEIF brands (image and sequence): `image/heif`. */
const HEIF_BRANDS = new Set(["mif1", "msf1"])

const startsWith = (bytes: Uint8Array, signature: ReadonlyArray<number>) =>
  bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b)

const fourCC = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0)

/**
 * The brands of a leading ISO-BMFF `ftyp` box: major brand first, then the compatible
 * brands. Empty when the file does not open with a well-formed one (a box of at least 16
 * bytes, the major brand and minor version, that fits in the file; size 0 means "to the end").
 */
const ftypBrands = (bytes: Uint8Array): ReadonlyArray<string> => {
  if (bytes.length < 16 || fourCC(bytes, 4) !== "ftyp") return []
  const declared =
    (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0
  const size = declared === 0 ? bytes.length : declared
  if (size < 16 || size > bytes.length) return []
  const brands = [fourCC(bytes, 8)]
  for (let at = 16; at + 4 <= size; at += 4) brands.push(fourCC(bytes, at))
  return brands
}

/**
 * The photo type of some bytes, by their signature only: JPEG (`FF D8 FF`), PNG (its
 * 8-byte signature) or HEIC/HEIF (an `ftyp` box at offset 4 whose major or compatible brands
 * include a HEIF brand). `undefined` for anything else, whatever the file is called.
 */
export const detectPhotoType = (bytes: Uint8Array): PhotoContentType | undefined => {
  if (startsWith(bytes, JPEG)) return "image/jpeg"
  if (startsWith(bytes, PNG)) return "image/png"
  const brands = ftypBrands(bytes)
  if (brands.some((b) => HEIC_BRANDS.has(b))) return "image/heic"
  if (brands.some((b) => HEIF_BRANDS.has(b))) return "image/heif"
  return undefined
}

/** Judges an upload: its type by content, then its size; the content type when it is acceptable. */
export const judgePhoto = (
  bytes: Uint8Array,
  maxSize: number = MAX_UPLOAD_BYTES
): { readonly contentType: PhotoContentType } | UploadRejected => {
  const contentType = detectPhotoType(bytes)
  if (contentType === undefined)
    return new UploadRejected({ reason: "not-a-photo", size: bytes.length, maxSize })
  if (bytes.length > maxSize) return new UploadRejected({ reason: "too-large", size: bytes.length, maxSize })
  return { contentType }
}
