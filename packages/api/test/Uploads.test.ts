import { AuditLog, Chart, FileStore, type Ids, Upload, Uploads } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TxRef } from "effect"
import { HttpClientRequest, HttpServer } from "effect/http"
import { loginAs, rawJson } from "./CareSupport.ts"
import { ada, bearerClient, client, codeFor, errorTag, grace, seed, staff, TestServer } from "./support.ts"

const MAX = Upload.MAX_UPLOAD_BYTES
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52
])

/** Bytes that open with the PNG signature, so only their size can refuse them. */
const pngOfSize = (size: number) => {
  const bytes = new Uint8Array(size)
  bytes.set(PNG)
  return bytes
}

/** A form with one file part `photo`. */
const photoForm = (bytes: Uint8Array, name: string, type = "image/png") => {
  const form = new FormData()
  form.append("photo", new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name)
  return form
}

const postForm = (token: string, id: string, form: FormData) =>
  rawJson(
    HttpClientRequest.post(`/v1/uploads/${id}`).pipe(
      HttpClientRequest.bearerToken(token),
      HttpClientRequest.bodyFormData(form)
    )
  )

/** The patient opens the upload link with the code their email received and their date of birth. */
const openUploadLink = (linkId: Ids.ChallengeId, dateOfBirth: string) =>
  Effect.gen(function* () {
    const code = yield* codeFor(linkId)
    const opened = yield* (yield* client).links.open({
      params: { linkId },
      payload: { code, dateOfBirth, stayLoggedIn: false }
    })
    return opened
  })

/** What the stores hold: files, chart entries, and the photo audit events. */
const stored = Effect.gen(function* () {
  const files = yield* TxRef.get((yield* FileStore.FileStoreMemory).state)
  const chart = yield* TxRef.get((yield* Chart.ChartRepoMemory).state)
  const audit = yield* TxRef.get((yield* AuditLog.AuditLogMemory).state)
  return {
    files: files.size,
    chart: chart.length,
    photoEvents: audit.filter((e) => e.action === "photo.uploaded").length
  }
})

