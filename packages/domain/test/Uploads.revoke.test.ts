/**
 * Revoking links: `Authentication.revokeLink` makes a link's code open nothing (it reads as
 * used, and cannot be resent), staff of another clinic cannot touch it, and `Uploads.cancel`
 * revokes the request's upload link in the same unit of work as the cancellation.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer, Option, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { Actor } from "../src/AuditEvent.ts"
import { AuditLog } from "../src/AuditLog.ts"
import { Authentication } from "../src/Authentication.ts"
import { FileStore } from "../src/FileStore.ts"
import { ChallengeId, ClinicId, StaffId } from "../src/Ids.ts"
import { PasscodeStore } from "../src/PasscodeStore.ts"
import { SessionStoreMemory } from "../src/SessionStore.ts"
import { StaffPrincipal } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"
import { UploadRepo, UploadRepoMemory } from "../src/UploadRepo.ts"
import { Uploads } from "../src/Uploads.ts"
import { expectTag, freshDomain, issueLinkFor, requireCode, seedPatient } from "./support.ts"

const staff = new StaffPrincipal({ staffId: StaffId.make("staff-nurse-1"), clinicId: Testing.clinicId })
const foreignStaff = new StaffPrincipal({
  staffId: StaffId.make("staff-ottawa"),
  clinicId: ClinicId.make("clinic-ottawa-east")
})

const ports = (domain: ReturnType<typeof freshDomain>) =>
  Layer.mergeAll(UploadRepo.layerMemory, FileStore.layerMemory).pipe(Layer.provideMerge(domain))

/** Uploads on a fresh in-memory domain. Provide it inside each property run. */
const uploadsDomain = () => Uploads.layer.pipe(Layer.provideMerge(ports(freshDomain())))

/** Uploads whose passcode store dies when asked to retire a code; the test still sees the stores. */
const uploadsWithBrokenRetire = () => {
  const base = ports(freshDomain())
  const broken = Layer.effect(
    PasscodeStore,
    Effect.map(PasscodeStore, (real) =>
      PasscodeStore.of({ ...real, retire: () => Effect.die(new Error("passcode store down")) })
    )
  ).pipe(Layer.provide(base))
  // Authentication is rebuilt on the broken store, and Uploads on that Authentication.
  const auth = Layer.fresh(Authentication.layer).pipe(Layer.provide(Layer.merge(base, broken)))
  return Layer.fresh(Uploads.layer).pipe(Layer.provide(Layer.mergeAll(base, auth)), Layer.provideMerge(base))
}

const sessionCount = Effect.flatMap(SessionStoreMemory, (h) => Effect.map(TxRef.get(h.state), (s) => s.size))
const auditEvents = Effect.flatMap(AuditLog, (log) => log.all)

describe("Uploads.cancel revokes the upload link in the same unit of work", () => {
  it.effect.prop(
    "after a cancel the link reads as used, its code (with the right date of birth) opens no session, and it cannot be resent; without the cancel it opens",
    { cancel: Schema.Boolean, stayLoggedIn: Schema.Boolean },
    ({ cancel, stayLoggedIn }) =>
      Effect.gen(function* () {
        const uploads = yield* Uploads
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const { request, link } = yield* uploads.request(staff, { patientId: patient.id })
        const code = yield* requireCode(link.linkId)
        if (cancel) yield* uploads.cancel(staff, request.id)
        const described = yield* auth.describeLink(link.linkId)
        const opened = yield* Effect.result(
          auth.openLink(link.linkId, code, patient.dateOfBirth, stayLoggedIn)
        )
        yield* TestClock.adjust(Duration.seconds(61))
        const resent = yield* Effect.result(auth.resendLink(link.linkId))
        if (!cancel) {
          // Control: the same link, untouched, is active and opens.
          assert.strictEqual(described.status, "active")
          assert.strictEqual(opened._tag, "Success")
          return
        }
        assert.strictEqual(described.status, "used")
        assert.isTrue(opened._tag === "Failure" && opened.failure._tag === "PasscodeUsed")
        if (opened._tag === "Failure") {
          assert.strictEqual(
            opened.failure.message,
            "This link was already used. Log in with your health card to continue."
          )
        }
        assert.isTrue(resent._tag === "Failure" && resent.failure._tag === "PasscodeUsed")
        assert.strictEqual(yield* sessionCount, 0)
        const events = (yield* auditEvents).map((e) => [
          e.action,
          e.actor,
          e.patientId,
          e.resource,
          e.outcome
        ])
        const staffActor = new Actor({ kind: "staff", id: staff.staffId })
        assert.deepStrictEqual(events.slice(2, 4), [
          ["link.revoked", staffActor, patient.id, `challenge:${link.linkId}`, "success"],
          ["upload-request.cancelled", staffActor, patient.id, `upload-request:${request.id}`, "success"]
        ])
      }).pipe(Effect.provide(uploadsDomain())),
    { timeout: 60_000, arbitrary: { runs: 8 } }
  )

  it.effect("when revoking the link fails, the request is not cancelled either", () =>
    Effect.gen(function* () {
      const uploads = yield* Uploads
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const { request, link } = yield* uploads.request(staff, { patientId: patient.id })
      const trail = (yield* auditEvents).length
      const exit = yield* Effect.exit(uploads.cancel(staff, request.id))
      assert.isTrue(Exit.hasDies(exit))
      const stored = (yield* TxRef.get((yield* UploadRepoMemory).state)).get(request.id)
      assert.strictEqual(stored?.cancelledAt, null)
      assert.strictEqual((yield* auditEvents).length, trail)
      assert.strictEqual((yield* auth.describeLink(link.linkId)).status, "active")
    }).pipe(Effect.provide(uploadsWithBrokenRetire()))
  )
})

