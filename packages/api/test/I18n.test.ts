/**
 * The API's error messages in French: every tag has one (rendered from the domain's own errors,
 * and from every body the contract's schemas allow), the nested messages the domain writes are
 * all known, `Accept-Language` chooses the language as RFC 9110 says, and real requests answer
 * French with the same tag, status and details, while English stays byte for byte as it was.
 */
import {
  ApiKeys,
  AuthErrors,
  CareErrors,
  ClinicScheduleErrors,
  DemographicsErrors,
  Ids,
  Message,
  PatientErrors,
  Patients,
  PreVisit,
  Questionnaire,
  SchedulingErrors,
  Upload,
  VirtualVisits
} from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, DateTime, Duration, Effect, Exit, Layer, Redacted, Result, Schema } from "effect"
import { HttpBody, HttpClient, HttpClientRequest, HttpServerResponse } from "effect/http"
import { HttpApi } from "effect/http-api"
import { Api } from "../src/Contract.ts"
import { expose } from "../src/Errors.ts"
import { UploadMalformed } from "../src/handlers/Uploads.ts"
import * as I18n from "../src/I18n.ts"
import { layerRateLimitConfig } from "../src/RateLimit.ts"
import { ada, codeFor, login, seed, TestServer } from "./support.ts"

// ---------------------------------------------------------------------------------------------
// What French must look like
// ---------------------------------------------------------------------------------------------

/** Words of English that no French message of ours contains: a sentence left half translated. */
const ENGLISH = /\b(?:the|your|please|again|this|that|with|cannot|must|should|was|were|not|here|there)\b/i

/** A French text: not empty, not the English, with no English sentence left in it. */
const assertFrench = (french: unknown, english: unknown, what: string) => {
  assert.isString(french, what)
  const text = french as string
  assert.notStrictEqual(text.trim(), "", `${what}: empty`)
  assert.notStrictEqual(text, english, `${what}: still the English`)
  assert.notMatch(text, ENGLISH, `${what}: English words in ${JSON.stringify(text)}`)
}

/** A body without its human text: what code reads, which French must leave as it is. */
const machinePart = (body: unknown): unknown => {
  if (Array.isArray(body)) return body.map(machinePart)
  if (typeof body !== "object" || body === null) return body
  return Object.fromEntries(
    Object.entries(body)
      .filter(([key]) => key !== "message" && key !== "title" && key !== "detail")
      .map(([key, value]) => [key, machinePart(value)])
  )
}

/** Every nested `message` of a body (items, fields, problems, errors), in order. */
const nestedMessages = (body: Record<string, unknown>): ReadonlyArray<string> =>
  [body.items, body.fields, body.problems, body.errors].flatMap((list) =>
    Array.isArray(list)
      ? list.flatMap((e: { readonly message?: unknown }) =>
          typeof e.message === "string" ? [e.message] : []
        )
      : []
  )

// ---------------------------------------------------------------------------------------------
// The contract's error bodies, from its schemas
// ---------------------------------------------------------------------------------------------

/** Every error schema the contract declares (endpoints' and middleware's), once each. */
const errorSchemas: ReadonlyArray<Schema.Top> = (() => {
  const seen = new Set<Schema.Top>()
  HttpApi.reflect(Api, {
    onGroup: () => {},
    onEndpoint: ({ errors }) => {
      for (const schemas of errors.values()) for (const s of schemas) seen.add(s)
    }
  })
  return [...seen]
})()

/** A body as the server sends it: encoded by the contract schema of its tag. */
const wire = (body: { readonly error: string }): Record<string, unknown> => {
  for (const schema of errorSchemas) {
    const exit = Schema.encodeUnknownExit(schema as Schema.Codec<unknown, unknown>)(body)
    if (Exit.isSuccess(exit) && (exit.value as { error?: unknown }).error === body.error)
      return JSON.parse(JSON.stringify(exit.value)) as Record<string, unknown>
  }
  throw new Error(`no error schema of the contract encodes ${JSON.stringify(body)}`)
}

// ---------------------------------------------------------------------------------------------
// The domain's errors, with the nested messages it writes
// ---------------------------------------------------------------------------------------------

const at = (iso: string) => DateTime.makeUnsafe(iso)

