/**
 * Photo uploads on `Uploads`. The multipart body is read as a stream and counted as it
 * arrives: at the first byte past `MAX_UPLOAD_BYTES` reading stops and the upload answers 413
 * without the domain being called, so an oversized body is never held whole nor stored.
 */

import { type Authentication, Upload, Uploads } from "@careportal/domain"
import { Effect, Layer, Schema, Stream } from "effect"
import { Multipart } from "effect/http"
import { HttpApiBuilder, type HttpApiGroup, HttpApiMiddleware } from "effect/http-api"
import { type ApiConfig, layerPatientAuth } from "../Auth.ts"
import { Api, CurrentPatient, PHOTO_FIELD } from "../Contract.ts"
import { exposed } from "../Errors.ts"

/** The upload body is not multipart with one file part. */
export class UploadMalformed extends Schema.TaggedError<UploadMalformed>()("UploadMalformed", {
  field: Schema.String,
  problem: Schema.Literals(["missing", "too-many-parts", "unreadable"])
}) {
  override get message() {
    if (this.problem === "missing")
      return `Choose a photo and send it as the "${this.field}" file of a multipart form.`
    if (this.problem === "too-many-parts") return "Send one photo at a time."
    return "The upload could not be read. Choose the photo again and send it."
  }
}

const tooLarge = (size: number) =>
  new Upload.UploadRejected({ reason: "too-large", size, maxSize: Upload.MAX_UPLOAD_BYTES })

/** The parser's own refusals, as the API's. */
const fromMultipart = (error: Multipart.MultipartError, read: number) => {
  switch (error.reason._tag) {
    case "FileTooLarge":
    case "BodyTooLarge":
      return tooLarge(Math.max(read, Upload.MAX_UPLOAD_BYTES + 1))
    case "TooManyParts":
      return new UploadMalformed({ field: PHOTO_FIELD, problem: "too-many-parts" })
    default:
      return new UploadMalformed({ field: PHOTO_FIELD, problem: "unreadable" })
  }
}

/**
 * The one file part of a multipart body, its bytes counted as they arrive: past
 * `MAX_UPLOAD_BYTES` the stream is abandoned (the rest of the body is never read into memory).
 */
export const readPhoto = (parts: Stream.Stream<Multipart.Part, Multipart.MultipartError>) =>
  Effect.gen(function* () {
    let photo: { readonly bytes: Uint8Array; readonly fileName: string } | undefined
    let read = 0
    yield* Stream.runForEach(parts, (part) =>
      Effect.gen(function* () {
        if (part._tag !== "File") return
        if (photo !== undefined)
          return yield* Effect.fail(new UploadMalformed({ field: PHOTO_FIELD, problem: "too-many-parts" }))
        const chunks: Array<Uint8Array> = []
        yield* Stream.runForEach(part.content, (chunk) => {
          read += chunk.length
          if (read > Upload.MAX_UPLOAD_BYTES) return Effect.fail(tooLarge(read))
          chunks.push(chunk)
          return Effect.void
        })
        const bytes = new Uint8Array(read)
        let at = 0
        for (const chunk of chunks) {
          bytes.set(chunk, at)
          at += chunk.length
        }
        photo = { bytes, fileName: part.name }
      })
    ).pipe(Effect.catchIf(Multipart.isMultipartError, (error) => Effect.fail(fromMultipart(error, read))))
    if (photo === undefined)
      return yield* Effect.fail(new UploadMalformed({ field: PHOTO_FIELD, problem: "missing" }))
    return photo
  })

/** `GET` and `POST /v1/uploads/:id`. */
export const UploadsHandlers = HttpApiBuilder.group(
  Api,
  "uploads",
  Effect.fn(function* (handlers) {
    const uploads = yield* Uploads.Uploads
    return handlers
      .handle("describe", ({ params }) =>
        Effect.flatMap(Effect.service(CurrentPatient), (principal) =>
          uploads.describe(principal, params.id).pipe(exposed)
        )
      )
      .handle("upload", ({ params, payload }) =>
        Effect.gen(function* () {
          const principal = yield* CurrentPatient
          const photo = yield* readPhoto(payload)
          return yield* uploads.upload(principal, params.id, photo.bytes, photo.fileName)
        }).pipe(exposed)
      )
  })
)

/** The uploads group's handlers with patient auth and problem details. Needs Uploads, Authentication and ApiConfig. */
export const layer: Layer.Layer<
  HttpApiGroup.Service<"careportal", "uploads">,
  never,
  Uploads.Uploads | Authentication.Authentication | ApiConfig
> = UploadsHandlers.pipe(
  Layer.provide(layerPatientAuth),
  Layer.provide(HttpApiMiddleware.layerProblemDetails({ includeDetails: true }))
)
