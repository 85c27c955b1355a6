import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Ref } from "effect"
import { HttpClient, type HttpClientRequest, HttpClientResponse } from "effect/http"
import * as Client from "../src/Client.ts"

/** An HttpClient that records each request and answers `/health` as the API does. */
const recording = Effect.gen(function* () {
  const seen = yield* Ref.make<ReadonlyArray<HttpClientRequest.HttpClientRequest>>([])
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.as(
        Ref.update(seen, (all) => [...all, request]),
        HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify({ status: "ok", database: "ok" }), {
            status: 200,
            headers: { "content-type": "application/json" }
          })
        )
      )
    )
  )
  return { seen, layer }
})

describe("Client.make", () => {
  it.effect("sends the token as Bearer and the chosen language, to the base URL", () =>
    Effect.gen(function* () {
      const { seen, layer } = yield* recording
      let language = "fr-CA"
      const health = yield* Effect.gen(function* () {
        const client = yield* Client.make({
          baseUrl: "https://portal.example.org",
          token: Redacted.make("tok-123"),
          language: () => language
        })
        const first = yield* client.health.health()
        language = "en"
        yield* client.health.health()
        return first
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(health, { status: "ok", database: "ok" })
      const [first, second] = yield* Ref.get(seen)
      assert.strictEqual(first?.url, "https://portal.example.org/health")
      assert.strictEqual(first?.headers.authorization, "Bearer tok-123")
      assert.strictEqual(first?.headers["accept-language"], "fr-CA")
      // Read at each request: a language switch applies to the next call.
      assert.strictEqual(second?.headers["accept-language"], "en")
    })
  )

  it.effect("without a token sends no Authorization header (the browser's cookie rides along)", () =>
    Effect.gen(function* () {
      const { seen, layer } = yield* recording
      yield* Effect.flatMap(Client.make({ baseUrl: "http://127.0.0.1:3000" }), (client) =>
        client.health.health()
      ).pipe(Effect.provide(layer))
      const [request] = yield* Ref.get(seen)
      assert.strictEqual(request?.headers.authorization, undefined)
      assert.strictEqual(request?.headers["accept-language"], undefined)
    })
  )
})
