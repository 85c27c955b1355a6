/**
 * Bad input on every endpoint of the contract, found by walking the contract (`HttpApi.reflect`)
 * and each endpoint's schemas rather than listed by hand, so that an endpoint added later is
 * covered without editing this file. Each bad variant is put to the contract's own decoder
 * first (see `ContractWalk.ts`); the server must then answer it with a 400 (or the status named
 * below) and a JSON body that names the field, and no answer may carry a stack trace or SQL.
 *
 * Supersedes the hand lists in Api.test.ts ("a malformed body answers 400 problem details naming
 * the field", "a missing field in the login start answers 400 naming it") and Care.test.ts
 * ("every care endpoint given a malformed body or query answers 400 naming the field").
 */
import { ApiKeys, Ids } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { layerRateLimitConfig } from "../src/RateLimit.ts"
import {
  type BadValue,
  badValues,
  type Caller,
  type Endpoint,
  endpoints,
  fieldNames,
  queryDecoder,
  refuses,
  requestTo,
  validStrings,
  validWire
} from "./ContractWalk.ts"
import { login, seed, TestServer } from "./support.ts"

/**
 * A server whose per-address limits are out of the way: every request here comes from
 * 127.0.0.1, and the limits run before decoding.
 */
const server = () =>
  TestServer().pipe(
    Layer.provide(
      layerRateLimitConfig({
        limits: Object.fromEntries(
          (["login", "verify", "open", "resend", "join"] as const).map((k) => [
            k,
            { limit: 100_000, window: Duration.minutes(10) }
          ])
        )
      })
    )
  )

type Services = Layer.Success<ReturnType<typeof server>>

/**
 * The `Authorization: Bearer` credential each kind of caller sends, made in the test server's
 * domain (Option.none: the caller sends none). `undefined`: no credential can be made yet, and
 * that caller's endpoints are listed as skipped rather than left out.
 *
 * Staff (groups named `staff…`): a clinic API key, left for the staff side's owner to fill in.
 * With this body, every staff endpoint of the contract passed when tried:
 *
 *   staff: Effect.flatMap(ApiKeys.ApiKeys, (keys) =>
 *     keys.issue({ clinicId: Testing.clinicId, staffId: Ids.StaffId.make("reception"), label: "bad input" })
 *   ).pipe(Effect.map((issued) => Option.some(Redacted.value(issued.key))))
 */
const credentials: Record<Caller, Effect.Effect<Option.Option<string>, unknown, Services> | undefined> = {
  anonymous: Effect.succeedNone,
  patient: Effect.map(login(), Option.some),
  staff: Effect.flatMap(ApiKeys.ApiKeys, (keys) =>
    keys.issue({ clinicId: Testing.clinicId, staffId: Ids.StaffId.make("reception"), label: "bad input" })
  ).pipe(Effect.map((issued) => Option.some(Redacted.value(issued.key))))
}

/**
 * Until the contract reports every issue (`HttpApi.ParseOptions` `{ errors: "all" }` on `Api` in
 * Contract.ts), a 400 names only the first bad field. The tests of "every bad field is named"
 * are then expected to fail; set this to true with that change and they must pass.
 */
const ALL_ERRORS_REPORTED = true

/** What an answer must not carry: a stack frame, a source location, SQL. */
const LEAKS: ReadonlyArray<RegExp> = [
  // A stack frame ("    at fn (file:line)"); a bare "at " would match "that " and "try again at 10:00".
  /^\s*at /m,
  /\bat [\w$.<>[\]]+ \(/,
  /node_modules/,
  /node:internal/,
  /\.ts:\d*/,
  /\bstack\b/i,
  /\bSELECT\b/,
  /\bINSERT INTO\b/,
  /\bDELETE FROM\b/,
  /\bUPDATE \w+ SET\b/
]

type Path = ReadonlyArray<string | number>

/**
 * One bad request, what the answer's status must be, and the fields it must name: each entry
 * is one field, given as the paths that name it (`undefined`: nothing to name).
 */
interface Case {
  readonly description: string
  readonly request: HttpClientRequest.HttpClientRequest
  readonly statuses: ReadonlyArray<number>
  readonly names: ReadonlyArray<ReadonlyArray<Path>> | undefined
}

const JSON_TYPE = "application/json"
const TWO_MIB = 2 * 1024 * 1024

/** A tiny PNG, so that a multipart request is otherwise well formed. */
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52
])

