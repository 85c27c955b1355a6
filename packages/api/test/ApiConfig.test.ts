import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { ApiConfig } from "../src/Auth.ts"

const read = (env: Record<string, string>) =>
  Effect.gen(function* () {
    return yield* ApiConfig
  }).pipe(
    Effect.provide(ApiConfig.layerConfig),
    Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))
  )

describe("ApiConfig.layerConfig", () => {
  it.effect("reads the portal origins and defaults the cookie to Secure", () =>
    Effect.gen(function* () {
      const config = yield* read({ PORTAL_ORIGINS: "https://portal.example.org/, http://localhost:3000" })
      assert.deepStrictEqual(config.allowedOrigins, ["https://portal.example.org", "http://localhost:3000"])
      assert.strictEqual(config.secureCookie, true)
    })
  )

  it.effect("SECURE_COOKIE=false turns Secure off for plain-http development", () =>
    Effect.gen(function* () {
      const config = yield* read({ PORTAL_ORIGINS: "http://localhost:3000", SECURE_COOKIE: "false" })
      assert.strictEqual(config.secureCookie, false)
    })
  )

  it.effect("without PORTAL_ORIGINS the configuration fails", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(read({}))
      assert.strictEqual(error._tag, "ConfigError")
    })
  )
})