/** A questionnaire with every type of item, and answers that break each of its rules. */
const brokenResponse = (() => {
  const base = { required: false, text: "Question" }
  const questionnaire = new Questionnaire.Questionnaire({
    id: Ids.QuestionnaireId.make("q-all"),
    clinicId: Testing.clinicId,
    title: "Toutes",
    createdAt: at("2026-01-01T00:00:00Z"),
    items: [
      { ...base, type: "text", linkId: "t-type", maxLength: 5 },
      { ...base, type: "text", linkId: "t-long", maxLength: 5 },
      { ...base, type: "boolean", linkId: "b" },
      { ...base, type: "choice", linkId: "c-type", options: ["rouge", "vert"] },
      { ...base, type: "choice", linkId: "c-option", options: ["rouge", "vert"] },
      { ...base, type: "multiple-choice", linkId: "m-type", options: ["rouge", "vert"] },
      { ...base, type: "multiple-choice", linkId: "m-option", options: ["rouge", "vert"] },
      { ...base, type: "multiple-choice", linkId: "m-twice", options: ["rouge", "vert"] },
      { ...base, type: "integer", linkId: "i-type" },
      { ...base, type: "integer", linkId: "i-between", minValue: 1, maxValue: 10 },
      { ...base, type: "integer", linkId: "i-min", minValue: 1 },
      { ...base, type: "integer", linkId: "i-max", maxValue: 10 },
      { ...base, type: "date", linkId: "d-type" },
      { ...base, type: "date", linkId: "d-date" },
      { ...base, type: "boolean", linkId: "twice" },
      { ...base, type: "boolean", linkId: "needed", required: true }
    ]
  })
  const result = Questionnaire.checkResponse(questionnaire, [
    { linkId: "nope", answer: true },
    { linkId: "t-type", answer: 5 },
    { linkId: "t-long", answer: "abcdefgh" },
    { linkId: "b", answer: "oui" },
    { linkId: "c-type", answer: 5 },
    { linkId: "c-option", answer: "bleu" },
    { linkId: "m-type", answer: "rouge" },
    { linkId: "m-option", answer: ["bleu"] },
    { linkId: "m-twice", answer: ["rouge", "rouge"] },
    { linkId: "i-type", answer: 1.5 },
    { linkId: "i-between", answer: 11 },
    { linkId: "i-min", answer: 0 },
    { linkId: "i-max", answer: 11 },
    { linkId: "d-type", answer: 5 },
    { linkId: "d-date", answer: "2024-02-30" },
    { linkId: "twice", answer: true },
    { linkId: "twice", answer: false }
  ])
  if (Result.isSuccess(result)) throw new Error("the broken response was accepted")
  return result.failure
})()

/** Registrations that break every rule of `Patients.checkRegistration`, and their problems. */
const brokenRegistrations = (() => {
  const valid = {
    healthCard: { idType: "ON-HCN", number: "1234567890" },
    legalName: { given: "Ada", family: "Lovelace" },
    dateOfBirth: "1985-12-10"
  }
  const address = { line1: "1 Main St", city: "Toronto", region: "ON", postalCode: "M5H 2N2", country: "CA" }
  const broken: ReadonlyArray<Patients.PatientRegistration> = [
    {
      healthCard: { idType: "?", number: "12ab", versionCode: "12345" },
      legalName: { given: "", family: "x".repeat(300) },
      dateOfBirth: "1985-13-40",
      email: "not an email",
      mobile: "call me",
      notificationPreference: "fax" as never,
      language: "de" as never,
      address: { ...address, line1: "", city: "x".repeat(300), postalCode: "ZZZ" }
    },
    {
      ...valid,
      healthCard: { idType: "ON-HCN", number: "12" },
      legalName: { given: "A\u0007da", family: "" },
      dateOfBirth: "2999-01-01",
      notificationPreference: "both"
    },
    { ...valid, dateOfBirth: "1850-01-01", email: "ada@example.org", notificationPreference: "sms" },
    { ...valid, mobile: "416 555 0100", notificationPreference: "email" },
    {
      ...valid,
      legalName: { given: "x".repeat(300), family: "L\u0007ovelace" },
      address: { ...address, line2: "x".repeat(300), region: "", country: "" }
    },
    { ...valid, address: { ...address, postalCode: "", region: "x".repeat(300), country: "x".repeat(300) } }
  ]
  return broken.flatMap((registration) => {
    const result = Patients.checkRegistration(registration, "2026-06-01")
    return Result.isFailure(result) ? [result.failure] : []
  })
})()

