/**
 * The web portal's routes on the composed server: `/` opens the home clinic's portal, every
 * `/{clinic}/…` answers the app's page with its security headers, the hashed assets are
 * served, and the API's own paths keep their JSON 404. A missing build answers a plain 503
 * that says how to build it, never a stack.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { embeddedEnvironment, startServer } from "./JourneySupport.ts"

const INDEX =
  '<!doctype html><html lang="en"><head><script type="module" src="/assets/app-1a2b.js"></script></head><body><div id="root"></div></body></html>'

/** A build directory with an index and one asset, removed afterwards. */
const fakeBuild = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "careportal-portal-build-"))
    fs.mkdirSync(path.join(dir, "assets"))
    fs.writeFileSync(path.join(dir, "index.html"), INDEX)
    fs.writeFileSync(path.join(dir, "assets", "app-1a2b.js"), "console.log('portal')")
    return dir
  }),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, { redirect: "manual" })
    return { status: response.status, headers: response.headers, body: await response.text() }
  })

describe("the web portal on the reference server", () => {
  it.live(
    "serves the app at /{clinic}/…, its assets, and / to the home clinic; the API keeps its JSON 404",
    () =>
      Effect.gen(function* () {
        const dir = yield* fakeBuild
        const server = yield* startServer({ ...(yield* embeddedEnvironment), PORTAL_DIR: dir })
        const root = yield* get(`${server.baseUrl}/`)
        assert.strictEqual(root.status, 302)
        assert.strictEqual(root.headers.get("location"), "/toronto-west/")

        for (const page of [
          "/toronto-west/",
          "/toronto-west",
          "/toronto-west/links/0b4c",
          "/other-clinic/messages/1"
        ]) {
          const answer = yield* get(`${server.baseUrl}${page}`)
          assert.strictEqual(answer.status, 200, page)
          assert.strictEqual(answer.body, INDEX, page)
          assert.match(answer.headers.get("content-type") ?? "", /^text\/html/)
          const csp = answer.headers.get("content-security-policy") ?? ""
          assert.include(csp, "script-src 'self'")
          assert.include(csp, "frame-ancestors 'none'")
          assert.strictEqual(answer.headers.get("referrer-policy"), "no-referrer")
          assert.strictEqual(answer.headers.get("x-content-type-options"), "nosniff")
        }

        const asset = yield* get(`${server.baseUrl}/assets/app-1a2b.js`)
        assert.strictEqual(asset.status, 200)
        assert.strictEqual(asset.body, "console.log('portal')")
        assert.match(asset.headers.get("cache-control") ?? "", /immutable/)

        // Only files of the build: a missing asset or a path out of the folder is the JSON 404.
        for (const missing of ["/assets/nothing.js", "/assets/..%2Findex.html", "/v1/nothing", "/health/x"]) {
          const answer = yield* get(`${server.baseUrl}${missing}`)
          assert.strictEqual(answer.status, 404, missing)
          assert.strictEqual((JSON.parse(answer.body) as { error: string }).error, "RouteNotFound", missing)
        }
        // The API's pages are still its own.
        assert.strictEqual((yield* get(`${server.baseUrl}/health`)).status, 200)
      }).pipe(Effect.scoped)
  )

  it.live("without a build, answers a 503 that says how to build it", () =>
    Effect.gen(function* () {
      const empty = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "careportal-no-build-"))),
        (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
      )
      const server = yield* startServer({ ...(yield* embeddedEnvironment), PORTAL_DIR: empty })
      const answer = yield* get(`${server.baseUrl}/toronto-west/`)
      assert.strictEqual(answer.status, 503)
      assert.include(answer.body, "pnpm --filter @careportal/web-portal build")
      assert.notInclude(answer.body, "    at ")
    }).pipe(Effect.scoped)
  )
})
