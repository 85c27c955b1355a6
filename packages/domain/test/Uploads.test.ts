/**
 * Uploads: photos accepted by their bytes only, at most 10 MiB (issue 3, property 7);
 * isolation of upload requests and chart entries between patients and clinics (property 1);
 * the link flow, single use, expiry and cancellation; no note in the notification; the audit
 * trail; and all-or-nothing filing (property 10, uploads part).
 */
import { assert, describe, it } from "@effect/vitest"
import {
  Arbitrary,
  Cause,
  Clock,
  DateTime,
  Duration,
  Effect,
  Exit,
  Layer,
  Option,
  Redacted,
  Schema,
  TxRef
} from "effect"
import { TestClock } from "effect/testing"
import { Actor } from "../src/AuditEvent.ts"
import { AuditLog, AuditLogMemory } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import type * as AuthPolicy from "../src/AuthPolicy.ts"
import { NotFound } from "../src/CareErrors.ts"
import { ChartRepo, ChartRepoMemory } from "../src/Chart.ts"
import { FileStore, FileStoreMemory } from "../src/FileStore.ts"
import { ClinicId, PatientId, SessionId, StaffId, UploadRequestId } from "../src/Ids.ts"
import { Notification } from "../src/Notification.ts"
import { render } from "../src/Notifications.ts"
import { Outbox } from "../src/Outbox.ts"
import { PasscodeStoreMemory } from "../src/PasscodeStore.ts"
import { HealthCardIdentifier, Patient } from "../src/Patient.ts"
import { PatientRepo } from "../src/PatientRepo.ts"
import { PatientPrincipal } from "../src/Session.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"
import { MAX_UPLOAD_BYTES } from "../src/Upload.ts"
import { UploadRepo, UploadRepoMemory } from "../src/UploadRepo.ts"
import { Uploads } from "../src/Uploads.ts"
import { freshDomain, requireCode, seedPatient } from "./support.ts"

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const MIB = 1024 * 1024
const otherClinicId = ClinicId.make("clinic-ottawa-east")

const uploadPorts = (domain: ReturnType<typeof freshDomain>) =>
  Layer.mergeAll(UploadRepo.layerMemory, FileStore.layerMemory).pipe(Layer.provideMerge(domain))

/** Uploads on a fresh in-memory domain. Provide it inside each property run. */
const uploadsDomain = (policy: Partial<AuthPolicy.AuthPolicy> = {}) =>
  Uploads.layer.pipe(Layer.provideMerge(uploadPorts(freshDomain(policy))))

const staffOf = (clinicId: ClinicId, id = "staff-nurse-1") =>
  new StaffPrincipal({ staffId: StaffId.make(id), clinicId })

const staff = staffOf(Testing.clinicId)

/** The caller as `Authentication.authenticate` would hand it to a service. */
const principalOf = (patient: Pick<Patient, "id" | "clinicId">) =>
  new PatientPrincipal({
    sessionId: SessionId.make("session-1"),
    clinicId: patient.clinicId,
    patientId: patient.id
  })

const patientN = (n: number, clinicId: ClinicId = Testing.clinicId) =>
  Testing.makePatient({
    id: PatientId.make(`patient-${n}`),
    clinicId,
    healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: String(1_000_000_000 + n) }),
    legalName: { given: `Given${n}`, family: `Family${n}` }
  })

const savePatient = (patient: Patient) =>
  Effect.gen(function* () {
    yield* (yield* PatientRepo).save(patient)
    return patient
  })

const requestFor = (patient: Patient, note?: string) =>
  Effect.gen(function* () {
    return yield* (yield* Uploads).request(staffOf(patient.clinicId), { patientId: patient.id, note })
  })

const upload = (principal: PatientPrincipal, id: UploadRequestId, bytes: Uint8Array, fileName?: string) =>
  Effect.gen(function* () {
    return yield* (yield* Uploads).upload(principal, id, bytes, fileName)
  })

const chartEntries = Effect.flatMap(ChartRepoMemory, (h) => TxRef.get(h.state))
const storedFiles = Effect.flatMap(FileStoreMemory, (h) => TxRef.get(h.state))
const storedRequests = Effect.flatMap(UploadRepoMemory, (h) => TxRef.get(h.state))
const auditEvents = Effect.flatMap(AuditLogMemory, (h) => TxRef.get(h.state))

const assertNotFound = (error: { readonly _tag: string }, kind: NotFound["kind"]) => {
  assert.strictEqual(error._tag, "NotFound")
  assert.deepStrictEqual(error, new NotFound({ kind }))
}