/** A definition that breaks every rule of `Questionnaire.checkDefinition`. */
const brokenDefinition = (() => {
  const base = { required: false, text: "Question" }
  return [
    ...Questionnaire.checkDefinition({ title: " ", items: [] }),
    ...Questionnaire.checkDefinition({
      title: "Toutes",
      items: [
        { ...base, type: "boolean", linkId: "-bad id" },
        { ...base, type: "boolean", linkId: "same" },
        { ...base, type: "boolean", linkId: "same", text: " " },
        { ...base, type: "text", linkId: "t", maxLength: 0 },
        { ...base, type: "choice", linkId: "c", options: [] },
        { ...base, type: "choice", linkId: "c2", options: ["rouge", " ", "rouge"] },
        { ...base, type: "integer", linkId: "i", minValue: 1.5, maxValue: 2.5 },
        { ...base, type: "integer", linkId: "j", minValue: 5, maxValue: 1 }
      ]
    })
  ]
})()

/** One or more errors of every tag the domain raises, as the API's handlers expose them. */
const domainBodies: ReadonlyArray<Record<string, unknown>> = [
  ...[4, 1].map((attemptsLeft) => new AuthErrors.PasscodeInvalid({ attemptsLeft })),
  ...(["login-otp", "quick-link", "upload-link", "contact-verify"] as const).flatMap((purpose) => [
    new AuthErrors.PasscodeLocked({ purpose }),
    new AuthErrors.PasscodeExpired({ purpose }),
    new AuthErrors.PasscodeUsed({ purpose }),
    new AuthErrors.PasscodeSuperseded({ purpose })
  ]),
  new AuthErrors.ResendTooSoon({ retryAfterSeconds: 42 }),
  new AuthErrors.ResendLimitReached({ retryAfterSeconds: 7200 }),
  new AuthErrors.TooManyAttempts({ retryAfterSeconds: 1800 }),
  new AuthErrors.SessionExpired(),
  new AuthErrors.SessionNotFound(),
  new AuthErrors.ChallengeNotFound(),
  new AuthErrors.LinkNotFound(),
  new AuthErrors.ContactUnreadable(),
  new AuthErrors.NoContactOnFile(),
  new AuthErrors.ApiKeyInvalid(),
  ...CareErrors.RecordKind.literals.map((kind) => new CareErrors.NotFound({ kind })),
  new CareErrors.SlotTaken(),
  new SchedulingErrors.SlotUnavailable({ start: at("2026-03-02T14:00:00Z") }),
  ...[1440, 90].map(
    (windowMinutes) =>
      new SchedulingErrors.ChangeWindowClosed({ startsAt: at("2026-03-02T14:00:00Z"), windowMinutes })
  ),
  ...(["requested", "booked", "cancelled", "completed"] as const).map(
    (status) => new SchedulingErrors.AppointmentNotChangeable({ status })
  ),
  new SchedulingErrors.AvailabilityRangeInvalid({ reason: "empty", maxDays: 31 }),
  new SchedulingErrors.AvailabilityRangeInvalid({ reason: "too-long", maxDays: 31 }),
  new SchedulingErrors.AppointmentRangeInvalid({
    from: at("2026-03-02T00:00:00Z"),
    to: at("2026-03-01T00:00:00Z")
  }),
  new Message.MessageTextInvalid({ field: "body", problem: "empty", maxLength: 10_000, length: 0 }),
  new Message.MessageTextInvalid({ field: "subject", problem: "too-long", maxLength: 200, length: 250 }),
  new Message.ReplyNotAllowed({ messageId: Ids.MessageId.make("message-1") }),
  new Message.InvalidCursor(),
  new Message.InvalidPageSize({ limit: 500, max: 100 }),
  new Questionnaire.QuestionnaireInvalid({ items: brokenResponse }),
  new Questionnaire.QuestionnaireInvalid({ items: brokenResponse.slice(0, 1) }),
  new Questionnaire.QuestionnaireDefinitionInvalid({ problems: brokenDefinition }),
  new PreVisit.TaskAlreadyCompleted({ taskId: Ids.TaskId.make("task-1") }),
  new PreVisit.TaskCancelled({ taskId: Ids.TaskId.make("task-1") }),
  new Upload.UploadRejected({ reason: "not-a-photo", size: 1000, maxSize: Upload.MAX_UPLOAD_BYTES }),
  new Upload.UploadRejected({
    reason: "too-large",
    size: Upload.MAX_UPLOAD_BYTES + 1,
    maxSize: Upload.MAX_UPLOAD_BYTES
  }),
  new Upload.UploadRejected({
    reason: "too-large",
    size: 15 * 1024 * 1024,
    maxSize: Upload.MAX_UPLOAD_BYTES
  }),
  new Upload.UploadRequestUsed(),
  new Upload.UploadRequestExpired(),
  new Upload.UploadRequestCancelled(),
  new Upload.UploadNoteInvalid({ length: 600, maxLength: 500 }),
  ...(["missing", "too-many-parts", "unreadable"] as const).map(
    (problem) => new UploadMalformed({ field: "photo", problem })
  ),
  new VirtualVisits.AccessCodeInvalid(),
  new VirtualVisits.VisitNotOpenYet({
    opensAt: at("2026-03-02T13:55:00Z"),
    startsAt: at("2026-03-02T14:00:00Z")
  }),
  new VirtualVisits.VisitEnded({ endedAt: at("2026-03-02T14:30:00Z") }),
  new VirtualVisits.MeetingUrlMissing(),
  new VirtualVisits.VisitNotBooked({ status: "requested" }),
  new DemographicsErrors.AddressInvalid({
    problems: (["line1", "line2", "city", "region", "postalCode", "country"] as const).flatMap((field) =>
      (["empty", "too-long", "implausible"] as const).map(
        (problem) => new DemographicsErrors.AddressProblem({ field, problem })
      )
    )
  }),
  ...(["email", "mobile"] as const).map(
    (missing) => new DemographicsErrors.PreferenceNeedsContact({ preference: "both", missing })
  ),
  ...(["email", "sms"] as const).flatMap((channel) => [
    new DemographicsErrors.ContactInvalid({ channel }),
    new DemographicsErrors.ContactUnchanged({ channel })
  ]),
  new DemographicsErrors.ContactChangeNotFound(),
  ...brokenRegistrations,
  new PatientErrors.PatientAlreadyRegistered({ patientId: Ids.PatientId.make("patient-ada") }),
  new ClinicScheduleErrors.WeeklyHoursInvalid({
    problems: [
      new ClinicScheduleErrors.WeeklyHoursProblem({
        weekday: 1,
        start: "09:00",
        end: "08:00",
        problem: "not-after-start"
      }),
      new ClinicScheduleErrors.WeeklyHoursProblem({
        weekday: 7,
        start: "09:00",
        end: "12:00",
        problem: "overlaps",
        other: { start: "11:00", end: "13:00" }
      })
    ]
  }),
  new ClinicScheduleErrors.MeetingUrlInvalid(),
  new ClinicScheduleErrors.NameInvalid({ of: "provider", maxLength: 200 }),
  new ClinicScheduleErrors.NameInvalid({ of: "appointment-type", maxLength: 200 }),
  new ClinicScheduleErrors.DurationInvalid({ minutes: 2.5, minimum: 5, maximum: 480 }),
  new ClinicScheduleErrors.UnknownQuestionnaires({ questionnaireIds: [Ids.QuestionnaireId.make("q-x")] }),
  new ClinicScheduleErrors.BlockedPeriodInvalid({
    start: at("2026-03-02T14:00:00Z"),
    end: at("2026-03-02T13:00:00Z")
  }),
  new ClinicScheduleErrors.BlockedPeriodNotFound()
].map((e) => wire(expose(e)))

