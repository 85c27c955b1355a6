/**
 * The web portal on the API's origin: the built single-page app (examples/web-portal/dist) at
 * `/{clinic-slug}/…`, its hashed assets under `/assets/`, and `/` sent to the home clinic's
 * portal when the deployment names one. The build is read into memory at start: only files
 * of the build can be answered, whatever path is asked for.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Config, Effect, Layer, Option } from "effect"
import { HttpRouter, HttpServerError, type HttpServerRequest, HttpServerResponse } from "effect/http"

/** Where the portal's build is when nothing says otherwise: beside this server, in the repository. */
export const defaultDir = path.resolve(import.meta.dirname, "../../web-portal/dist")

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8"
}

/**
 * The page's policy: scripts, styles and requests from this origin only, no framing, no
 * plugins, no base rewriting, forms to this origin; photos previewed from blobs.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join("; ")

const pageHeaders = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  // The link pages carry a link id in their address: never hand it to another site.
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY"
}

/** The first path segments that belong to the API, never to a clinic. */
const RESERVED = new Set(["v1", "health", "docs", "openapi.json", "assets"])

interface Build {
  readonly index: Uint8Array
  readonly assets: ReadonlyMap<string, { readonly body: Uint8Array; readonly contentType: string }>
}

const readBuild = (dir: string): Build | undefined => {
  const indexFile = path.join(dir, "index.html")
  if (!fs.existsSync(indexFile)) return undefined
  const assets = new Map<string, { body: Uint8Array; contentType: string }>()
  const assetsDir = path.join(dir, "assets")
  if (fs.existsSync(assetsDir)) {
    for (const name of fs.readdirSync(assetsDir)) {
      const file = path.join(assetsDir, name)
      if (!fs.statSync(file).isFile()) continue
      assets.set(`/assets/${name}`, {
        body: fs.readFileSync(file),
        contentType: CONTENT_TYPES[path.extname(name)] ?? "application/octet-stream"
      })
    }
  }
  return { index: fs.readFileSync(indexFile), assets }
}

const notBuilt = (dir: string) =>
  HttpServerResponse.text(
    `The web portal is not built (no ${path.join(dir, "index.html")}). Run: pnpm --filter @careportal/web-portal build\n`,
    { status: 503, headers: { "x-content-type-options": "nosniff", "cache-control": "no-store" } }
  )

/** The router's own "no such route": answered as the API's JSON 404 by its refusal middleware. */
const routeNotFound = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.fail(new HttpServerError.HttpServerError({ reason: new HttpServerError.RouteNotFound({ request }) }))

/** Options of the portal's routes. */
export interface Options {
  /** The build's directory. */
  readonly dir: string
  /** Where `/` goes: this clinic's portal; without it `/` shows the page that asks for the clinic. */
  readonly homeClinic: string | undefined
}

/** The portal's routes on the server's router. */
export const layer = (options: Options) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const build = readBuild(options.dir)
      if (build === undefined) {
        yield* Effect.logWarning(
          `the web portal is not built (${options.dir}); run: pnpm --filter @careportal/web-portal build`
        )
      }
      const index = () =>
        build === undefined
          ? notBuilt(options.dir)
          : HttpServerResponse.uint8Array(build.index, {
              contentType: "text/html; charset=utf-8",
              headers: { ...pageHeaders, "cache-control": "no-cache" }
            })
      const page = (request: HttpServerRequest.HttpServerRequest) => {
        const first = new URL(request.url, "http://portal").pathname.split("/")[1] ?? ""
        return RESERVED.has(first) ? routeNotFound(request) : Effect.succeed(index())
      }
      return Layer.mergeAll(
        HttpRouter.add("GET", "/", () =>
          Effect.succeed(
            options.homeClinic === undefined
              ? index()
              : HttpServerResponse.redirect(`/${options.homeClinic}/`, { status: 302, headers: pageHeaders })
          )
        ),
        // Also matches `/:clinic` itself (find-my-way lets the wildcard be empty).
        HttpRouter.add("GET", "/:clinic/*", page),
        HttpRouter.add("GET", "/assets/*", (request) => {
          const asset = build?.assets.get(new URL(request.url, "http://portal").pathname)
          return asset === undefined
            ? routeNotFound(request)
            : Effect.succeed(
                HttpServerResponse.uint8Array(asset.body, {
                  contentType: asset.contentType,
                  // Hashed names: a new build has new names, so an old one may be kept a year.
                  headers: {
                    "x-content-type-options": "nosniff",
                    "cache-control": "public, max-age=31536000, immutable"
                  }
                })
              )
        })
      )
    })
  )

/**
 * From the environment: `PORTAL_DIR` (the build; default the repository's web-portal/dist) and
 * `PORTAL_HOME_CLINIC` (where `/` goes; on the embedded database the demo clinic by default).
 */
export const layerConfig = (defaultHomeClinic: string | undefined) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const dir = yield* Config.String("PORTAL_DIR").pipe(Config.withDefault(defaultDir))
      const home = yield* Config.option(Config.String("PORTAL_HOME_CLINIC"))
      return layer({
        dir: path.resolve(dir),
        homeClinic: Option.getOrElse(home, () => defaultHomeClinic)
      })
    })
  )