// --- file signatures, written out here rather than taken from src ---------------------------

const JPEG_SIGNATURE = [0xff, 0xd8, 0xff]
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))

/** An ISO-BMFF `ftyp` box: size, "ftyp", major brand, minor version 0, compatible brands. */
const ftyp = (major: string, compatible: ReadonlyArray<string>) => {
  const size = 16 + 4 * compatible.length
  return [0, 0, 0, size, ...ascii("ftyp"), ...ascii(major), 0, 0, 0, 0, ...compatible.flatMap(ascii)]
}

const bytesOf = (...parts: ReadonlyArray<ReadonlyArray<number>>) => Uint8Array.from(parts.flat())

/** A JPEG-signed file of exactly `size` bytes. */
const jpegOfSize = (size: number) => {
  const bytes = new Uint8Array(size)
  bytes.set(JPEG_SIGNATURE)
  return bytes
}

const tinyJpeg = bytesOf(JPEG_SIGNATURE, [0xe0, 0x00, 0x10], ascii("JFIF"))

/** The photo kinds and the content type each must be filed as. */
const signed = {
  jpeg: { prefix: JPEG_SIGNATURE, contentType: "image/jpeg" },
  png: { prefix: PNG_SIGNATURE, contentType: "image/png" },
  "heic-major": { prefix: ftyp("heic", ["mif1", "heic"]), contentType: "image/heic" },
  "heic-compatible": { prefix: ftyp("isom", ["mp41", "heix"]), contentType: "image/heic" },
  "heic-sequence": { prefix: ftyp("msf1", ["hevc"]), contentType: "image/heic" },
  heif: { prefix: ftyp("mif1", ["miaf"]), contentType: "image/heif" }
} as const

/** Every HEIF brand DESIGN.md's upload rule accepts. */
const HEIF_BRANDS = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]

/**
 * Could these bytes be a photo by their first bytes? A deliberately loose reading: JPEG or
 * PNG signature, or the letters `ftyp` at offset 4. Random bytes that pass it are skipped.
 */
const mightBePhoto = (bytes: Uint8Array) => {
  const starts = (sig: ReadonlyArray<number>) => sig.every((b, i) => bytes[i] === b)
  return starts(JPEG_SIGNATURE) || starts(PNG_SIGNATURE) || ascii("ftyp").every((b, i) => bytes[4 + i] === b)
}

const Byte = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 255 }))
const randomBytes = (maxLength: number) =>
  Arbitrary.map(Arbitrary.array(Arbitrary.schema(Byte), { maxLength }), (xs) => Uint8Array.from(xs))

/** Names that must change nothing: an image name on anything, or none. */
const FileName = Schema.Literals(["photo.jpg", "IMG_0001.JPEG", "scan.png", "rash.heic", "notes.exe", "none"])
const nameOf = (name: typeof FileName.Type) => (name === "none" ? undefined : name)

// ---------------------------------------------------------------------------------------------
// Property 7: by content, at most 10 MiB
// ---------------------------------------------------------------------------------------------

