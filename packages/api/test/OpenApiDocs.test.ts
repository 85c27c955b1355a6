/**
 * `/openapi.json` (and so the `/docs` page) explains itself: the API has a title, a version and
 * a description, every group (tag) a description, every operation a summary. The staff side is
 * annotated separately: what it still lacks is listed below, and the lists must only shrink.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import { API_VERSION } from "../src/Contract.ts"
import { rawJson } from "./CareSupport.ts"
import { TestServer } from "./support.ts"

/**
 * KNOWN GAP, to be emptied: the staff operations (`METHOD /path`) that have no summary yet.
 * Annotate one, then remove it here; the test fails for an entry that has gained a summary, and
 * for any operation without a summary that is not listed.
 */
const KNOWN_GAP_STAFF_OPERATIONS_WITHOUT_SUMMARY: ReadonlyArray<string> = []

/** KNOWN GAP, to be emptied: the staff groups (tags) that have no description yet. */
const KNOWN_GAP_STAFF_TAGS_WITHOUT_DESCRIPTION: ReadonlyArray<string> = []

interface Operation {
  readonly summary?: string
  readonly description?: string
  readonly tags?: ReadonlyArray<string>
}

interface Document {
  readonly info: { readonly title?: string; readonly version?: string; readonly description?: string }
  readonly tags: ReadonlyArray<{ readonly name: string; readonly description?: string }>
  readonly paths: Record<string, Record<string, Operation>>
  readonly components: { readonly securitySchemes: Record<string, { readonly description?: string }> }
}

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"])

const filled = (text: string | undefined) => text !== undefined && text.trim().length > 0

const openApi = Effect.map(
  rawJson(HttpClientRequest.get("/openapi.json")),
  (res) => res.body as unknown as Document
)

/** Every operation of the document, as `METHOD /path`. */
const operationsOf = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, operation }))
  )

describe("the OpenAPI document explains the API", () => {
  it.live("the API has a title, the package's version and a description", () =>
    Effect.gen(function* () {
      const { info } = yield* openApi
      assert.strictEqual(info.title, "careportal")
      const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
        readonly version: string
      }
      assert.strictEqual(API_VERSION, pkg.version, "Contract.ts API_VERSION must follow package.json")
      assert.strictEqual(info.version, pkg.version)
      assert.isTrue(filled(info.description))
      // What a vendor needs first: both ways to authenticate and the shape of an error.
      for (const needed of ["sessionToken", "sessionCookie", "clinicApiKey", '"error"', "docs/api.md"]) {
        assert.include(info.description, needed)
      }
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("every group has a description, but for the listed staff gap", () =>
    Effect.gen(function* () {
      const doc = yield* openApi
      assert.isAtLeast(doc.tags.length, 10)
      const bare = doc.tags.filter((tag) => !filled(tag.description)).map((tag) => tag.name)
      assert.deepStrictEqual(
        bare.filter((name) => !KNOWN_GAP_STAFF_TAGS_WITHOUT_DESCRIPTION.includes(name)),
        [],
        "groups without a description: annotate them with OpenApi.Description"
      )
      assert.deepStrictEqual(
        KNOWN_GAP_STAFF_TAGS_WITHOUT_DESCRIPTION.filter((name) => !bare.includes(name)),
        [],
        "described now (or gone): remove them from KNOWN_GAP_STAFF_TAGS_WITHOUT_DESCRIPTION"
      )
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("every operation has a summary, but for the listed staff gap", () =>
    Effect.gen(function* () {
      const operations = operationsOf(yield* openApi)
      assert.isAtLeast(operations.length, 30)
      const bare = operations.filter((op) => !filled(op.operation.summary)).map((op) => op.key)
      assert.deepStrictEqual(
        bare.filter((key) => !KNOWN_GAP_STAFF_OPERATIONS_WITHOUT_SUMMARY.includes(key)),
        [],
        "operations without a summary: annotate them with docs(summary, ...) from contract/Common.ts"
      )
      assert.deepStrictEqual(
        KNOWN_GAP_STAFF_OPERATIONS_WITHOUT_SUMMARY.filter((key) => !bare.includes(key)),
        [],
        "summarised now (or gone): remove them from KNOWN_GAP_STAFF_OPERATIONS_WITHOUT_SUMMARY"
      )
      // The gap is the staff side's only.
      for (const key of KNOWN_GAP_STAFF_OPERATIONS_WITHOUT_SUMMARY) assert.match(key, /^[A-Z]+ \/v1\/staff\//)
      // A summary is one line; the details go to the description.
      for (const { key, operation } of operations) {
        if (operation.summary !== undefined) assert.notInclude(operation.summary, "\n", key)
      }
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("the patient's security schemes say how to send the session", () =>
    Effect.gen(function* () {
      const { securitySchemes } = (yield* openApi).components
      assert.include(securitySchemes.sessionToken?.description, "Authorization: Bearer")
      assert.include(securitySchemes.sessionCookie?.description, "Origin")
    }).pipe(Effect.provide(TestServer()))
  )
})
