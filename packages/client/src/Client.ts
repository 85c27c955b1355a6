/**
 * The careportal client: every route of the HTTP contract as a typed method, derived from
 * `@careportal/api/Contract` by Effect's `HttpApiClient`, so a vendor's portal never writes a
 * fetch call per route and a change to the contract is a compile error in the portal.
 *
 * In a browser on the portal's own origin, leave `token` out: the HttpOnly `careportal_session`
 * cookie the API sets at login rides along (never keep a token in localStorage). In Node, or for
 * staff routes, pass the session token or the clinic API key as `token` (sent as Bearer).
 */
import * as Contract from "@careportal/api/Contract"
import { type Effect, Layer, Redacted } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"

export { Contract }

/** The derived client: `client.auth.login({ payload })`, `client.messages.list({ query: {} })`, … */
export type Client = HttpApiClient.ForApi<typeof Contract.Api>

/** How to reach the API. */
export interface Options {
  /** The API's origin, e.g. `https://portal.example.org`; in a browser, the page's origin by default. */
  readonly baseUrl?: string | URL | undefined
  /** A session token or a clinic API key, sent as `Authorization: Bearer`; leave out to ride on the cookie. */
  readonly token?: Redacted.Redacted<string> | string | undefined
  /**
   * The language of the API's error messages (`Accept-Language`), read at each request so a
   * portal's language switch applies at once; e.g. `() => "fr"`.
   */
  readonly language?: (() => string) | undefined
}

const defaultBaseUrl = (): string | undefined =>
  typeof globalThis.location === "object" ? globalThis.location.origin : undefined

/** The client for `options`; needs an `HttpClient` (`layerFetch` in a browser or Node). */
export const make = (options: Options = {}): Effect.Effect<Client, never, HttpClient.HttpClient> => {
  const baseUrl = options.baseUrl ?? defaultBaseUrl()
  const token = options.token === undefined ? undefined : Redacted.value(Redacted.make(options.token))
  const language = options.language
  return HttpApiClient.make(Contract.Api, {
    ...(baseUrl === undefined ? {} : { baseUrl }),
    transformClient: HttpClient.mapRequest((request) => {
      const withToken = token === undefined ? request : HttpClientRequest.bearerToken(request, token)
      return language === undefined
        ? withToken
        : HttpClientRequest.setHeader(withToken, "accept-language", language())
    })
  })
}

/**
 * The fetch transport, sending cookies to the portal's own origin only (`credentials:
 * "same-origin"`): the browser's session cookie, never a third party's.
 */
export const layerFetch: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer.pipe(
  Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { credentials: "same-origin" }))
)