/** The tags the HTTP layer, the auth and rate-limit middleware answer with English of their own. */
const EDGE_TAGS = ["RouteNotFound", "UnsupportedMediaType", "PayloadTooLarge", "OriginRefused", "RateLimited"]

describe("every tag has a French message", () => {
  it("the domain's errors, as the handlers expose them: French, not the English, same details", () => {
    const tags = new Set(domainBodies.map((b) => String(b.error)))
    const missing = Object.keys(I18n.french).filter((t) => !tags.has(t) && !EDGE_TAGS.includes(t))
    assert.deepStrictEqual(missing, [], "tags of I18n.french with no sample here (add one)")
    for (const english of domainBodies) {
      const what = `${english.error} ${JSON.stringify(machinePart(english))}`
      const { body, language } = I18n.localizeBody(english, "fr")
      assert.strictEqual(language, "fr", what)
      const french = body as Record<string, unknown>
      assertFrench(french.message, english.message, what)
      assert.deepStrictEqual(machinePart(french), machinePart(english), `${what}: details changed`)
      const nested = nestedMessages(french)
      for (const [i, m] of nestedMessages(english).entries()) assertFrench(nested[i], m, `${what}: item ${i}`)
      // English is the body as it was.
      assert.strictEqual(I18n.localizeBody(english, "en").body, english)
    }
  })

  it("every error schema of the contract has a tag I18n.french knows", () => {
    const tags = new Set<string>()
    for (const schema of errorSchemas) {
      const ast = schema.ast
      if (ast._tag !== "Objects") continue
      const tag = ast.propertySignatures.find((p) => p.name === "error")
      if (tag?.type._tag === "Literal") tags.add(String(tag.type.literal))
    }
    assert.isAbove(tags.size, 50)
    assert.deepStrictEqual(
      [...tags].filter((t) => !Object.hasOwn(I18n.french, t)),
      [],
      "contract tags without a French message"
    )
  })

  it.effect("any body the contract's schemas allow renders in French, never falling back to English", () =>
    Effect.gen(function* () {
      for (const [i, schema] of errorSchemas.entries()) {
        const codec = schema as Schema.Codec<unknown, unknown>
        const samples = yield* Arbitrary.sampleEffect(Arbitrary.schema(codec), {
          count: 25,
          seed: `error schema ${i}`,
          size: 6
        })
        for (const sample of samples) {
          const exit = Schema.encodeUnknownExit(codec)(sample)
          if (Exit.isFailure(exit)) continue
          const english = JSON.parse(JSON.stringify(exit.value)) as Record<string, unknown>
          if (typeof english.error !== "string") continue
          const { body, language } = I18n.localizeBody(english, "fr")
          const what = JSON.stringify(english).slice(0, 300)
          assert.strictEqual(language, "fr", what)
          const message = (body as { message?: unknown }).message
          assert.isString(message, what)
          assert.notStrictEqual((message as string).trim(), "", what)
          assert.deepStrictEqual(machinePart(body), machinePart(english), what)
        }
      }
    })
  )

  it("every nested message the domain writes is one I18n knows (no generic stand-in)", () => {
    assert.isAtLeast(new Set(brokenResponse.map((p) => p.problem)).size, 8)
    for (const p of brokenResponse) assertFrench(I18n.frenchItemProblem(p.message), p.message, p.message)
    const fields = brokenRegistrations.flatMap((e) => e.fields)
    assert.isAtLeast(new Set(fields.map((f) => f.field)).size, 15)
    for (const f of fields)
      assertFrench(I18n.frenchFieldProblem(f.message), f.message, `${f.field}: ${f.message}`)
    assert.isAtLeast(brokenDefinition.length, 10)
    for (const p of brokenDefinition)
      assertFrench(I18n.frenchDefinitionProblem(p.message), p.message, p.message)
  })

  it("schema issues: Effect's messages and the contract's own in French; one unknown stays as written", () => {
    const issues = [
      "Missing key",
      "Expected string",
      "Expected string | null",
      'Expected "email" | "sms" | "both" | null',
      "Expected PatientRegistration",
      "Expected an integer",
      "Expected a valid JSON body",
      "Expected a valid UTC DateTime string",
      "Expected a string matching the RegExp ^([01]\\d|2[0-3]):[0-5]\\d$",
      'Expected { readonly "type": "text", ... } | { readonly "type": "boolean", ... }',
      'Expected number, got "5"',
      "a staff id of 1 to 64 letters, digits, '.', '_', '@' or '-', e.g. reception",
      "a label of 1 to 200 characters"
    ]
    for (const issue of issues) assertFrench(I18n.frenchIssue(issue), issue, issue)
    assert.strictEqual(I18n.frenchIssue("Expected a value with a length of at least 3"), undefined)
  })
})

