/**
 * What the link page reads before a session, through the derived client on a real port: the
 * link's clinic (its name and slug, nothing about the patient, never the message), and where a
 * resent link code went, masked. The login resend tells no more than before: it must answer a
 * matched and an unmatched identity alike (Negative.test.ts), and the caller typed the contact.
 */
import { AuthPolicy, Messaging } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { HttpClientRequest } from "effect/http"
import { rawJson } from "./CareSupport.ts"
import { ada, client, codeFor, errorTag, seed, staff, TestServer } from "./support.ts"

/** A server without the resend cooldown, so a live test can resend at once. */
const server = () => TestServer().pipe(Layer.provide(AuthPolicy.layer({ resendCooldown: Duration.zero })))

/** Everything of Ada's that no page before a session may show. */
const adasDetails = [
  ada.id,
  ada.legalName.given,
  ada.legalName.family,
  ada.dateOfBirth,
  ada.healthCard.number,
  ada.email ?? "",
  ada.mobile ?? "",
  (ada.mobile ?? "").slice(-4)
]

/** A message to Ada with its notification link; returns the link id and the message. */
const messageWithLink = Effect.gen(function* () {
  const sent = yield* (yield* Messaging.Messaging).send(staff, {
    patientId: ada.id,
    subject: "Your lab results are in",
    body: "Your cholesterol is fine.",
    replyAllowed: false
  })
  const linkId = sent.link?.linkId
  if (linkId === undefined) return yield* Effect.die(new Error("no link was issued"))
  return { linkId, messageId: sent.message.id }
})

describe("the link page", () => {
  it.live("the description names the clinic (slug and name), nothing of the patient or the message", () =>
    Effect.gen(function* () {
      yield* seed
      const { linkId, messageId } = yield* messageWithLink
      const api = yield* client
      const described = yield* api.links.describe({ params: { linkId } })
      assert.deepStrictEqual(
        { ...described.clinic },
        { slug: "toronto-west", name: "Toronto West Family Health" }
      )
      assert.strictEqual(described.status, "active")
      // The slug leads to the clinic's public face.
      const face = yield* api.clinics.read({ params: { slug: described.clinic.slug } })
      assert.strictEqual(face.timeZone, "America/Toronto")

      const res = yield* rawJson(HttpClientRequest.get(`/v1/links/${linkId}`))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(Object.keys(res.body).sort(), [
        "clinic",
        "expiresAt",
        "linkId",
        "purpose",
        "resourceKind",
        "status"
      ])
      assert.deepStrictEqual(res.body.clinic, { slug: "toronto-west", name: "Toronto West Family Health" })
      const text = JSON.stringify(res.body)
      for (const detail of [...adasDetails, messageId, "lab results", "cholesterol"]) {
        assert.notInclude(text, detail)
      }
    }).pipe(Effect.provide(server()))
  )

  it.live("a resend answers where the new code went, masked, and the new code opens the link", () =>
    Effect.gen(function* () {
      yield* seed
      const { linkId } = yield* messageWithLink
      const first = yield* codeFor(linkId)
      const api = yield* client
      const sent = yield* api.links.resend({ params: { linkId } })
      assert.strictEqual(sent.challengeId, linkId)
      // Ada's preference is both: her email address and her mobile (+14165550100).
      assert.deepStrictEqual(
        sent.sentTo.map((s) => ({ ...s })),
        [
          { channel: "email", masked: "a•••@example.org" },
          { channel: "sms", masked: "•••-•••-••00" }
        ]
      )
      const resent = yield* codeFor(linkId)
      assert.notStrictEqual(resent, first)

      const res = yield* rawJson(HttpClientRequest.post(`/v1/links/${linkId}/resend`))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(Object.keys(res.body).sort(), ["challengeId", "expiresAt", "sentTo"])
      assert.deepStrictEqual(res.body.sentTo, [
        { channel: "email", masked: "a•••@example.org" },
        { channel: "sms", masked: "•••-•••-••00" }
      ])
      const text = JSON.stringify(res.body)
      for (const detail of adasDetails) assert.notInclude(text, detail)

      const opened = yield* api.links.open({
        params: { linkId },
        payload: { code: yield* codeFor(linkId), dateOfBirth: ada.dateOfBirth, stayLoggedIn: false }
      })
      assert.strictEqual(opened.purpose, "quick-link")
      // A used link cannot be resent: no destination is answered.
      const refused = yield* Effect.flip(api.links.resend({ params: { linkId } }))
      assert.strictEqual(errorTag(refused), "PasscodeUsed")
    }).pipe(Effect.provide(server()))
  )

  it.live("the login resend still answers only the challenge and its expiry, matched or not", () =>
    Effect.gen(function* () {
      yield* seed
      const api = yield* client
      for (const contact of ["ada@example.org", "someone@example.org"]) {
        const challenge = yield* api.auth.login({
          payload: { clinic: "toronto-west", identifier: { idType: "ON-HCN", number: "1234567890" }, contact }
        })
        const res = yield* rawJson(HttpClientRequest.post(`/v1/auth/login/${challenge.challengeId}/resend`))
        assert.strictEqual(res.status, 200, contact)
        assert.deepStrictEqual(Object.keys(res.body).sort(), ["challengeId", "expiresAt"], contact)
      }
    }).pipe(Effect.provide(server()))
  )
})
