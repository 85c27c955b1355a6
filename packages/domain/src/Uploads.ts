/**
 * Photo uploads: staff ask a patient for a photo through an upload link; the patient, once
 * the link is opened, sends one photo, which is checked by its bytes, stored, and filed in
 * the chart. Every step is audited.
 */
import { Context, DateTime, Effect, Layer, Option, Result, Schema } from "effect"
import { AuditLog } from "./AuditLog.ts"
import { NoContactOnFile } from "./AuthErrors.ts"
import { Authentication, LinkIssued } from "./Authentication.ts"
import { AuthPolicy } from "./AuthPolicy.ts"
import { NotFound } from "./CareErrors.ts"
import { ChartEntry, ChartRepo } from "./Chart.ts"
import { CodeGenerator } from "./CodeGenerator.ts"
import { FileStore } from "./FileStore.ts"
import { ChartEntryId, type PatientId, UploadRequestId } from "./Ids.ts"
import { patientOfClinic as staffPatient } from "./internal/access.ts"
import { makeAuditor, makeRefusals } from "./internal/audit.ts"
import { textLength } from "./Message.ts"
import { destinations } from "./Notifications.ts"
import { ResourceRef } from "./Passcode.ts"
import { PatientRepo } from "./PatientRepo.ts"
import type { PatientPrincipal } from "./Session.ts"
import { patientActor, type StaffPrincipal, staffActor } from "./Staff.ts"
import { UnitOfWork } from "./UnitOfWork.ts"
import {
  closedError,
  judgePhoto,
  MAX_NOTE_LENGTH,
  MAX_UPLOAD_BYTES,
  PhotoFiled,
  stateOfRequest,
  UploadNoteInvalid,
  type UploadRejected,
  UploadRequest,
  type UploadRequestClosed,
  UploadRequestSummary,
  UploadRequestView
} from "./Upload.ts"
import { UploadRepo } from "./UploadRepo.ts"

/** What staff ask for. */
export interface RequestUpload {
  readonly patientId: PatientId
  /** What to photograph, shown to the patient in the portal (never in the notification). */
  readonly note?: string | undefined
}

/** A new upload request and the upload link sent for it. */
export class UploadRequested extends Schema.Class<UploadRequested>("UploadRequested")({
  request: UploadRequest,
  link: LinkIssued
}) {}

/** The upload operations of staff and patients. */
export class Uploads extends Context.Service<
  Uploads,
  {
    /**
     * Creates an upload request for a patient of the staff member's clinic and, in the same
     * unit of work, an upload-link code (single use, `AuthPolicy.uploadLinkTtl`) whose
     * notification carries no note. A patient with no contact on file cannot be sent the
     * link, so nothing is created (`NoContactOnFile`).
     */
    readonly request: (
      staff: StaffPrincipal,
      input: RequestUpload
    ) => Effect.Effect<UploadRequested, NotFound | UploadNoteInvalid | NoContactOnFile>
    /** One of the caller's upload requests: its note and whether it still takes a photo. */
    readonly describe: (
      principal: PatientPrincipal,
      uploadRequestId: UploadRequestId
    ) => Effect.Effect<UploadRequestView, NotFound>
    /**
     * Sends the photo for one of the caller's open requests. Accepted only when the bytes are
     * a JPEG, PNG or HEIC image of at most `MAX_UPLOAD_BYTES` (the name plays no part); then
     * stored, filed as a `photo` chart entry and the request used up, in one unit of work.
     */
    readonly upload: (
      principal: PatientPrincipal,
      uploadRequestId: UploadRequestId,
      bytes: Uint8Array,
      fileName?: string
    ) => Effect.Effect<PhotoFiled, NotFound | UploadRequestClosed | UploadRejected>
    /** A patient's upload requests with their state, newest first, for staff of the patient's clinic. */
    readonly staffList: (
      staff: StaffPrincipal,
      patientId: PatientId
    ) => Effect.Effect<ReadonlyArray<UploadRequestSummary>, NotFound>
    /**
     * Withdraws an open request of the staff member's clinic. In the same unit of work its
     * upload link is revoked (`Authentication.revokeLink`): it no longer opens a session, and
     * the request takes no photo.
     */
    readonly cancel: (
      staff: StaffPrincipal,
      uploadRequestId: UploadRequestId
    ) => Effect.Effect<UploadRequestSummary, NotFound | UploadRequestClosed>
  }