// ---------------------------------------------------------------------------------------------
// Choosing the language
// ---------------------------------------------------------------------------------------------

describe("Accept-Language (RFC 9110 q-values)", () => {
  it("French for fr and its regions when preferred; English otherwise, and by default", () => {
    const cases: ReadonlyArray<readonly [string | undefined, I18n.Language]> = [
      [undefined, "en"],
      ["", "en"],
      ["fr", "fr"],
      ["fr-CA", "fr"],
      ["FR-ca", "fr"],
      ["fr-CA,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"],
      ["en-CA,en;q=0.9,fr-CA;q=0.8", "en"],
      ["en;q=0.5, fr-CA;q=0.9", "fr"],
      ["fr;q=0.5, en;q=0.9", "en"],
      ["fr;q=0, en", "en"],
      ["fr;q=0", "en"],
      ["de", "en"],
      ["de, fr;q=0.5", "fr"],
      ["*", "en"],
      ["fr, *;q=0.1", "fr"],
      ["*, en;q=0", "fr"],
      ["fr, en", "fr"],
      ["en, fr", "en"],
      ["fr;q=1.5", "en"],
      ["fr;level=1", "en"],
      ["not a language!, fr-CA", "fr"],
      ["français", "en"]
    ]
    for (const [header, language] of cases)
      assert.strictEqual(I18n.negotiate(header), language, String(header))
  })
})

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