describe("Authentication.revokeLink", () => {
  it.effect(
    "revokes a quick-link of the clinic; another clinic's staff, or an unknown id, get LinkNotFound and change nothing",
    () =>
      Effect.gen(function* () {
        const auth = yield* Authentication
        const patient = yield* seedPatient()
        const linkId = yield* issueLinkFor(patient, "message-1")
        const code = yield* requireCode(linkId)
        expectTag(yield* Effect.flip(auth.revokeLink(foreignStaff, linkId)), "LinkNotFound")
        expectTag(
          yield* Effect.flip(auth.revokeLink(staff, ChallengeId.make("no-such-link"))),
          "LinkNotFound"
        )
        assert.strictEqual((yield* auth.describeLink(linkId)).status, "active")
        const revoked = yield* auth.revokeLink(staff, linkId)
        assert.deepStrictEqual(
          [revoked.linkId, revoked.purpose, revoked.resourceKind, revoked.status],
          [linkId, "quick-link", "message", "used"]
        )
        expectTag(yield* Effect.flip(auth.openLink(linkId, code, patient.dateOfBirth, false)), "PasscodeUsed")
        // Revoking again changes nothing and says where the link stands.
        assert.strictEqual((yield* auth.revokeLink(staff, linkId)).status, "used")
        assert.deepStrictEqual(
          (yield* auditEvents)
            .filter((e) => e.action === "link.revoked")
            .map((e) => [e.clinicId, e.actor.id, e.patientId, e.outcome, e.reason]),
          [
            [foreignStaff.clinicId, foreignStaff.staffId, null, "failure", "LinkNotFound"],
            [staff.clinicId, staff.staffId, null, "failure", "LinkNotFound"],
            [staff.clinicId, staff.staffId, patient.id, "success", undefined],
            [staff.clinicId, staff.staffId, patient.id, "success", undefined]
          ]
        )
      }).pipe(Effect.provide(freshDomain()))
  )

  it.effect("revokes only the link asked for: the patient's other links still open", () =>
    Effect.gen(function* () {
      const auth = yield* Authentication
      const patient = yield* seedPatient()
      const revoked = yield* issueLinkFor(patient, "message-1")
      const kept = yield* issueLinkFor(patient, "message-2")
      const keptCode = yield* requireCode(kept)
      yield* auth.revokeLink(staff, revoked)
      assert.strictEqual((yield* auth.describeLink(kept)).status, "active")
      const opened = yield* auth.openLink(kept, keptCode, patient.dateOfBirth, false)
      assert.strictEqual(opened.target.id, "message-2")
      assert.isTrue(Option.isSome(yield* auth.linkFor(patient.id, "quick-link", opened.target)))
    }).pipe(Effect.provide(freshDomain()))
  )
})
