/**
 * JSON bodies are capped at 1 MiB: a declared larger one is refused before it is read, a chunked
 * one (no Content-Length) as soon as it passes the cap; both with a JSON 413. A body under the cap,
 * however padded, is served as usual.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpServer } from "effect/http"
import { MAX_JSON_BODY_BYTES } from "../src/Server.ts"
import { seed, TestServer } from "./support.ts"

const LOGIN = {
  clinic: "toronto-west",
  identifier: { idType: "ON-HCN", number: "1234567890" },
  contact: "ada@example.org"
}

/** A login start whose JSON is padded with spaces to `bytes`. */
const paddedLogin = (bytes: number) => {
  const json = JSON.stringify(LOGIN)
  return `${json.slice(0, -1)}${" ".repeat(Math.max(0, bytes - json.length))}}`
}

/** POSTs `body` to the login start, chunked (no Content-Length) when `chunked`. */
const post = (body: string, chunked: boolean) =>
  Effect.gen(function* () {
    const address = (yield* HttpServer.HttpServer).address
    if (address._tag === "UnixPathAddress") return yield* Effect.die(new Error("not TCP"))
    return yield* Effect.promise(async () => {
      const bytes = new TextEncoder().encode(body)
      const init: RequestInit & { duplex?: "half" } = chunked
        ? {
            method: "POST",
            headers: { "content-type": "application/json" },
            duplex: "half",
            body: new ReadableStream<Uint8Array>({
              start(controller) {
                for (let i = 0; i < bytes.length; i += 64 * 1024)
                  controller.enqueue(bytes.slice(i, i + 64 * 1024))
                controller.close()
              }
            })
          }
        : { method: "POST", headers: { "content-type": "application/json" }, body: bytes }
      const response = await fetch(`http://127.0.0.1:${address.port}/v1/auth/login`, init)
      const text = await response.text()
      return { status: response.status, type: response.headers.get("content-type"), text }
    })
  })

describe("the JSON body cap", () => {
  for (const chunked of [false, true]) {
    const how = chunked ? "chunked" : "with Content-Length"
    it.live(`${how}: 1 MiB + 1 byte answers 413 JSON; 1 MiB is served`, () =>
      Effect.gen(function* () {
        yield* seed
        const over = yield* post(paddedLogin(MAX_JSON_BODY_BYTES + 1), chunked)
        assert.strictEqual(over.status, 413, over.text)
        assert.match(over.type ?? "", /json/)
        assert.strictEqual(JSON.parse(over.text).error, "PayloadTooLarge")
        const atCap = yield* post(paddedLogin(MAX_JSON_BODY_BYTES), chunked)
        assert.strictEqual(atCap.status, 202, atCap.text)
      }).pipe(Effect.provide(TestServer()))
    )
  }
})