const withBody = (request: HttpClientRequest.HttpClientRequest, payload: unknown) =>
  HttpClientRequest.bodyText(request, JSON.stringify(payload), JSON_TYPE)

/** A form with a file part for each of `fileFields` and a text part for each of `textFields`. */
const form = (fileFields: ReadonlyArray<string>, textFields: ReadonlyArray<string>) => {
  const data = new FormData()
  for (const name of fileFields) data.append(name, new Blob([PNG], { type: "image/png" }), "photo.png")
  for (const name of textFields) data.append(name, "some text")
  return data
}

/** The bad requests for one endpoint, from its schemas, with valid values in every other slot. */
const casesOf = (endpoint: Endpoint) =>
  Effect.gen(function* () {
    const seed = endpoint.label
    const params = endpoint.params === undefined ? {} : yield* validStrings(endpoint.params, `${seed} params`)
    const query = endpoint.query === undefined ? {} : yield* validStrings(endpoint.query, `${seed} query`)
    const json = endpoint.payloads.find((p) => p.encoding === "Json")
    const multipart = endpoint.payloads.find((p) => p.encoding === "Multipart")
    const validPayload = json === undefined ? undefined : yield* validWire(json.schema, `${seed} payload`)
    /** The endpoint's valid body, for a case that breaks another slot. */
    const validBody = (request: HttpClientRequest.HttpClientRequest) =>
      json !== undefined
        ? withBody(request, validPayload)
        : multipart !== undefined
          ? HttpClientRequest.bodyFormData(request, form(fieldNames(multipart.schema), []))
          : request
    const cases: Array<Case> = []
    const fromBad = (slot: string, bad: BadValue, request: HttpClientRequest.HttpClientRequest): Case => ({
      description: `${slot} ${bad.description}`,
      request,
      statuses: [400],
      names: [[[slot, ...bad.path], ...(bad.orPath === undefined ? [] : [[slot, ...bad.orPath]])]]
    })

    if (endpoint.params !== undefined) {
      const schema = endpoint.params
      for (const bad of badValues(schema, params, {
        stringsOnly: true,
        canOmit: false,
        unsendable: (s) => s === ""
      })) {
        cases.push(
          fromBad("params", bad, validBody(requestTo(endpoint, bad.value as Record<string, unknown>, query)))
        )
      }
      // A path the router cannot decode: no field to name, but a JSON answer all the same.
      const first = Object.keys(params)[0]
      if (first !== undefined) {
        const url = requestTo(endpoint, { ...params, [first]: "__BAD__" }, query).url.replace(
          "__BAD__",
          "%E0%A4%A"
        )
        cases.push({
          description: `params ${first}: a malformed %-escape`,
          request: validBody(HttpClientRequest.setUrl(requestTo(endpoint, params, query), url)),
          statuses: [400, 404],
          names: undefined
        })
      }
    }

    if (endpoint.query !== undefined) {
      const decoder = queryDecoder(endpoint.query)
      for (const bad of badValues(endpoint.query, query, { stringsOnly: true, decoder })) {
        cases.push(
          fromBad("query", bad, validBody(requestTo(endpoint, params, bad.value as Record<string, unknown>)))
        )
      }
      for (const [name, value] of Object.entries(query)) {
        const twice = { ...query, [name]: [value, value] }
        if (refuses(decoder, twice)) {
          cases.push({
            description: `query ${name}: given twice`,
            request: validBody(requestTo(endpoint, params, twice)),
            statuses: [400],
            names: [[["query", name]]]
          })
        }
      }
    }

    const base = requestTo(endpoint, params, query)
    if (json !== undefined) {
      for (const bad of badValues(json.schema, validPayload)) {
        cases.push(fromBad("payload", bad, withBody(base, bad.value)))
      }
      cases.push({
        description: "payload: not JSON",
        request: HttpClientRequest.bodyText(base, '{"unterminated": ', JSON_TYPE),
        statuses: [400],
        names: [[["payload"]]]
      })
      if (refuses(json.schema, undefined) && refuses(json.schema, null)) {
        cases.push({
          description: "payload: an empty body",
          request: HttpClientRequest.bodyText(base, "", JSON_TYPE),
          statuses: [400],
          names: [[["payload"]]]
        })
      }
      const huge = [["x".repeat(TWO_MIB)]]
      if (refuses(json.schema, huge)) {
        cases.push({
          description: "payload: 2 MiB of JSON of the wrong shape",
          request: withBody(base, huge),
          statuses: [400, 413],
          names: undefined
        })
      }
    }
    if (multipart !== undefined) {
      const fields = fieldNames(multipart.schema)
      for (const name of fields) {
        const others = fields.filter((f) => f !== name)
        cases.push({
          description: `payload ${name}: left out`,
          request: HttpClientRequest.bodyFormData(base, form(others, ["note"])),
          statuses: [400],
          names: [[["payload", name]]]
        })
        cases.push({
          description: `payload ${name}: text, not a file`,
          request: HttpClientRequest.bodyFormData(base, form(others, [name])),
          statuses: [400],
          names: [[["payload", name]]]
        })
      }
      cases.push({
        description: "payload: a multipart body that is not multipart",
        request: HttpClientRequest.bodyText(
          base,
          "not a multipart body",
          "multipart/form-data; boundary=zzz"
        ),
        statuses: [400],
        names: fields.map((f) => [["payload", f]])
      })
      cases.push({
        description: "payload: an empty multipart body",
        request: HttpClientRequest.bodyText(base, "", "multipart/form-data"),
        statuses: [400],
        names: fields.map((f) => [["payload", f]])
      })
    }
    if (endpoint.payloads.length > 0 && !endpoint.payloads.some((p) => p.contentType === "text/plain")) {
      cases.push({
        description: "payload: a body of a type the endpoint does not take (text/plain)",
        request: HttpClientRequest.bodyText(base, "hello", "text/plain"),
        statuses: [415],
        names: undefined
      })
    }
    if (endpoint.payloads.length > 0 && multipart !== undefined && json === undefined) {
      cases.push({
        description: "payload: JSON where multipart is expected",
        request: withBody(base, { [fieldNames(multipart.schema)[0] ?? "file"]: "x" }),
        statuses: [415],
        names: undefined
      })
    }
    return cases
  })

