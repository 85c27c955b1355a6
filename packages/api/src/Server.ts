/**
 * The API's routes on the domain services: the contract's handlers, `/openapi.json`, the
 * Scalar docs page at `/docs` (bundled, works offline) and a JSON 404 for unknown routes.
 */

import { createServer } from "node:http"
import type {
  Authentication,
  Clinic,
  Demographics,
  Messaging,
  PreVisit,
  Scheduling,
  Uploads,
  VirtualVisits
} from "@careportal/domain"
import { NodeHttpServer } from "@effect/platform-node"
import { type FileSystem, Layer, type Path } from "effect"
import {
  type Etag,
  FetchHttpClient,
  type HttpPlatform,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "effect/http"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import type { ApiConfig } from "./Auth.ts"
import { Api } from "./Contract.ts"
import * as Handlers from "./Handlers.ts"
import * as CareHandlers from "./handlers/Care.ts"
import * as UploadsHandlers from "./handlers/Uploads.ts"

// Without this, an unknown route answers 404 with an empty body.
const NotFoundRoute = HttpRouter.add(
  "*",
  "/*",
  HttpServerResponse.jsonUnsafe(
    { error: "RouteNotFound", message: "There is no such endpoint. See /docs for the API." },
    { status: 404 }
  )
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
  | ApiConfig
> = Layer.mergeAll(
  HttpApiBuilder.layer(Api, { openapiPath: "/openapi.json" }).pipe(
    Layer.provide(Handlers.layer),
    Layer.provide(CareHandlers.layer),
    Layer.provide(UploadsHandlers.layer)
  ),
  HttpApiScalar.layer(Api, { path: "/docs" }),
  NotFoundRoute
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