>()("@careportal/domain/Uploads") {
  /** The service on its ports and `Authentication`. */
  static readonly layer = Layer.effect(
    Uploads,
    Effect.gen(function* () {
      return yield* make
    })
  )
}

/** The longest original file name kept with a photo; longer ones are cut. */
const MAX_FILE_NAME_LENGTH = 255

const make = Effect.gen(function* () {
  const policy = yield* AuthPolicy
  const requests = yield* UploadRepo
  const files = yield* FileStore
  const chart = yield* ChartRepo
  const patients = yield* PatientRepo
  const auth = yield* Authentication
  const generator = yield* CodeGenerator
  const uow = yield* UnitOfWork
  const audit = makeAuditor(yield* AuditLog, generator)

  const { settle, refuse } = makeRefusals(uow, audit)
  const patientOfClinic = staffPatient(patients)

  /** The caller's request; someone else's, or one of another clinic, is not found. */
  const ownRequest = (principal: PatientPrincipal, id: UploadRequestId) =>
    Effect.map(
      requests.findById(id),
      Option.filter(
        (r: UploadRequest) => r.patientId === principal.patientId && r.clinicId === principal.clinicId
      )
    )

  const request = Effect.fn("Uploads.request")(function* (staff: StaffPrincipal, input: RequestUpload) {
    const id = UploadRequestId.make(yield* generator.uuid)
    return yield* settle<UploadRequested, NotFound | UploadNoteInvalid | NoContactOnFile, NoContactOnFile>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "upload-request.created",
          patientId: input.patientId,
          resource: `upload-request:${id}`
        } as const
        const patient = yield* patientOfClinic(staff, input.patientId)
        if (Option.isNone(patient))
          return yield* refuse(
            { ...facts, patientId: null, resource: `patient:${input.patientId}` },
            new NotFound({ kind: "patient" })
          )
        const note = input.note === undefined || input.note.trim().length === 0 ? null : input.note
        if (note !== null && textLength(note) > MAX_NOTE_LENGTH)
          return yield* refuse(
            facts,
            new UploadNoteInvalid({ length: textLength(note), maxLength: MAX_NOTE_LENGTH })
          )
        // Checked before anything is written, so that the refusal can be audited and committed.
        if (destinations(patient.value).length === 0) return yield* refuse(facts, new NoContactOnFile())
        const now = yield* DateTime.now
        const created = new UploadRequest({
          id,
          clinicId: staff.clinicId,
          patientId: patient.value.id,
          requestedBy: staff.staffId,
          note,
          createdAt: now,
          expiresAt: DateTime.addDuration(now, policy.uploadLinkTtl),
          usedAt: null,
          chartEntryId: null,
          cancelledAt: null
        })
        yield* requests.save(created)
        const link = yield* auth.issueLink(
          patient.value,
          "upload-link",
          new ResourceRef({ kind: "upload-request", id })
        )
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(new UploadRequested({ request: created, link }))
      })
    )
  })

  const describe = Effect.fn("Uploads.describe")(function* (
    principal: PatientPrincipal,
    id: UploadRequestId
  ) {
    return yield* settle<UploadRequestView, NotFound>(
      Effect.gen(function* () {
        const facts = {
          clinicId: principal.clinicId,
          actor: patientActor(principal),
          action: "upload-request.viewed",
          patientId: principal.patientId,
          resource: `upload-request:${id}`
        } as const
        const found = yield* ownRequest(principal, id)
        if (Option.isNone(found)) return yield* refuse(facts, new NotFound({ kind: "upload-request" }))
        const { note, expiresAt } = found.value
        const state = stateOfRequest(found.value, yield* DateTime.now)
        yield* audit({ ...facts, outcome: "success" })
        return Result.succeed(new UploadRequestView({ id, note, state, expiresAt }))
      })
    )
  })

  const upload = Effect.fn("Uploads.upload")(function* (
    principal: PatientPrincipal,
    id: UploadRequestId,
    bytes: Uint8Array,
    fileName?: string
  ) {
    const chartEntryId = ChartEntryId.make(yield* generator.uuid)
    return yield* settle<PhotoFiled, NotFound | UploadRequestClosed | UploadRejected>(
      Effect.gen(function* () {
        const facts = {
          clinicId: principal.clinicId,
          actor: patientActor(principal),
          action: "photo.uploaded",
          patientId: principal.patientId,
          resource: `upload-request:${id}`
        } as const
        const found = yield* ownRequest(principal, id)
        if (Option.isNone(found)) return yield* refuse(facts, new NotFound({ kind: "upload-request" }))
        const now = yield* DateTime.now
        const state = stateOfRequest(found.value, now)
        if (state !== "open") return yield* refuse(facts, closedError(state))
        const verdict = judgePhoto(bytes, MAX_UPLOAD_BYTES)
        if ("_tag" in verdict) return yield* refuse(facts, verdict)
        const fileId = yield* files.put(bytes, verdict.contentType)
        const name = fileName?.trim() ?? ""
        yield* chart.file(
          new ChartEntry({
            id: chartEntryId,
            clinicId: principal.clinicId,
            patientId: principal.patientId,
            kind: "photo",
            source: patientActor(principal),
            origin: `upload-request:${id}`,
            // A reference to the file, never its bytes.
            content: {
              fileId,
              contentType: verdict.contentType,
              size: bytes.length,
              ...(name.length > 0
                ? { fileName: Array.from(name).slice(0, MAX_FILE_NAME_LENGTH).join("") }
                : {})
            },
            filedAt: now
          })
        )
        yield* requests.save(new UploadRequest({ ...found.value, usedAt: now, chartEntryId }))
        yield* audit({ ...facts, outcome: "success" })
        yield* audit({
          ...facts,
          action: "chart-entry.filed",
          resource: `chart-entry:${chartEntryId}`,
          outcome: "success"
        })
        return Result.succeed(
          new PhotoFiled({ chartEntryId, fileId, contentType: verdict.contentType, size: bytes.length })
        )
      })
    )
  })

  const staffList = Effect.fn("Uploads.staffList")(function* (staff: StaffPrincipal, patientId: PatientId) {
    return yield* settle<ReadonlyArray<UploadRequestSummary>, NotFound>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "upload-request.listed",
          resource: `patient:${patientId}`
        } as const
        const patient = yield* patientOfClinic(staff, patientId)
        if (Option.isNone(patient))
          return yield* refuse({ ...facts, patientId: null }, new NotFound({ kind: "patient" }))
        const now = yield* DateTime.now
        const all = yield* requests.listByPatient(staff.clinicId, patientId)
        yield* audit({ ...facts, patientId, outcome: "success" })
        return Result.succeed(
          all.map((request) => new UploadRequestSummary({ request, state: stateOfRequest(request, now) }))
        )
      })
    )
  })

  const cancel = Effect.fn("Uploads.cancel")(function* (staff: StaffPrincipal, id: UploadRequestId) {
    return yield* settle<UploadRequestSummary, NotFound | UploadRequestClosed>(
      Effect.gen(function* () {
        const facts = {
          clinicId: staff.clinicId,
          actor: staffActor(staff),
          action: "upload-request.cancelled",
          resource: `upload-request:${id}`
        } as const
        const found = Option.filter(yield* requests.findById(id), (r) => r.clinicId === staff.clinicId)
        if (Option.isNone(found))
          return yield* refuse({ ...facts, patientId: null }, new NotFound({ kind: "upload-request" }))
        const patientId = found.value.patientId
        const now = yield* DateTime.now
        const state = stateOfRequest(found.value, now)
        if (state !== "open") return yield* refuse({ ...facts, patientId }, closedError(state))
        const cancelled = new UploadRequest({ ...found.value, cancelledAt: now })
        yield* requests.save(cancelled)
        // The link must stop opening a session too, not only stop taking a photo.
        const link = yield* auth.linkFor(
          patientId,
          "upload-link",
          new ResourceRef({ kind: "upload-request", id })
        )
        // Found just now in this unit, in the staff member's clinic: a refusal here is a bug.
        if (Option.isSome(link)) yield* Effect.orDie(auth.revokeLink(staff, link.value))
        yield* audit({ ...facts, patientId, outcome: "success" })
        return Result.succeed(new UploadRequestSummary({ request: cancelled, state: "cancelled" }))
      })
    )
  })

  return Uploads.of({ request, describe, upload, staffList, cancel })
})
