/**
 * The API served on a real port over the whole domain in memory, a clinic and patients to
 * log in with, and the derived client.
 */
import { Clinic, Hasher, Ids, Notifications, Outbox, Patient, PatientRepo, Staff } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { ApiConfig } from "../src/Auth.ts"
import { Api } from "../src/Contract.ts"
import * as Server from "../src/Server.ts"

/** The portal's origin: the only page allowed to change state through the cookie. */
export const PORTAL_ORIGIN = "https://portal.example.org"

/** A fresh server and domain for one test. */
export const TestServer = () =>
  Server.layerTest.pipe(
    Layer.provide(ApiConfig.layer({ secureCookie: true, allowedOrigins: [PORTAL_ORIGIN] })),
    Layer.provideMerge(Testing.layerCareMemory())
  )

/** Ada, the fixtures' patient, and Grace, another patient of the same clinic. */
export const ada = Testing.makePatient()
export const grace = Testing.makePatient({
  id: Ids.PatientId.make("patient-grace"),
  healthCard: new Patient.HealthCardIdentifier({ idType: "ON-HCN", number: "9876543210" }),
  email: Patient.EmailAddress.make("grace@example.org"),
  mobile: Patient.E164.make("+14165550199")
})

/** A staff member of the fixtures' clinic. */
export const staff = new Staff.StaffPrincipal({
  staffId: Ids.StaffId.make("staff-reception"),
  clinicId: Testing.clinicId
})

/** Saves the clinic and the patients. */
export const seed = Effect.gen(function* () {
  yield* (yield* Clinic.ClinicRepo).save(Testing.makeClinic())
  const patients = yield* PatientRepo.PatientRepo
  yield* patients.save(ada)
  yield* patients.save(grace)
})

/** The plaintext code of the newest notification for a challenge or link, as the patient's device reads it. */
export const codeFor = (challengeId: string) =>
  Effect.gen(function* () {
    const all = yield* (yield* Outbox.Outbox).all
    const note = [...all].reverse().find((n) => n.payload.challengeId === challengeId)
    if (note === undefined) return yield* Effect.die(new Error(`no code was sent for ${challengeId}`))
    const code = yield* Notifications.openCode(yield* Hasher.Hasher, note)
    if (Option.isNone(code))
      return yield* Effect.die(new Error(`no code in the notification for ${challengeId}`))
    return Redacted.value(code.value)
  })

/** The derived client, anonymous. */
export const client = HttpApiClient.make(Api)

/** The derived client calling with a bearer token. */
export const bearerClient = (token: string) =>
  HttpApiClient.make(Api, { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) })

/** The derived client calling with the session cookie, from `origin` (the portal by default). */
export const cookieClient = (token: string, origin: string | null = PORTAL_ORIGIN) =>
  HttpApiClient.make(Api, {
    transformClient: HttpClient.mapRequest((request) => {
      const withCookie = HttpClientRequest.setHeader(request, "cookie", `careportal_session=${token}`)
      return origin === null ? withCookie : HttpClientRequest.setHeader(withCookie, "origin", origin)
    })
  })

/** Ada logs in through the API; returns the token. */
export const login = (stayLoggedIn = false) =>
  Effect.gen(function* () {
    const api = yield* client
    const challenge = yield* api.auth.login({
      payload: {
        clinic: "toronto-west",
        identifier: { idType: "ON-HCN", number: "1234567890" },
        contact: "ada@example.org"
      }
    })
    const code = yield* codeFor(challenge.challengeId)
    const session = yield* api.auth.verify({
      params: { challengeId: challenge.challengeId },
      payload: { code, stayLoggedIn }
    })
    return session.token
  })

/** The `error` tag of a failure the client decoded, or the failure's `_tag`. */
export const errorTag = (e: unknown): string =>
  typeof e === "object" && e !== null && "error" in e
    ? String((e as { error: unknown }).error)
    : typeof e === "object" && e !== null && "_tag" in e
      ? `_tag:${String((e as { _tag: unknown })._tag)}`
      : String(e)