const jsonResponse = (body: unknown, status: number, contentType = "application/json") =>
  HttpServerResponse.setBody(
    HttpServerResponse.empty({ status }),
    HttpBody.text(typeof body === "string" ? body : JSON.stringify(body), contentType)
  )

const textOf = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : ""

describe("localizeResponse never breaks an answer", () => {
  it("an unknown tag, details of another shape or a body that is not JSON keep their English", () => {
    const unchanged = [
      jsonResponse({ error: "SomethingNew", message: "Something new." }, 409),
      jsonResponse({ error: "QuestionnaireInvalid", message: "1 answer needs attention.", items: "?" }, 422),
      jsonResponse({ error: "toString", message: "Odd." }, 400),
      jsonResponse("{ not json", 400),
      jsonResponse(["a", "list"], 400),
      jsonResponse({ error: "NotFound", message: "x" }, 404, "text/plain")
    ]
    for (const response of unchanged) {
      const french = I18n.localizeResponse("fr-CA", response)
      assert.strictEqual(textOf(french), textOf(response))
      assert.notStrictEqual(french.headers["content-language"], "fr")
    }
  })

  it("a success is not touched; an error body keeps the Vary it had", () => {
    const ok = jsonResponse({ error: "NotFound", message: "x", kind: "message" }, 200)
    assert.strictEqual(I18n.localizeResponse("fr", ok), ok)
    const varied = HttpServerResponse.setHeader(
      jsonResponse({ error: "NotFound", message: "x", kind: "message" }, 404),
      "vary",
      "Origin"
    )
    const french = I18n.localizeResponse("fr", varied)
    assert.strictEqual(french.headers.vary, "Origin, Accept-Language")
    assert.strictEqual(french.headers["content-language"], "fr")
    assert.match(
      String((JSON.parse(textOf(french)) as { message: unknown }).message),
      /^Ce message ne figure pas/
    )
  })
})

/** A server whose login-start limit is `limit` per window: 2 to reach a 429 soon, else out of the way. */
const server = (limit = 1000) =>
  TestServer().pipe(
    Layer.provide(layerRateLimitConfig({ limits: { login: { limit, window: Duration.minutes(10) } } }))
  )

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly body: Record<string, unknown>
}

/** The raw answer to `request` sent with `Accept-Language: language` (none when undefined). */
const send = (request: HttpClientRequest.HttpClientRequest, language?: string) =>
  Effect.gen(function* () {
    const response = yield* (yield* HttpClient.HttpClient).execute(
      language === undefined ? request : HttpClientRequest.setHeader(request, "accept-language", language)
    )
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text, body: JSON.parse(text) } as Answer
  })

/**
 * `request` answered in French (fr-CA), in English (`en`) and with no header: the same status,
 * tag and details; the English byte for byte the same with `en` as with no header; French
 * text in French; each with its Content-Language and `Vary: Accept-Language`.
 */