/** Whether a JSON error body names `path`: a problem-details `errors[].path`, or a contract body's `field`. */
const namesPath = (body: Record<string, unknown>, path: Path) => {
  const wanted = JSON.stringify(path)
  const problems = Array.isArray(body.errors)
    ? (body.errors as ReadonlyArray<{ readonly path?: unknown }>)
    : []
  if (problems.some((e) => JSON.stringify(e.path) === wanted)) return true
  const last = String(path.at(-1))
  const listed = [body.fields, body.problems].flatMap((list) =>
    Array.isArray(list) ? (list as ReadonlyArray<{ readonly field?: unknown }>).map((f) => f.field) : []
  )
  return path.length > 1 && (body.field === last || listed.includes(last))
}

/** What is wrong with the answer to a case; empty when it is right. */
const check = (
  c: Case,
  res: { readonly status: number; readonly contentType: string; readonly text: string }
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const say = (what: string) =>
    problems.push(`${c.description}: ${what} (${res.status} ${res.text.slice(0, 300)})`)
  if (!c.statuses.includes(res.status)) say(`status ${res.status}, expected ${c.statuses.join(" or ")}`)
  if (!/^application\/(problem\+)?json\b/.test(res.contentType)) say(`content type "${res.contentType}"`)
  for (const leak of LEAKS) if (leak.test(res.text)) say(`the body matches ${leak}`)
  // A HEAD answer has no body by definition: its status and type are all there is.
  if (c.request.method === "HEAD") {
    if (res.text !== "") say("a HEAD answer with a body")
    return problems
  }
  let body: Record<string, unknown>
  try {
    body = JSON.parse(res.text) as Record<string, unknown>
  } catch {
    say("the body is not JSON")
    return problems
  }
  if (typeof body !== "object" || body === null) say("the body is not a JSON object")
  else {
    const text = body.message ?? body.detail
    if (typeof text !== "string" || text === "") say("no message saying what is wrong")
    for (const paths of c.names ?? []) {
      if (!paths.some((path) => namesPath(body, path)))
        say(`it does not name ${paths.map((p) => JSON.stringify(p)).join(" or ")}`)
    }
  }
  return problems
}

