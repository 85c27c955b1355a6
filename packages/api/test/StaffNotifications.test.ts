/**
 * `GET /v1/staff/notifications` through the derived client: the clinic's notifications of every
 * patient, newest first, in pages; `status=dead` finds the ones delivery gave up on without
 * knowing the patient first. Never a code; another clinic's key sees none of them.
 */
import { ApiKeys, AuditLog, Clinic, Ids, Outbox } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Redacted } from "effect"
import { HttpClientRequest } from "effect/http"
import { rawJson } from "./CareSupport.ts"
import { ada, bearerClient, client, errorTag, grace, login, seed, TestServer } from "./support.ts"

const otherClinicId = Ids.ClinicId.make("clinic-ottawa")

/**
 * Both clinics with a key each, and notifications of two patients: Ada's login code by email, a
 * message to Ada, and Grace's login code by SMS, which the provider refused for good (`dead`).
 */
const setup = Effect.gen(function* () {
  yield* seed
  yield* (yield* Clinic.ClinicRepo).save(
    Testing.makeClinic({ id: otherClinicId, slug: "ottawa", name: "Ottawa Family Health" })
  )
  const keys = yield* ApiKeys.ApiKeys
  const reception = yield* keys.issue({
    clinicId: Testing.clinicId,
    staffId: Ids.StaffId.make("reception"),
    label: "front desk"
  })
  const ottawa = yield* keys.issue({
    clinicId: otherClinicId,
    staffId: Ids.StaffId.make("ottawa-desk"),
    label: "Ottawa front desk"
  })
  const key = Redacted.value(reception.key)
  yield* login()
  const clinic = yield* bearerClient(key)
  yield* clinic.staffCare.sendMessage({
    payload: { patientId: ada.id, subject: "Results", body: "All clear", replyAllowed: false }
  })
  const challenge = yield* (yield* client).auth.login({
    payload: {
      clinic: "toronto-west",
      identifier: { idType: "ON-HCN", number: "9876543210" },
      contact: "+14165550199"
    }
  })
  const outbox = yield* Outbox.Outbox
  const sms = (yield* outbox.all).find((n) => n.payload.challengeId === challenge.challengeId)
  if (sms === undefined || sms.channel !== "sms")
    return yield* Effect.die(new Error("no SMS login code was queued"))
  // What the dispatcher does when the provider refuses the number for good.
  assert.isTrue(yield* outbox.markDead(sms, "400 not a mobile number"))
  return { key, otherKey: Redacted.value(ottawa.key), dead: sms }
})

/** Every sealed code the outbox holds: none may appear in what staff read. */
const sealedCodes = Effect.map(
  Effect.flatMap(Outbox.Outbox, (o) => o.all),
  (all) => all.flatMap((n) => (n.payload.code === undefined ? [] : [n.payload.code]))
)

/** The audit events of notification listings in the fixtures' clinic, oldest first, as `[patient, resource]`. */
const listedEvents = Effect.map(
  Effect.flatMap(AuditLog.AuditLog, (log) => log.all),
  (all) =>
    all
      .filter((e) => e.clinicId === Testing.clinicId && e.action === "notification.listed")
      .map((e) => [e.patientId, e.resource, e.outcome] as const)
)

/** The raw JSON of a listing, asserted free of codes. */
const rawListing = (key: string, query: string) =>
  Effect.gen(function* () {
    const raw = yield* rawJson(
      HttpClientRequest.get(`/v1/staff/notifications${query}`).pipe(HttpClientRequest.bearerToken(key))
    )
    const text = JSON.stringify(raw.body)
    const codes = yield* sealedCodes
    assert.isAbove(codes.length, 0, "the outbox holds sealed codes to look for")
    for (const code of codes) assert.notInclude(text, code)
    assert.notMatch(text, /"code"|codeContext|challengeId|sealed/i)
    return raw
  })