const inBothLanguages = (request: () => HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const none = yield* send(request())
    const en = yield* send(request(), "en")
    const fr = yield* send(request(), "fr-CA")
    for (const [answer, language] of [
      [none, "en"],
      [en, "en"],
      [fr, "fr"]
    ] as const) {
      assert.strictEqual(answer.headers["content-language"], language, answer.text)
      assert.match(answer.headers.vary ?? "", /\bAccept-Language\b/i)
    }
    assert.strictEqual(en.text, none.text)
    assert.strictEqual(fr.status, none.status)
    assert.strictEqual(fr.headers["content-type"], none.headers["content-type"])
    assert.strictEqual(fr.headers["retry-after"], none.headers["retry-after"])
    assert.deepStrictEqual(machinePart(fr.body), machinePart(none.body))
    const human = none.body.message ?? none.body.detail
    assertFrench(fr.body.message ?? fr.body.detail, human, `${none.status} ${none.text}`)
    return { en: none, fr }
  })

const post = (url: string, body?: unknown) =>
  body === undefined
    ? HttpClientRequest.post(url)
    : HttpClientRequest.bodyJsonUnsafe(HttpClientRequest.post(url), body)

describe("real requests with Accept-Language: fr-CA answer French", () => {
  it.live("a wrong login code: PasscodeInvalid in French with the attempts left", () =>
    Effect.gen(function* () {
      yield* seed
      const start = yield* send(
        post("/v1/auth/login", {
          clinic: "toronto-west",
          identifier: { idType: ada.healthCard.idType, number: ada.healthCard.number },
          contact: ada.email
        })
      )
      const challengeId = String(start.body.challengeId)
      const right = yield* codeFor(challengeId)
      const wrong = right.replace(/^./, (d) => String((Number(d) + 1) % 10))
      const verify = () => post(`/v1/auth/login/${challengeId}/verify`, { code: wrong, stayLoggedIn: false })
      const first = yield* send(verify())
      assert.strictEqual(first.status, 401)
      assert.strictEqual(first.body.message, new AuthErrors.PasscodeInvalid({ attemptsLeft: 4 }).message)
      const fr = yield* send(verify(), "fr-CA")
      assert.strictEqual(fr.status, 401)
      assert.deepStrictEqual(machinePart(fr.body), { error: "PasscodeInvalid", attemptsLeft: 3 })
      assert.strictEqual(fr.headers["content-language"], "fr")
      assert.match(String(fr.body.message), /il vous reste 3 essais avant que ce code soit bloqué\.$/)
      const en = yield* send(verify(), "en")
      assert.strictEqual(en.body.message, new AuthErrors.PasscodeInvalid({ attemptsLeft: 2 }).message)
      assert.strictEqual(en.headers["content-language"], "en")
    }).pipe(Effect.provide(server()))
  )

  it.live("the HTTP layer's refusals: an unknown route, a body of the wrong type, one too large", () =>
    Effect.gen(function* () {
      const route = yield* inBothLanguages(() => HttpClientRequest.get("/v1/no-such-route"))
      assert.strictEqual(route.fr.status, 404)
      assert.strictEqual(route.en.body.message, "There is no such endpoint. See /docs for the API.")
      assert.strictEqual(
        route.fr.body.message,
        "Ce point de terminaison n'existe pas. Consultez /docs pour connaître l'API."
      )
      const media = yield* inBothLanguages(() =>
        HttpClientRequest.bodyText(HttpClientRequest.post("/v1/auth/login"), "hello", "text/plain")
      )
      assert.strictEqual(media.fr.status, 415)
      const large = yield* inBothLanguages(() =>
        HttpClientRequest.bodyText(
          HttpClientRequest.post("/v1/auth/login"),
          `"${"x".repeat(2 * 1024 * 1024)}"`,
          "application/json"
        )
      )
      assert.strictEqual(large.fr.status, 413)
      assert.include(String(large.fr.body.message), "1 Mio")
    }).pipe(Effect.provide(server()))
  )

  it.live("a malformed body: the 400 problem details in French, naming the same fields", () =>
    Effect.gen(function* () {
      const bad = yield* inBothLanguages(() => post("/v1/auth/login", { clinic: 5 }))
      assert.strictEqual(bad.fr.status, 400)
      assert.strictEqual(bad.fr.headers["content-type"], "application/problem+json")
      assert.strictEqual(bad.en.body.detail, "Request validation failed")
      assert.strictEqual(bad.en.body.title, "Bad Request")
      assert.strictEqual(bad.fr.body.detail, "La validation de la requête a échoué")
      assert.strictEqual(bad.fr.body.title, "Requête incorrecte")
      assert.deepStrictEqual(
        (bad.fr.body.errors as ReadonlyArray<{ readonly message: string }>).map((e) => e.message),
        ["Valeur attendue\u00a0: chaîne", "Champ manquant", "Champ manquant"]
      )
      const notJson = yield* inBothLanguages(() =>
        HttpClientRequest.bodyText(HttpClientRequest.post("/v1/auth/login"), "{", "application/json")
      )
      assert.strictEqual(notJson.fr.status, 400)
    }).pipe(Effect.provide(server()))
  )

  it.live("too many requests: RateLimited in French with the same retryAfterSeconds and Retry-After", () =>
    Effect.gen(function* () {
      yield* seed
      const start = () =>
        post("/v1/auth/login", {
          clinic: "toronto-west",
          identifier: { idType: "ON-HCN", number: "5000000001" },
          contact: "someone@example.org"
        })
      assert.strictEqual((yield* send(start())).status, 202)
      assert.strictEqual((yield* send(start())).status, 202)
      const limited = yield* inBothLanguages(start)
      assert.strictEqual(limited.fr.status, 429)
      assert.strictEqual(limited.fr.body.error, "RateLimited")
      const seconds = limited.fr.body.retryAfterSeconds as number
      assert.match(
        String(limited.en.body.message),
        /^Too many attempts from your network\. Try again in \d+ seconds\.$/
      )
      assert.match(
        String(limited.fr.body.message),
        /^Trop de tentatives à partir de votre réseau\. Réessayez dans \d+ secondes\.$/
      )
      assert.include(String(limited.fr.body.message), `dans ${seconds} secondes`)
      assert.strictEqual(limited.fr.headers["retry-after"], String(seconds))
    }).pipe(Effect.provide(server(2)))
  )

  it.live(
    "the middleware's own refusals and a staff listing: SessionExpired, OriginRefused, InvalidPageSize",
    () =>
      Effect.gen(function* () {
        yield* seed
        const expired = yield* inBothLanguages(() => HttpClientRequest.get("/v1/messages"))
        assert.strictEqual(expired.fr.status, 401)
        const token = yield* login()
        const foreign = yield* inBothLanguages(() =>
          post("/v1/auth/logout").pipe(
            HttpClientRequest.setHeader("cookie", `careportal_session=${token}`),
            HttpClientRequest.setHeader("origin", "https://elsewhere.example.org")
          )
        )
        assert.strictEqual(foreign.fr.status, 403)
        assert.strictEqual(foreign.fr.body.error, "OriginRefused")
        const issued = yield* (yield* ApiKeys.ApiKeys).issue({
          clinicId: Testing.clinicId,
          staffId: Ids.StaffId.make("reception"),
          label: "i18n"
        })
        const page = yield* inBothLanguages(() =>
          HttpClientRequest.get("/v1/staff/audit?limit=0").pipe(
            HttpClientRequest.bearerToken(Redacted.value(issued.key))
          )
        )
        assert.strictEqual(page.fr.status, 400)
        assert.include(String(page.en.body.message), "audit events")
        assert.include(String(page.fr.body.message), "événements du journal d'audit")
      }).pipe(Effect.provide(server()))
  )

  it.live("q-values choose: French preferred over English answers French; English preferred, English", () =>
    Effect.gen(function* () {
      const preferFrench = yield* send(HttpClientRequest.get("/v1/nope"), "en;q=0.5, fr;q=0.8")
      assert.strictEqual(preferFrench.headers["content-language"], "fr")
      const preferEnglish = yield* send(HttpClientRequest.get("/v1/nope"), "fr-CA;q=0.5, en-CA")
      assert.strictEqual(preferEnglish.headers["content-language"], "en")
      assert.strictEqual(preferEnglish.body.message, "There is no such endpoint. See /docs for the API.")
    }).pipe(Effect.provide(server()))
  )

  it.live("a success carries no Content-Language", () =>
    Effect.gen(function* () {
      const response = yield* (yield* HttpClient.HttpClient).execute(
        HttpClientRequest.get("/health").pipe(HttpClientRequest.setHeader("accept-language", "fr-CA"))
      )
      assert.strictEqual(response.status, 200)
      assert.isUndefined(response.headers["content-language"])
    }).pipe(Effect.provide(server()))
  )
})