/** Sends a request with the caller's credential; the answer as text. */
const send = (request: HttpClientRequest.HttpClientRequest, credential: Option.Option<string>) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const response = yield* http.execute(
      Option.isSome(credential) ? HttpClientRequest.bearerToken(request, credential.value) : request
    )
    const text = yield* response.text
    return { status: response.status, contentType: response.headers["content-type"] ?? "", text }
  })

const takesInput = (e: Endpoint) => e.params !== undefined || e.query !== undefined || e.payloads.length > 0

describe("every endpoint of the contract given bad input answers 400 naming the field", () => {
  for (const endpoint of endpoints.filter(takesInput)) {
    const credential = credentials[endpoint.caller]
    if (credential === undefined) {
      it.live.skip(
        `${endpoint.label} (no ${endpoint.caller} credential yet: see \`credentials\`)`,
        () => Effect.void
      )
      continue
    }
    it.live(
      endpoint.label,
      () =>
        Effect.gen(function* () {
          yield* seed
          const bearer = yield* credential
          const cases = yield* casesOf(endpoint)
          assert.isAbove(cases.length, 0, "the walk found no bad input to send")
          const problems: Array<string> = []
          for (const c of cases) problems.push(...check(c, yield* send(c.request, bearer)))
          assert.deepStrictEqual(problems, [])
        }).pipe(Effect.provide(server())),
      30_000
    )
  }
})

describe("a body with several bad fields names every one of them", () => {
  for (const endpoint of endpoints) {
    const json = endpoint.payloads.find((p) => p.encoding === "Json")
    const credential = credentials[endpoint.caller]
    if (json === undefined || fieldNames(json.schema).length < 2) continue
    if (credential === undefined) {
      it.live.skip(
        `${endpoint.label} (no ${endpoint.caller} credential yet: see \`credentials\`)`,
        () => Effect.void
      )
      continue
    }
    const register = ALL_ERRORS_REPORTED ? it.live : it.live.fails
    register(
      endpoint.label,
      () =>
        Effect.gen(function* () {
          yield* seed
          const bearer = yield* credential
          const params =
            endpoint.params === undefined
              ? {}
              : yield* validStrings(endpoint.params, `${endpoint.label} params`)
          const query =
            endpoint.query === undefined ? {} : yield* validStrings(endpoint.query, `${endpoint.label} query`)
          const valid = (yield* validWire(json.schema, `${endpoint.label} payload`)) as Record<
            string,
            unknown
          >
          // Two top-level fields given the wrong type at once.
          const broken = badValues(json.schema, valid).filter(
            (b) => b.path.length === 1 && b.description.endsWith("(wrong type)")
          )
          const [a, b] = broken
          if (a === undefined || b === undefined) return
          const both = {
            ...valid,
            [String(a.path[0])]: (a.value as Record<string, unknown>)[String(a.path[0])]
          }
          both[String(b.path[0])] = (b.value as Record<string, unknown>)[String(b.path[0])]
          const res = yield* send(withBody(requestTo(endpoint, params, query), both), bearer)
          const problems = check(
            {
              description: `${a.description} and ${b.description}`,
              request: requestTo(endpoint, params, query),
              statuses: [400],
              names: [[["payload", ...a.path]], [["payload", ...b.path]]]
            },
            res
          )
          assert.deepStrictEqual(problems, [])
        }).pipe(Effect.provide(server())),
      30_000
    )
  }
})
