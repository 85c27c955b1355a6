/**
 * `GET /v1/clinics/{slug}`: a clinic's public face, through the derived client on a real port,
 * and what garbage in the slug's place answers (400 or 404, always JSON, never a 5xx).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import { problemPaths, rawJson } from "./CareSupport.ts"
import { client, errorTag, seed, TestServer } from "./support.ts"

describe("a clinic's public face by slug", () => {
  it.live("a known slug: slug, name, time zone and languages, nothing else", () =>
    Effect.gen(function* () {
      yield* seed
      const api = yield* client
      const clinic = yield* api.clinics.read({ params: { slug: "toronto-west" } })
      assert.deepStrictEqual(
        { ...clinic },
        {
          slug: "toronto-west",
          name: "Toronto West Family Health",
          timeZone: "America/Toronto",
          languages: ["en", "fr"]
        }
      )
      // The wire answer: exactly those four, without a credential; no id, no portal URL.
      const res = yield* rawJson(HttpClientRequest.get("/v1/clinics/toronto-west"))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(Object.keys(res.body).sort(), ["languages", "name", "slug", "timeZone"])
      const text = JSON.stringify(res.body)
      assert.notInclude(text, "clinic-toronto-west")
      assert.notInclude(text, "https://")
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("an unknown slug answers 404 NotFound of kind clinic", () =>
    Effect.gen(function* () {
      yield* seed
      const e = yield* Effect.flip((yield* client).clinics.read({ params: { slug: "ottawa-east" } }))
      assert.strictEqual(errorTag(e), "NotFound")
      assert.strictEqual((e as { kind?: unknown }).kind, "clinic")
      const res = yield* rawJson(HttpClientRequest.get("/v1/clinics/ottawa-east"))
      assert.deepStrictEqual([res.status, res.body.error, res.body.kind], [404, "NotFound", "clinic"])
      assert.isString(res.body.message)
      // Without any clinic on file at all, the same.
      const none = yield* rawJson(HttpClientRequest.get("/v1/clinics/nowhere"))
      assert.deepStrictEqual([none.status, none.body.error], [404, "NotFound"])
    }).pipe(Effect.provide(TestServer()))
  )

  it.live("text that is not a slug answers 400 naming the slug, before any lookup; never a 5xx", () =>
    Effect.gen(function* () {
      yield* seed
      const notSlugs = [
        "Toronto-West", // upper case: slugs are lower case
        "t", // too short
        "-toronto", // starts with a hyphen
        "x".repeat(64), // too long
        "toronto%20west",
        "toronto_west",
        "%00",
        "toronto-west%00",
        "%E2%80%A2%E2%80%A2",
        "%F0%9F%98%80",
        "toronto-west%2F..",
        "%27%3B%20drop%20table%20clinics%3B--"
      ]
      for (const slug of notSlugs) {
        const res = yield* rawJson(HttpClientRequest.get(`/v1/clinics/${slug}`))
        assert.strictEqual(res.status, 400, slug)
        assert.deepStrictEqual(problemPaths(res.body), [["params", "slug"]], slug)
      }
      // What the router cannot route (or the client resolves elsewhere) is a JSON 404, also never a 5xx.
      // The router takes no parameter longer than 100 characters.
      for (const path of [
        "/v1/clinics/%ZZ",
        "/v1/clinics/toronto-west/extra",
        "/v1/clinics/",
        "/v1/clinics/..",
        `/v1/clinics/${"a".repeat(5000)}`
      ]) {
        const res = yield* rawJson(HttpClientRequest.get(path))
        assert.strictEqual(res.status, 404, path.slice(0, 40))
        assert.isString(res.body.error, path.slice(0, 40))
      }
    }).pipe(Effect.provide(TestServer()))
  )
})