describe("Uploads: a photo is accepted by its bytes, never its name (property 7)", () => {
  it.effect.prop(
    "random bytes are refused as not a photo, whatever the file is called; nothing is stored and the request stays open",
    { bytes: randomBytes(96), name: FileName },
    ({ bytes, name }) =>
      Effect.gen(function* () {
        if (mightBePhoto(bytes)) return
        const patient = yield* seedPatient()
        const { request } = yield* requestFor(patient)
        const error = yield* Effect.flip(upload(principalOf(patient), request.id, bytes, nameOf(name)))
        assert.strictEqual(error._tag, "UploadRejected")
        if (error._tag !== "UploadRejected") return
        assert.strictEqual(error.reason, "not-a-photo")
        assert.strictEqual(error.size, bytes.length)
        assert.match(error.message, /not a JPEG, PNG or HEIC photo/)
        assert.deepStrictEqual(yield* chartEntries, [])
        assert.strictEqual((yield* storedFiles).size, 0)
        assert.strictEqual((yield* (yield* Uploads).describe(principalOf(patient), request.id)).state, "open")
        const refusals = (yield* auditEvents).filter((e) => e.action === "photo.uploaded")
        assert.deepStrictEqual(
          refusals.map((e) => [e.outcome, e.reason]),
          [["failure", "UploadRejected"]]
        )
      }).pipe(Effect.provide(uploadsDomain())),
    { timeout: 60_000, arbitrary: { runs: 60 } }
  )

  it.effect.prop(
    "a JPEG, PNG or HEIC signature followed by any bytes is accepted, filed as its real type whatever its name",
    {
      kind: Schema.Literals(["jpeg", "png", "heic-major", "heic-compatible", "heic-sequence", "heif"]),
      tail: randomBytes(200),
      name: FileName
    },
    ({ kind, tail, name }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const { request } = yield* requestFor(patient)
        const bytes = bytesOf(signed[kind].prefix, [...tail])
        const filed = yield* upload(principalOf(patient), request.id, bytes, nameOf(name))
        assert.strictEqual(filed.contentType, signed[kind].contentType)
        assert.strictEqual(filed.size, bytes.length)
        const file = Option.getOrThrow(yield* (yield* FileStore).get(filed.fileId))
        assert.deepStrictEqual(file.bytes, bytes)
        assert.strictEqual(file.contentType, signed[kind].contentType)
        const entries = yield* (yield* ChartRepo).listByPatient(patient.id)
        assert.strictEqual(entries.length, 1)
        const entry = entries[0]
        assert.strictEqual(entry?.id, filed.chartEntryId)
        assert.strictEqual(entry?.kind, "photo")
        assert.strictEqual(entry?.origin, `upload-request:${request.id}`)
        assert.deepStrictEqual(entry?.source, new Actor({ kind: "patient", id: patient.id }))
        // A reference to the file, never its bytes.
        assert.deepStrictEqual(entry?.content, {
          fileId: filed.fileId,
          contentType: signed[kind].contentType,
          size: bytes.length,
          ...(name === "none" ? {} : { fileName: name })
        })
      }).pipe(Effect.provide(uploadsDomain())),
    { timeout: 60_000, arbitrary: { runs: 60 } }
  )

  it.effect.prop(
    "near misses of a signature are refused: one signature byte changed, a non-HEIF ftyp, a broken box",
    {
      base: Schema.Literals(["jpeg", "png", "heic-major"]),
      position: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 11 })),
      xor: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 255 })),
      tail: randomBytes(40)
    },
    ({ base, position, xor, tail }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const { request } = yield* requestFor(patient)
        // A HEIC box with its major brand only: "ftyp" (4..7) and the brand (8..11) make it one.
        const prefix = base === "heic-major" ? ftyp("heic", []) : [...signed[base].prefix]
        const sensitive = base === "heic-major" ? [4, 5, 6, 7, 8, 9, 10, 11] : prefix.map((_, i) => i)
        const at = sensitive[position % sensitive.length] ?? 0
        prefix[at] = (prefix[at] ?? 0) ^ xor
        const bytes = bytesOf(prefix, [...tail])
        // Skip the coincidences: a brand changed into another HEIF brand, random bytes spelling a signature.
        const major = String.fromCharCode(...bytes.slice(8, 12))
        if (base === "heic-major" ? HEIF_BRANDS.includes(major) : mightBePhoto(bytes)) return
        const error = yield* Effect.flip(upload(principalOf(patient), request.id, bytes, "photo.jpg"))
        assert.strictEqual(error._tag, "UploadRejected")
        assert.strictEqual(error._tag === "UploadRejected" && error.reason, "not-a-photo")
      }).pipe(Effect.provide(uploadsDomain())),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )

  it.effect("ftyp boxes without a HEIF brand, or that do not fit, are refused", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const cases: ReadonlyArray<[string, Uint8Array]> = [
        ["AVIF", bytesOf(ftyp("avif", ["avif", "miaf"]), [1, 2, 3])],
        ["MP4", bytesOf(ftyp("isom", ["isom", "mp41"]), [1, 2, 3])],
        ["QuickTime", bytesOf(ftyp("qt  ", ["qt  "]))],
        ["box larger than the file", bytesOf([0, 0, 1, 0], ascii("ftypheic"), [0, 0, 0, 0])],
        ["box shorter than a brand", bytesOf([0, 0, 0, 8], ascii("ftypheic"), [0, 0, 0, 0], ascii("heic"))],
        ["brand outside the box", bytesOf([0, 0, 0, 16], ascii("ftypisom"), [0, 0, 0, 0], ascii("heic"))],
        ["too short", bytesOf([0, 0, 0, 12], ascii("ftypheic"))],
        ["empty", new Uint8Array(0)],
        ["JPEG signature too short", bytesOf([0xff, 0xd8])],
        ["PNG signature cut", bytesOf(PNG_SIGNATURE.slice(0, 7))]
      ]
      for (const [label, bytes] of cases) {
        const { request } = yield* requestFor(patient)
        const error = yield* Effect.flip(upload(principalOf(patient), request.id, bytes, "rash.heic"))
        assert.strictEqual(error._tag === "UploadRejected" && error.reason, "not-a-photo", label)
      }
      // Control: a box of size 0 runs to the end of the file, and its brands count.
      const { request } = yield* requestFor(patient)
      const toEnd = bytesOf([0, 0, 0, 0], ascii("ftypisom"), [0, 0, 0, 0], ascii("heic"))
      assert.strictEqual((yield* upload(principalOf(patient), request.id, toEnd)).contentType, "image/heic")
    }).pipe(Effect.provide(uploadsDomain()))
  )

  it.effect(
    "exactly 10 MiB is accepted; 10 MiB + 1 byte is refused with the size; too-large garbage is not a photo",
    () =>
      Effect.gen(function* () {
        assert.strictEqual(MAX_UPLOAD_BYTES, 10 * MIB)
        const patient = yield* seedPatient()
        const me = principalOf(patient)
        const first = yield* requestFor(patient)
        const accepted = yield* upload(me, first.request.id, jpegOfSize(10 * MIB), "big.jpg")
        assert.strictEqual(accepted.size, 10 * MIB)

        const second = yield* requestFor(patient)
        const over = yield* Effect.flip(upload(me, second.request.id, jpegOfSize(10 * MIB + 1)))
        assert.strictEqual(over._tag, "UploadRejected")
        if (over._tag !== "UploadRejected") return
        assert.strictEqual(over.reason, "too-large")
        assert.strictEqual(over.size, 10 * MIB + 1)
        assert.strictEqual(over.maxSize, 10 * MIB)
        // Rounding must not hide the excess: "10.0 MiB" would read as within the limit.
        assert.match(over.message, /larger than 10 MiB: 10485761 bytes\./)

        const big = yield* Effect.flip(upload(me, second.request.id, jpegOfSize(Math.round(12.3 * MIB))))
        assert.match(big.message, /larger than 10 MiB: 12\.3 MiB\./)

        const garbage = new Uint8Array(11 * MIB).fill(7)
        const notPhoto = yield* Effect.flip(upload(me, second.request.id, garbage, "big.jpg"))
        assert.strictEqual(notPhoto._tag === "UploadRejected" && notPhoto.reason, "not-a-photo")

        // Refusals leave the second request open; only the first photo was filed.
        assert.strictEqual((yield* (yield* Uploads).describe(me, second.request.id)).state, "open")
        assert.strictEqual((yield* chartEntries).length, 1)
        assert.strictEqual((yield* storedFiles).size, 1)
      }).pipe(Effect.provide(uploadsDomain())),
    20_000
  )
})