describe("the clinic's notifications across patients", () => {
  it.live(
    "status=dead lists exactly the dead SMS, with its patient and the provider's reason, and no code",
    () =>
      Effect.gen(function* () {
        const { key, dead } = yield* setup
        const clinic = yield* bearerClient(key)
        const page = yield* clinic.staffPatients.clinicNotifications({ query: { status: "dead" } })
        assert.deepStrictEqual(
          page.notifications.map((n) => [n.id, n.patientId, n.channel, n.to, n.status, n.lastError]),
          [[dead.id, grace.id, "sms", "+14165550199", "dead", "400 not a mobile number"]]
        )
        assert.isNull(page.nextCursor)
        // Staff saw Grace's notification: her record of access says so.
        assert.deepStrictEqual(yield* listedEvents, [[grace.id, `patient:${grace.id}`, "success"]])
        const raw = yield* rawListing(key, "?status=dead")
        assert.strictEqual(raw.status, 200)
        assert.strictEqual((raw.body.notifications as ReadonlyArray<unknown>).length, 1)

        // Unfiltered: every patient's, newest first, still without a code; each patient audited once.
        const before = (yield* listedEvents).length
        const all = yield* clinic.staffPatients.clinicNotifications({ query: {} })
        const stored = (yield* (yield* Outbox.Outbox).all).filter((n) => n.clinicId === Testing.clinicId)
        assert.isAtLeast(stored.length, 4)
        assert.deepStrictEqual(
          all.notifications.map((n) => n.id).toSorted(),
          stored.map((n) => n.id).toSorted()
        )
        const times = all.notifications.map((n) => DateTime.toEpochMillis(n.createdAt))
        assert.deepStrictEqual(
          times,
          times.toSorted((a, b) => b - a)
        )
        assert.deepStrictEqual(
          (yield* listedEvents)
            .slice(before)
            .map(([patientId]) => patientId)
            .toSorted(),
          [ada.id, grace.id].toSorted()
        )
        assert.strictEqual((yield* rawListing(key, "")).status, 200)

        // An empty page: the clinic's listing itself is audited.
        assert.deepStrictEqual(
          (yield* clinic.staffPatients.clinicNotifications({ query: { status: "withdrawn" } })).notifications,
          []
        )
        assert.deepStrictEqual((yield* listedEvents).at(-1), [null, `clinic:${Testing.clinicId}`, "success"])
      }).pipe(Effect.provide(TestServer()))
  )

  it.live("another clinic's key sees none of them", () =>
    Effect.gen(function* () {
      const { otherKey } = yield* setup
      const ottawa = yield* bearerClient(otherKey)
      for (const status of [undefined, "dead", "pending"] as const) {
        const page = yield* ottawa.staffPatients.clinicNotifications({
          query: status === undefined ? {} : { status }
        })
        assert.deepStrictEqual(page, { notifications: [], nextCursor: null })
      }
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("paging by 1 visits each notification once, newest first, and ends with a null cursor", () =>
    Effect.gen(function* () {
      const { key } = yield* setup
      const clinic = yield* bearerClient(key)
      const whole = (yield* clinic.staffPatients.clinicNotifications({ query: { limit: 200 } })).notifications
      const visited: Array<Ids.NotificationId> = []
      let cursor: string | undefined
      for (let guard = 0; guard <= whole.length; guard++) {
        const page = yield* clinic.staffPatients.clinicNotifications({
          query: { limit: 1, ...(cursor === undefined ? {} : { cursor }) }
        })
        assert.isAtMost(page.notifications.length, 1)
        visited.push(...page.notifications.map((n) => n.id))
        if (page.nextCursor === null) break
        cursor = page.nextCursor
      }
      assert.isAtLeast(whole.length, 3)
      assert.deepStrictEqual(
        visited,
        whole.map((n) => n.id)
      )
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("a bad page size or a cursor this listing did not hand out answers 400 saying what to do", () =>
    Effect.gen(function* () {
      const { key } = yield* setup
      const clinic = yield* bearerClient(key)
      for (const limit of [0, 201]) {
        const refused = yield* Effect.flip(clinic.staffPatients.clinicNotifications({ query: { limit } }))
        assert.strictEqual(errorTag(refused), "InvalidPageSize")
      }
      // The patients' listing's cursor is another listing's: refused, not misread.
      const patients = yield* clinic.staffPatients.list({ query: { limit: 1 } })
      for (const cursor of ["not-a-cursor", patients.nextCursor ?? "missing"]) {
        const refused = yield* Effect.flip(clinic.staffPatients.clinicNotifications({ query: { cursor } }))
        assert.strictEqual(errorTag(refused), "InvalidCursor")
      }
      const raw = yield* rawJson(
        HttpClientRequest.get("/v1/staff/notifications?cursor=not-a-cursor").pipe(
          HttpClientRequest.bearerToken(key)
        )
      )
      assert.strictEqual(raw.status, 400)
      assert.match(String(raw.body.message), /Reload the list from its first page/)
      const badStatus = yield* rawJson(
        HttpClientRequest.get("/v1/staff/notifications?status=failing").pipe(
          HttpClientRequest.bearerToken(key)
        )
      )
      assert.strictEqual(badStatus.status, 400)
    }).pipe(Effect.provide(TestServer()))
  )
})
