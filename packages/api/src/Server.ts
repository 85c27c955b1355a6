/**
 * The API's routes on the domain services: the contract's handlers, `/openapi.json`, the
 * Scalar docs page at `/docs` (bundled, works offline) and a JSON 404 for unknown routes.
 */

import { createServer } from "node:http"
import type {
  ApiKeys,
  AuditLog,
  Authentication,
  Clinic,
  ClinicSchedule,
  Demographics,
  Messaging,
  Patients,
  PreVisit,
  Scheduling,
  Uploads,
  VirtualVisits
} from "@careportal/domain"
import { NodeHttpServer } from "@effect/platform-node"
import { ByteSize, Cause, Effect, type FileSystem, Layer, type Path } from "effect"
import {
  type Etag,
  FetchHttpClient,
  HttpEffect,
  HttpIncomingMessage,
  type HttpPlatform,
  HttpRouter,
  HttpServer,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "effect/http"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import type { ApiConfig } from "./Auth.ts"
import { Api } from "./Contract.ts"
import * as Handlers from "./Handlers.ts"
import * as CareHandlers from "./handlers/Care.ts"
import * as StaffHandlers from "./handlers/Staff.ts"
import * as UploadsHandlers from "./handlers/Uploads.ts"
import * as I18n from "./I18n.ts"

const routeNotFound = HttpServerResponse.jsonUnsafe(
  {
    error: "RouteNotFound",
    message: "There is no such endpoint. See /docs for the API."
  } satisfies I18n.HttpRefusal,
  { status: 404 }
)

// Without this, an unknown route answers 404 with an empty body.
const NotFoundRoute = HttpRouter.add("*", "/*", routeNotFound)

const unsupportedMediaType = HttpServerResponse.jsonUnsafe(
  {
    error: "UnsupportedMediaType",
    message:
      "This endpoint does not take a body of this Content-Type. Send JSON (Content-Type: application/json), or multipart/form-data for a photo upload; /docs shows what each endpoint takes."
  } satisfies I18n.HttpRefusal,
  { status: 415 }
)

/** The largest JSON body taken; a photo upload (multipart) has its own cap of 10 MiB. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024

const payloadTooLarge = HttpServerResponse.jsonUnsafe(
  {
    error: "PayloadTooLarge",
    message:
      "A request body may be at most 1 MiB of JSON (a photo: 10 MiB, as multipart/form-data). Send less.",
    maxBytes: MAX_JSON_BODY_BYTES
  } satisfies I18n.HttpRefusal,
  { status: 413 }
)

/** Whether a failure is the body-size cap (as an error, or wrapped in the server's error). */
const isBodyTooLarge = (e: unknown): boolean =>
  (e instanceof HttpServerError.RequestParseError && e.reason === "BodyTooLarge") ||
  (HttpServerError.isHttpServerError(e) && isBodyTooLarge(e.reason))

/**
 * JSON for the refusals the HTTP layer makes before any handler runs, which would otherwise
 * answer without the JSON body every error promises: a path the router cannot decode (a
 * malformed %-escape fails the route lookup, even of `NotFoundRoute`: 404, empty) and a body of
 * a type the endpoint does not take (415, as text/plain), and a JSON body over the cap (413,
 * answered before reading when Content-Length says so, else once the stream passes it).
 *
 * Then, outermost, every error body's `message` in the caller's language (`I18n.localizeErrors`):
 * in this one global middleware rather than a second, so that it surely runs after these refusals.
 */
const JsonRefusals = HttpRouter.middleware(
  (httpEffect) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      // A photo streams through the uploads handler's own 10 MiB cap; every other body is JSON.
      const multipart = /^multipart\//i.test(request.headers["content-type"] ?? "")
      if (!multipart) {
        const declared = Number(request.headers["content-length"] ?? "0")
        if (Number.isFinite(declared) && declared > MAX_JSON_BODY_BYTES) return payloadTooLarge
      }
      const limited = multipart
        ? httpEffect
        : httpEffect.pipe(
            Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(MAX_JSON_BODY_BYTES))
          )
      return yield* limited.pipe(
        Effect.catchCause((cause) =>
          cause.reasons.some((r) =>
            isBodyTooLarge(Cause.isFailReason(r) ? r.error : Cause.isDieReason(r) ? r.defect : null)
          )
            ? Effect.succeed(payloadTooLarge)
            : Effect.failCause(cause)
        ),
        Effect.catchIf(
          (e) => HttpServerError.isHttpServerError(e) && e.reason._tag === "RouteNotFound",
          () => Effect.succeed(routeNotFound)
        ),
        Effect.map((res) =>
          /json/i.test(res.headers["content-type"] ?? "")
            ? res
            : res.status === 415
              ? unsupportedMediaType
              : res.status === 413
                ? payloadTooLarge
                : res
        )
      )
    }).pipe(I18n.localizeErrors),
  { global: true }
)

/**
 * Headers on every answer of the API: its bodies carry patient data and sessions, so no cache
 * (a shared computer's, a proxy's) may keep them, no browser may sniff them into something
 * else or frame them, and no address is handed on as a referrer. The page headers of a portal
 * served beside the API are its server's (the reference server's WebPortal).
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'"
}

const isApiPath = (url: string) => /^\/(v1(\/|$|\?)|health|openapi\.json)/.test(url)

const SecurityHeaders = HttpRouter.middleware(
  (httpEffect) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      // On whatever answer is sent, refusals and faults included.
      if (isApiPath(request.url)) {
        yield* HttpEffect.appendPreResponseHandler((_request, response) =>
          Effect.succeed(HttpServerResponse.setHeaders(response, API_HEADERS))
        )
      }
      return yield* httpEffect
    }),
  { global: true }
)

/**
 * Every route of the API. Needs the domain services (`Portal.layerServices` on some ports)
 * and `ApiConfig`; serve it with `HttpRouter.serve(layer)` on an HTTP server layer.
 */
export const layer: Layer.Layer<
  never,
  never,
  | HttpRouter.HttpRouter
  | Etag.Generator
  | FileSystem.FileSystem
  | HttpPlatform.HttpPlatform
  | Path.Path
  | Authentication.Authentication
  | Clinic.ClinicRepo
  | Messaging.Messaging
  | Scheduling.Scheduling
  | PreVisit.PreVisit
  | VirtualVisits.VirtualVisits
  | Demographics.Demographics
  | Uploads.Uploads
  | ApiKeys.ApiKeys
  | AuditLog.AuditLog
  | ClinicSchedule.ClinicSchedule
  | Patients.Patients
  | ApiConfig
> = Layer.mergeAll(
  HttpApiBuilder.layer(Api, { openapiPath: "/openapi.json" }).pipe(
    Layer.provide(Handlers.layer),
    Layer.provide(CareHandlers.layer),
    Layer.provide(UploadsHandlers.layer),
    Layer.provide(StaffHandlers.layer)
  ),
  HttpApiScalar.layer(Api, { path: "/docs" }),
  NotFoundRoute,
  JsonRefusals,
  SecurityHeaders
)

/**
 * The API served on 127.0.0.1 at a free port, with an `HttpClient` (fetch-based) whose requests
 * go to it: for tests through the derived client. Needs what `layer` needs but the platform.
 */
export const layerTest = HttpRouter.serve(layer, { disableLogger: true, disableListenLog: true }).pipe(
  Layer.provideMerge(
    HttpServer.layerTestClient.pipe(
      Layer.provide(FetchHttpClient.layer),
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
    )
  )
)
