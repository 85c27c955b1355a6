/**
 * Photo uploads: the caller's upload request (what the clinic asks for, whether it still takes
 * a photo) and the photo itself, sent as `multipart/form-data` with one file part. The body is
 * read as a stream and refused at the first byte past 10 MiB, before it is all read or stored.
 *
 * Statuses: not a photo 415 (the bytes are not a JPEG, PNG or HEIC image: an unsupported media
 * type, whatever the file is called); too large 413; a used or cancelled request 409 (a state
 * a new request fixes); an expired one 410 (like an expired code); a missing or foreign
 * request 404; a body that is not multipart with one file part 400.
 */

import { Ids, Upload } from "@careportal/domain"
import { Schema } from "effect"
import { Multipart } from "effect/http"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { docs, errorBody, NotFound, PatientAuth } from "./Common.ts"

/** The multipart field that carries the photo (any single file part is taken). */
export const PHOTO_FIELD = "photo"

/** The most parts an upload body may have: the photo and a few form fields a browser may add. */
export const MAX_UPLOAD_PARTS = 8

const rejected = (
  identifier: string,
  reason: typeof Upload.UploadRejected.fields.reason.Type,
  status: number
) =>
  Schema.Struct({
    error: Schema.tag("UploadRejected"),
    message: Schema.String,
    reason: Schema.Literal(reason),
    /** The file's size in bytes; for a body cut off at the cap, the bytes read before it. */
    size: Schema.Int,
    maxSize: Schema.Int
  }).pipe(HttpApiSchema.status(status), (s) => s.annotate({ identifier }))

/** The bytes are not a JPEG, PNG or HEIC image (the file name plays no part). */
export const UploadNotAPhoto = rejected("UploadNotAPhoto", "not-a-photo", 415)
/** The photo is over 10 MiB; refused while it streams in, so nothing of it is kept. */
export const UploadTooLarge = rejected("UploadTooLarge", "too-large", 413)
/** The request already has its photo. */
export const UploadRequestUsed = errorBody("UploadRequestUsed", 409, {})
/** The clinic withdrew the request. */
export const UploadRequestCancelled = errorBody("UploadRequestCancelled", 409, {})
/** The request's link lifetime has passed. */
export const UploadRequestExpired = errorBody("UploadRequestExpired", 410, {})
/** The body is not `multipart/form-data` carrying one file part; `field` names what is missing or wrong. */
export const UploadMalformed = errorBody("UploadMalformed", 400, {
  field: Schema.String,
  problem: Schema.Literals(["missing", "too-many-parts", "unreadable"])
})

/** The error bodies of uploads. */
export type UploadsError =
  | typeof UploadNotAPhoto.Type
  | typeof UploadTooLarge.Type
  | typeof UploadRequestUsed.Type
  | typeof UploadRequestCancelled.Type
  | typeof UploadRequestExpired.Type
  | typeof UploadMalformed.Type

/** The photo part, for the OpenAPI document; the server reads the body as a stream. */
export const PhotoUpload = Schema.Struct({ [PHOTO_FIELD]: Multipart.SingleFileSchema }).pipe(
  HttpApiSchema.asMultipartStream({
    maxParts: MAX_UPLOAD_PARTS,
    // Small: a form field is never a photo.
    maxFieldSize: 64 * 1024,
    // Backstops with slack (the parser counts some boundary bytes into a part); the exact cap
    // on the photo's bytes is counted by the handler.
    maxFileSize: Upload.MAX_UPLOAD_BYTES + 64 * 1024,
    maxTotalSize: Upload.MAX_UPLOAD_BYTES + 1024 * 1024
  })
)

/** The caller's upload requests, reached through a session the upload link (or a login) opened. */
export class UploadsGroup extends HttpApiGroup.make("uploads")
  .add(
    HttpApiEndpoint.get("describe", "/v1/uploads/:id", {
      params: { id: Ids.UploadRequestId },
      success: Upload.UploadRequestView,
      error: NotFound
    }).annotateMerge(
      docs(
        "Describe one of the caller's upload requests",
        "What the clinic asks for (`note`), whether it still takes a photo (`state`: `open`, " +
          "`used`, `cancelled` or `expired`) and when it expires. Another patient's or a missing " +
          "request answers 404 `NotFound`."
      )
    ),
    HttpApiEndpoint.post("upload", "/v1/uploads/:id", {
      params: { id: Ids.UploadRequestId },
      payload: PhotoUpload,
      success: Upload.PhotoFiled.pipe(HttpApiSchema.status(201)),
      error: [
        NotFound,
        UploadNotAPhoto,
        UploadTooLarge,
        UploadRequestUsed,
        UploadRequestCancelled,
        UploadRequestExpired,
        UploadMalformed
      ]
    }).annotateMerge(
      docs(
        "Upload the photo an upload request asks for",
        "Send `multipart/form-data` with one file part (named `photo`; any single file part is " +
          "taken). The photo must be a JPEG, PNG or HEIC image, judged by its bytes, not its name, " +
          "and at most 10 MiB. Answers 201 with the chart entry and file it was filed as; the " +
          "request is then used.",
        "Not a JPEG, PNG or HEIC image: 415 `UploadRejected` (`reason: not-a-photo`). Over 10 MiB: " +
          "413 `UploadRejected` (`reason: too-large`), " +
          "refused at the first byte past the cap while the body streams in, so nothing of it is " +
          "kept. A body that is not multipart with one file part: 400 `UploadMalformed`. A request " +
          "already used or withdrawn by the clinic: 409 `UploadRequestUsed` or " +
          "`UploadRequestCancelled`; expired: 410 `UploadRequestExpired` (ask the clinic for a new " +
          "one); another patient's or a missing request: 404 `NotFound`."
      )
    )
  )
  .middleware(PatientAuth)
  .annotate(
    OpenApi.Description,
    "Photos the clinic asked the patient for through an upload link. Patient session required " +
      "(`sessionToken` or `sessionCookie`): the session that opening the upload link started, or a " +
      "login."
  ) {}