describe("uploads through the API", () => {
  it.live(
    "the upload link opens a session; a PNG is filed once; a non-photo and a too-large one are refused",
    () =>
      Effect.gen(function* () {
        yield* seed
        const { request, link } = yield* Effect.flatMap(Uploads.Uploads, (u) =>
          u.request(staff, { patientId: ada.id, note: "The rash on your left arm" })
        )
        const opened = yield* openUploadLink(link.linkId, ada.dateOfBirth)
        assert.strictEqual(opened.purpose, "upload-link")
        assert.deepStrictEqual([opened.target.kind, opened.target.id], ["upload-request", request.id])
        const token = opened.token
        const me = yield* bearerClient(token)

        const view = yield* me.uploads.describe({ params: { id: request.id } })
        assert.deepStrictEqual(
          [view.id, view.note, view.state],
          [request.id, "The rash on your left arm", "open"]
        )

        const text = yield* postForm(
          token,
          request.id,
          photoForm(new TextEncoder().encode("not a picture at all"), "photo.jpg", "image/jpeg")
        )
        assert.strictEqual(text.status, 415)
        assert.deepStrictEqual(
          [text.body.error, text.body.reason, text.body.size],
          ["UploadRejected", "not-a-photo", 20]
        )
        assert.include(String(text.body.message), "JPEG, PNG or HEIC")

        const afterText = yield* stored
        const big = yield* postForm(token, request.id, photoForm(pngOfSize(MAX + 1), "big.png"))
        assert.strictEqual(big.status, 413)
        assert.deepStrictEqual(
          [big.body.error, big.body.reason, big.body.maxSize],
          ["UploadRejected", "too-large", MAX]
        )
        assert.isAbove(big.body.size as number, MAX)
        const afterBig = yield* stored
        // Refused before the domain was called: nothing stored, and no upload attempt audited.
        assert.deepStrictEqual(afterBig, afterText)

        const filed = yield* me.uploads.upload({
          params: { id: request.id },
          payload: photoForm(pngOfSize(1_024), "arm.png")
        })
        assert.strictEqual(filed.contentType, "image/png")
        assert.strictEqual(filed.size, 1_024)
        const chart = yield* TxRef.get((yield* Chart.ChartRepoMemory).state)
        const entry = chart.find((e) => e.id === filed.chartEntryId)
        assert.isDefined(entry)
        assert.strictEqual(entry?.kind, "photo")
        assert.strictEqual(entry?.patientId, ada.id)
        assert.deepStrictEqual(entry?.content, {
          fileId: filed.fileId,
          contentType: "image/png",
          size: 1_024,
          fileName: "arm.png"
        })

        const again = yield* postForm(token, request.id, photoForm(pngOfSize(64), "again.png"))
        assert.strictEqual(again.status, 409)
        assert.strictEqual(again.body.error, "UploadRequestUsed")
        const usedFailure = yield* Effect.flip(
          me.uploads.upload({ params: { id: request.id }, payload: photoForm(pngOfSize(64), "again.png") })
        )
        assert.strictEqual(errorTag(usedFailure), "UploadRequestUsed")
        assert.strictEqual((yield* me.uploads.describe({ params: { id: request.id } })).state, "used")
      }).pipe(Effect.provide(TestServer()))
  )

  it.live("10 MiB exactly is taken; 10 MiB + 1 byte is refused 413 and nothing is stored", () =>
    Effect.gen(function* () {
      yield* seed
      const token = yield* loginAs(ada)
      const uploads = yield* Uploads.Uploads
      const first = yield* uploads.request(staff, { patientId: ada.id })
      const before = yield* stored
      const over = yield* postForm(token, first.request.id, photoForm(pngOfSize(MAX + 1), "over.png"))
      assert.strictEqual(over.status, 413)
      assert.deepStrictEqual([over.body.error, over.body.reason], ["UploadRejected", "too-large"])
      assert.deepStrictEqual(yield* stored, before)
      const exact = yield* postForm(token, first.request.id, photoForm(pngOfSize(MAX), "exact.png"))
      assert.strictEqual(exact.status, 201)
      assert.strictEqual(exact.body.size, MAX)
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a streamed body that would be 50 MiB is refused while it streams, the domain never called", () =>
    Effect.gen(function* () {
      yield* seed
      const token = yield* loginAs(ada)
      const { request } = yield* Effect.flatMap(Uploads.Uploads, (u) =>
        u.request(staff, { patientId: ada.id })
      )
      const before = yield* stored
      const address = (yield* HttpServer.HttpServer).address
      if (!("port" in address)) return assert.fail("not a TCP server")

      const TOTAL = 50 * 1024 * 1024
      const CHUNK = 256 * 1024
      const boundary = "careportal-test-boundary"
      const head = new TextEncoder().encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n`
      )
      let sent = 0
      let first = true
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (first) {
            first = false
            controller.enqueue(head)
            controller.enqueue(PNG)
            return
          }
          if (sent >= TOTAL) return controller.close()
          sent += CHUNK
          controller.enqueue(new Uint8Array(CHUNK))
        }
      })
      const response = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${address.port}/v1/uploads/${request.id}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": `multipart/form-data; boundary=${boundary}`
          },
          body,
          duplex: "half"
        } as RequestInit)
      )
      const json = (yield* Effect.promise(() => response.json())) as Record<string, unknown>
      assert.strictEqual(response.status, 413)
      assert.deepStrictEqual([json.error, json.reason, json.maxSize], ["UploadRejected", "too-large", MAX])
      // The answer came while the body was still streaming: far from all of it was sent.
      assert.isBelow(sent, 20 * 1024 * 1024)
      // The domain was never called: no file, no chart entry, not even a refused upload audited.
      assert.deepStrictEqual(yield* stored, before)
      yield* Effect.promise(() => body.cancel().catch(() => undefined))
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("another patient's upload request answers 404 like a missing one; no session answers 401", () =>
    Effect.gen(function* () {
      yield* seed
      const uploads = yield* Uploads.Uploads
      const graces = yield* uploads.request(staff, { patientId: grace.id })
      const token = yield* loginAs(ada)
      const me = yield* bearerClient(token)
      const before = yield* stored

      const read = yield* Effect.flip(me.uploads.describe({ params: { id: graces.request.id } }))
      assert.strictEqual(errorTag(read), "NotFound")
      const foreign = yield* postForm(token, graces.request.id, photoForm(pngOfSize(64), "a.png"))
      const missing = yield* postForm(token, "no-such-request", photoForm(pngOfSize(64), "a.png"))
      assert.strictEqual(foreign.status, 404)
      assert.deepStrictEqual(foreign.body, missing.body)
      assert.deepStrictEqual([foreign.body.error, foreign.body.kind], ["NotFound", "upload-request"])
      const after = yield* stored
      assert.deepStrictEqual([after.files, after.chart], [before.files, before.chart])

      const anonymous = yield* rawJson(
        HttpClientRequest.post(`/v1/uploads/${graces.request.id}`).pipe(
          HttpClientRequest.bodyFormData(photoForm(pngOfSize(64), "a.png"))
        )
      )
      assert.strictEqual(anonymous.status, 401)
      assert.strictEqual(anonymous.body.error, "SessionExpired")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a cancelled request answers 409; a body without a file answers 400 naming the field", () =>
    Effect.gen(function* () {
      yield* seed
      const uploads = yield* Uploads.Uploads
      const token = yield* loginAs(ada)
      const open = yield* uploads.request(staff, { patientId: ada.id })
      const noFile = new FormData()
      noFile.append("note", "hello")
      const empty = yield* postForm(token, open.request.id, noFile)
      assert.strictEqual(empty.status, 400)
      assert.deepStrictEqual(
        [empty.body.error, empty.body.field, empty.body.problem],
        ["UploadMalformed", "photo", "missing"]
      )
      const two = new FormData()
      two.append("photo", new Blob([PNG]), "a.png")
      two.append("other", new Blob([PNG]), "b.png")
      const twice = yield* postForm(token, open.request.id, two)
      assert.strictEqual(twice.status, 400)
      assert.strictEqual(twice.body.problem, "too-many-parts")

      yield* uploads.cancel(staff, open.request.id)
      const cancelled = yield* postForm(token, open.request.id, photoForm(pngOfSize(64), "a.png"))
      assert.strictEqual(cancelled.status, 409)
      assert.strictEqual(cancelled.body.error, "UploadRequestCancelled")
    }).pipe(Effect.provide(TestServer()))
  )
})

describe("the uploads routes in the OpenAPI document", () => {
  it.live("/openapi.json lists both upload routes, the multipart body and each error status", () =>
    Effect.gen(function* () {
      const res = yield* rawJson(HttpClientRequest.get("/openapi.json"))
      type Operation = { readonly requestBody?: { readonly content: object }; readonly responses: object }
      const path = (res.body.paths as Record<string, Record<string, Operation>>)["/v1/uploads/{id}"]
      assert.isDefined(path?.get)
      assert.deepStrictEqual(Object.keys(path?.post?.requestBody?.content ?? {}), ["multipart/form-data"])
      assert.deepStrictEqual(Object.keys(path?.post?.responses ?? {}), [
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "410",
        "413",
        "415",
        "500"
      ])
    }).pipe(Effect.provide(TestServer()))
  )
})