// ---------------------------------------------------------------------------------------------
// Property 1: isolation
// ---------------------------------------------------------------------------------------------

describe("Uploads: a patient reaches only their own upload requests (property 1)", () => {
  it.effect.prop(
    "for patients A ≠ B, B's upload request (open or used) and chart entry are out of A's reach: NotFound, as for a missing id, and nothing changes",
    {
      a: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 9_000 })),
      delta: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 900 })),
      bClinic: Schema.Literals(["same", "other"]),
      bUploadedFirst: Schema.Boolean,
      kind: Schema.Literals(["jpeg", "png", "heic-major"])
    },
    ({ a, delta, bClinic, bUploadedFirst, kind }) =>
      Effect.gen(function* () {
        const uploads = yield* Uploads
        const patientA = yield* savePatient(patientN(a))
        const patientB = yield* savePatient(
          patientN(a + delta, bClinic === "same" ? Testing.clinicId : otherClinicId)
        )
        const ofB = (yield* requestFor(patientB, "Photo of the rash on your left arm")).request
        const photo = bytesOf(signed[kind].prefix, [1, 2, 3])
        if (bUploadedFirst) yield* upload(principalOf(patientB), ofB.id, photo)
        const before = {
          requests: yield* storedRequests,
          chart: yield* chartEntries,
          files: yield* storedFiles
        }
        const asA = principalOf(patientA)
        const missing = UploadRequestId.make("no-such-request")
        const missingErrors = [
          yield* Effect.flip(uploads.describe(asA, missing)),
          yield* Effect.flip(uploads.upload(asA, missing, photo))
        ]
        const errors = [
          yield* Effect.flip(uploads.describe(asA, ofB.id)),
          // Not "already used", not "not a photo": a foreign request is not found before anything is judged.
          yield* Effect.flip(uploads.upload(asA, ofB.id, photo, "mine.jpg")),
          yield* Effect.flip(uploads.upload(asA, ofB.id, bytesOf([0, 1, 2]))),
          yield* Effect.flip(uploads.upload(asA, ofB.id, jpegOfSize(10 * MIB + 1)))
        ]
        for (const error of errors) {
          assertNotFound(error, "upload-request")
          assert.strictEqual(error.message, missingErrors[0]?.message)
        }
        for (const error of missingErrors) assertNotFound(error, "upload-request")
        // B's request, B's chart and the file store are exactly as they were; A has no chart entry.
        assert.deepStrictEqual(yield* storedRequests, before.requests)
        assert.deepStrictEqual(yield* chartEntries, before.chart)
        assert.deepStrictEqual(yield* storedFiles, before.files)
        assert.deepStrictEqual(yield* (yield* ChartRepo).listByPatient(patientA.id), [])

        if (bClinic === "other") {
          const staffA = staffOf(patientA.clinicId)
          assertNotFound(yield* Effect.flip(uploads.staffList(staffA, patientB.id)), "patient")
          assertNotFound(yield* Effect.flip(uploads.cancel(staffA, ofB.id)), "upload-request")
          assertNotFound(yield* Effect.flip(uploads.request(staffA, { patientId: patientB.id })), "patient")
          assert.deepStrictEqual(yield* storedRequests, before.requests)
        }
        // Afterwards B can still use their own request (when it was open).
        if (!bUploadedFirst) {
          const filed = yield* upload(principalOf(patientB), ofB.id, photo)
          assert.strictEqual(filed.contentType, signed[kind].contentType)
        }
        // A's attempts are audited as A's failures, never as a success.
        const byA = (yield* auditEvents).filter(
          (e) => e.actor.kind === "patient" && e.actor.id === patientA.id
        )
        assert.deepStrictEqual(
          byA.map((e) => [e.action, e.outcome, e.reason, e.patientId]),
          [
            ["upload-request.viewed", "failure", "NotFound", patientA.id],
            ["photo.uploaded", "failure", "NotFound", patientA.id],
            ["upload-request.viewed", "failure", "NotFound", patientA.id],
            ["photo.uploaded", "failure", "NotFound", patientA.id],
            ["photo.uploaded", "failure", "NotFound", patientA.id],
            ["photo.uploaded", "failure", "NotFound", patientA.id]
          ]
        )
      }).pipe(Effect.provide(uploadsDomain())),
    { timeout: 60_000, arbitrary: { runs: 30 } }
  )

  it.effect("a principal of another clinic with the patient's very id reaches none of their requests", () =>
    Effect.gen(function* () {
      const uploads = yield* Uploads
      const patient = yield* seedPatient()
      const { request } = yield* requestFor(patient)
      const elsewhere = principalOf({ id: patient.id, clinicId: otherClinicId })
      assertNotFound(yield* Effect.flip(uploads.describe(elsewhere, request.id)), "upload-request")
      assertNotFound(yield* Effect.flip(uploads.upload(elsewhere, request.id, tinyJpeg)), "upload-request")
      assertNotFound(yield* Effect.flip(uploads.staffList(staffOf(otherClinicId), patient.id)), "patient")
      assert.strictEqual((yield* uploads.describe(principalOf(patient), request.id)).state, "open")
      assert.deepStrictEqual(yield* chartEntries, [])
    }).pipe(Effect.provide(uploadsDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// The request and its link
// ---------------------------------------------------------------------------------------------

describe("Uploads: the request, its link, single use", () => {
  it.effect(
    "staff request → upload link → opened with the code and date of birth → photo filed, seen by staff",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const uploads = yield* Uploads
        const patient = yield* seedPatient()
        const note = "Please photograph the wound on your right knee"
        const requested = yield* requestFor(patient, note)
        assert.strictEqual(
          requested.link.expiresAt.epochMilliseconds,
          requested.request.expiresAt.epochMilliseconds
        )
        const code = yield* requireCode(requested.link.linkId)
        const described = yield* auth.describeLink(requested.link.linkId)
        assert.strictEqual(described.purpose, "upload-link")
        assert.strictEqual(described.resourceKind, "upload-request")
        const opened = yield* auth.openLink(requested.link.linkId, code, patient.dateOfBirth, false)
        assert.strictEqual(opened.target.kind, "upload-request")
        assert.strictEqual(opened.target.id, requested.request.id)
        const me = opened.grant.principal
        const id = UploadRequestId.make(opened.target.id)

        const view = yield* uploads.describe(me, id)
        assert.deepStrictEqual([view.note, view.state], [note, "open"])
        const filed = yield* uploads.upload(me, id, tinyJpeg, "knee.jpg")

        // Staff see the request used, with its chart entry, and the entry in the chart.
        const [summary] = yield* uploads.staffList(staff, patient.id)
        assert.strictEqual(summary?.state, "used")
        assert.strictEqual(summary?.request.chartEntryId, filed.chartEntryId)
        const entry = Option.getOrThrow(yield* (yield* ChartRepo).findById(filed.chartEntryId))
        assert.strictEqual(entry.patientId, patient.id)
        assert.strictEqual(entry.kind, "photo")

        // One photo per link: a second upload is refused, clearly, and files nothing.
        const again = yield* Effect.flip(uploads.upload(me, id, tinyJpeg))
        assert.strictEqual(again._tag, "UploadRequestUsed")
        assert.match(again.message, /already used/)
        assert.strictEqual((yield* uploads.describe(me, id)).state, "used")
        assert.strictEqual((yield* chartEntries).length, 1)
        assert.strictEqual((yield* storedFiles).size, 1)
        // The link itself is single use too.
        const reopen = yield* Effect.flip(
          auth.openLink(requested.link.linkId, code, patient.dateOfBirth, false)
        )
        assert.strictEqual(reopen._tag, "PasscodeUsed")
      }).pipe(Effect.provide(uploadsDomain()))
  )

  it.effect.prop(
    "concurrent uploads to one request: exactly one is filed, the others are told it was already used",
    { n: Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 8 })) },
    ({ n }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const { request } = yield* requestFor(patient)
        const results = yield* Effect.all(
          Array.from({ length: n }, () => Effect.result(upload(principalOf(patient), request.id, tinyJpeg))),
          { concurrency: "unbounded" }
        )
        const ok = results.filter((r) => r._tag === "Success")
        const refused = results.flatMap((r) => (r._tag === "Failure" ? [r.failure._tag] : []))
        assert.strictEqual(ok.length, 1)
        assert.deepStrictEqual(
          refused,
          Array.from({ length: n - 1 }, () => "UploadRequestUsed")
        )
        assert.strictEqual((yield* chartEntries).length, 1)
        assert.strictEqual((yield* storedFiles).size, 1)
      }).pipe(Effect.provide(uploadsDomain())),
    { timeout: 60_000, arbitrary: { runs: 15 } }
  )

  it.effect.prop(
    "the request takes a photo until the policy's uploadLinkTtl has passed, and not at it",
    { ttlMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 })) },
    ({ ttlMinutes }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const t0 = yield* Clock.currentTimeMillis
        const ttl = ttlMinutes * 60_000
        const early = yield* requestFor(patient)
        const late = yield* requestFor(patient)
        assert.strictEqual(DateTime.toEpochMillis(early.request.expiresAt), t0 + ttl)
        yield* TestClock.setTime(t0 + ttl - 1)
        yield* upload(principalOf(patient), early.request.id, tinyJpeg)
        yield* TestClock.setTime(t0 + ttl)
        const expired = yield* Effect.flip(upload(principalOf(patient), late.request.id, tinyJpeg))
        assert.strictEqual(expired._tag, "UploadRequestExpired")
        assert.match(expired.message, /expired\. Ask the clinic for a new upload link/)
        assert.strictEqual(
          (yield* (yield* Uploads).describe(principalOf(patient), late.request.id)).state,
          "expired"
        )
        assert.strictEqual((yield* chartEntries).length, 1)
      }).pipe(Effect.provide(uploadsDomain({ uploadLinkTtl: Duration.minutes(ttlMinutes) }))),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect("the default upload link lives 3 days", () =>
    Effect.gen(function* () {
      const patient = yield* seedPatient()
      const { request, link } = yield* requestFor(patient)
      assert.strictEqual(DateTime.toEpochMillis(request.expiresAt), 3 * 24 * 3_600_000)
      assert.strictEqual(DateTime.toEpochMillis(link.expiresAt), 3 * 24 * 3_600_000)
    }).pipe(Effect.provide(uploadsDomain()))
  )

  it.effect("a cancelled request takes no photo; cancelling twice or after use is refused", () =>
    Effect.gen(function* () {
      const uploads = yield* Uploads
      const patient = yield* seedPatient()
      const me = principalOf(patient)
      const first = (yield* requestFor(patient)).request
      const cancelled = yield* uploads.cancel(staff, first.id)
      assert.strictEqual(cancelled.state, "cancelled")
      const refused = yield* Effect.flip(uploads.upload(me, first.id, tinyJpeg))
      assert.strictEqual(refused._tag, "UploadRequestCancelled")
      assert.match(refused.message, /cancelled the request/)
      assert.strictEqual((yield* Effect.flip(uploads.cancel(staff, first.id)))._tag, "UploadRequestCancelled")
      const second = (yield* requestFor(patient)).request
      yield* uploads.upload(me, second.id, tinyJpeg)
      assert.strictEqual((yield* Effect.flip(uploads.cancel(staff, second.id)))._tag, "UploadRequestUsed")
      assert.deepStrictEqual(
        (yield* uploads.staffList(staff, patient.id)).map((s) => [s.request.id, s.state]).sort(),
        [
          [first.id, "cancelled"],
          [second.id, "used"]
        ].sort()
      )
    }).pipe(Effect.provide(uploadsDomain()))
  )

  it.effect(
    "a patient without contact cannot be sent a link: nothing is created; an over-long note is refused",
    () =>
      Effect.gen(function* () {
        const uploads = yield* Uploads
        const { email: _e, mobile: _m, ...rest } = Testing.makePatient()
        const patient = yield* savePatient(new Patient(rest))
        const noContact = yield* Effect.flip(uploads.request(staff, { patientId: patient.id }))
        assert.strictEqual(noContact._tag, "NoContactOnFile")
        const reachable = yield* savePatient(patientN(7))
        const longNote = yield* Effect.flip(
          uploads.request(staff, { patientId: reachable.id, note: "x".repeat(1_001) })
        )
        assert.strictEqual(longNote._tag, "UploadNoteInvalid")
        assert.strictEqual((yield* storedRequests).size, 0)
        assert.strictEqual((yield* TxRef.get((yield* PasscodeStoreMemory).state)).passcodes.length, 0)
        assert.deepStrictEqual(yield* (yield* Outbox).all, [])
        const created = (yield* auditEvents).filter((e) => e.action === "upload-request.created")
        assert.deepStrictEqual(
          created.map((e) => [e.outcome, e.reason]),
          [
            ["failure", "NoContactOnFile"],
            ["failure", "UploadNoteInvalid"]
          ]
        )
      }).pipe(Effect.provide(uploadsDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Notification and audit
// ---------------------------------------------------------------------------------------------

describe("Uploads: the notification carries no note; every step is audited", () => {
  it.effect.prop(
    "the upload link's notification holds neither the note nor the patient's details, in any rendering",
    {
      note: Schema.String.check(
        Schema.isBetweenLength(10, 200),
        Schema.makeFilter((s: string) => s.trim().length >= 10 || "ten visible characters")
      ),
      language: Schema.Literals(["en", "fr"])
    },
    ({ note, language }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient({ language })
        const { link } = yield* requestFor(patient, note)
        const code = yield* requireCode(link.linkId)
        const notes = yield* (yield* Outbox).all
        assert.strictEqual(notes.length, 2)
        const secrets = [
          note,
          patient.legalName.given,
          patient.legalName.family,
          patient.dateOfBirth,
          patient.healthCard.number
        ]
        for (const n of notes) {
          assert.strictEqual(n.payload.resourceKind, "upload-request")
          const stored = JSON.stringify(Schema.encodeSync(Notification)(n))
          const rendered = render(n, Testing.makeClinic(), code)
          const text = `${rendered.subject}\n${rendered.text}`
          for (const secret of secrets) {
            assert.isFalse(stored.includes(JSON.stringify(secret).slice(1, -1)))
            assert.isFalse(text.includes(secret))
          }
          assert.isTrue(text.includes(Redacted.value(code)))
          assert.isTrue(text.includes(`/links/${link.linkId}`))
        }
      }).pipe(Effect.provide(uploadsDomain())),
    { timeout: 60_000, arbitrary: { runs: 20 } }
  )

  it.effect("request, view, upload, filing and the staff list each leave an event, chained intact", () =>
    Effect.gen(function* () {
      const uploads = yield* Uploads
      const patient = yield* seedPatient()
      const me = principalOf(patient)
      const { request, link } = yield* requestFor(patient, "Photo of the rash")
      yield* uploads.describe(me, request.id)
      const filed = yield* uploads.upload(me, request.id, tinyJpeg, "rash.jpg")
      yield* uploads.staffList(staff, patient.id)
      const staffActor = new Actor({ kind: "staff", id: staff.staffId })
      const patientActor = new Actor({ kind: "patient", id: patient.id })
      const events = yield* auditEvents
      assert.deepStrictEqual(
        events.map((e) => [e.action, e.actor, e.patientId, e.resource, e.outcome]),
        [
          ["link.issued", new Actor({ kind: "system" }), patient.id, `challenge:${link.linkId}`, "success"],
          ["upload-request.created", staffActor, patient.id, `upload-request:${request.id}`, "success"],
          ["upload-request.viewed", patientActor, patient.id, `upload-request:${request.id}`, "success"],
          ["photo.uploaded", patientActor, patient.id, `upload-request:${request.id}`, "success"],
          ["chart-entry.filed", patientActor, patient.id, `chart-entry:${filed.chartEntryId}`, "success"],
          ["upload-request.listed", staffActor, patient.id, `patient:${patient.id}`, "success"]
        ]
      )
      assert.isFalse(JSON.stringify(events).includes("rash"))
      assert.deepStrictEqual(yield* (yield* AuditLog).verify(patient.clinicId), { _tag: "Intact", events: 6 })
    }).pipe(Effect.provide(uploadsDomain()))
  )
})

// ---------------------------------------------------------------------------------------------
// Property 10: all or nothing
// ---------------------------------------------------------------------------------------------

const storeDown = () => Effect.die(new Error("storage down"))

/** Uploads whose file store, chart or audit log dies at one step; the test still sees the stores. */
const uploadsFailingAt = (step: "file-store" | "chart" | "audit" | "none") => {
  const ports = uploadPorts(freshDomain())
  const broken = Layer.mergeAll(
    Layer.effect(
      FileStore,
      Effect.map(FileStore, (real) =>
        FileStore.of({ ...real, put: step === "file-store" ? storeDown : real.put })
      )
    ),
    Layer.effect(
      ChartRepo,
      Effect.map(ChartRepo, (real) =>
        ChartRepo.of({ ...real, file: step === "chart" ? storeDown : real.file })
      )
    ),
    Layer.effect(
      AuditLog,
      Effect.map(AuditLog, (real) =>
        AuditLog.of({
          ...real,
          append: (entry) =>
            step === "audit" && entry.action === "chart-entry.filed" ? storeDown() : real.append(entry)
        })
      )
    )
  ).pipe(Layer.provide(ports))
  return Layer.fresh(Uploads.layer).pipe(Layer.provide(Layer.merge(ports, broken)), Layer.provideMerge(ports))
}

describe("Uploads: a failure while filing leaves no partial write (property 10)", () => {
  it.effect.prop(
    "when storing the file, filing the chart entry or auditing fails, there is no file, no chart entry, no success event, and the request stays open",
    { step: Schema.Literals(["file-store", "chart", "audit", "none"]) },
    ({ step }) =>
      Effect.gen(function* () {
        const patient = yield* seedPatient()
        const me = principalOf(patient)
        const { request } = yield* requestFor(patient)
        const exit = yield* Effect.exit(upload(me, request.id, tinyJpeg, "photo.jpg"))
        const files = yield* storedFiles
        const chart = yield* chartEntries
        const stored = (yield* storedRequests).get(request.id)
        const uploaded = (yield* auditEvents).filter(
          (e) => e.action === "photo.uploaded" || e.action === "chart-entry.filed"
        )
        if (step === "none") {
          // Control: the same wiring files everything when nothing fails.
          assert.isTrue(Exit.isSuccess(exit))
          assert.strictEqual(files.size, 1)
          assert.strictEqual(chart.length, 1)
          assert.isNotNull(stored?.usedAt)
          assert.strictEqual(uploaded.length, 2)
          return
        }
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        assert.strictEqual(files.size, 0)
        assert.deepStrictEqual(chart, [])
        assert.deepStrictEqual(stored, request)
        assert.deepStrictEqual(uploaded, [])
        // The request is still open to the patient.
        assert.strictEqual((yield* (yield* Uploads).describe(me, request.id)).state, "open")
      }).pipe(Effect.provide(uploadsFailingAt(step))),
    { timeout: 60_000, arbitrary: { runs: 12 } }
  )
})
