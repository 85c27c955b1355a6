/**
 * How the portal talks to the API: only through the client derived from the contract
 * (`@careportal/client`), on the page's own origin, riding on the HttpOnly session cookie. Each
 * call runs as a promise for React; a failure becomes an `ApiProblem` whose `message` is the
 * API's, already in the portal's language (the client sends `Accept-Language`).
 */
import { Client } from "@careportal/client"
import { Cause, Effect, Exit, ManagedRuntime } from "effect"
import { FetchHttpClient } from "effect/http"

export type Api = Client.Client

let language = "en"

/** The language the API answers errors in, from now on. */
export const setApiLanguage = (next: string) => {
  language = next
}

const runtime = ManagedRuntime.make(Client.layerFetch)
const client = Client.make({ language: () => language })

/**
 * A refusal or fault, as the portal shows it: `tag` is the API's stable error tag (or
 * `NetworkError` when the server could not be reached, `UnexpectedAnswer` for anything the
 * contract does not describe), `message` says what to do, `details` carries the rest of the
 * body (attempts left, seconds to wait, the failing items…).
 */
export class ApiProblem extends Error {
  readonly tag: string
  readonly details: Readonly<Record<string, unknown>>
  readonly status: number | undefined
  constructor(
    tag: string,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
    status?: number
  ) {
    super(message)
    this.name = "ApiProblem"
    this.tag = tag
    this.details = details
    this.status = status
  }
}

const isBody = (u: unknown): u is { readonly error: string; readonly message: string } =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as { error?: unknown }).error === "string" &&
  typeof (u as { message?: unknown }).message === "string"

/** What a failed call's cause becomes; `fallback` words the faults that have no API message. */
const problemOf = (cause: Cause.Cause<unknown>, fallback: Fallback): ApiProblem => {
  const failure = cause.reasons.find(Cause.isFailReason)?.error
  if (isBody(failure)) {
    const { error, message, ...details } = failure as Record<string, unknown> & {
      error: string
      message: string
    }
    return new ApiProblem(error, message, details)
  }
  const tag = (failure as { readonly _tag?: unknown } | undefined)?._tag
  const reason = (failure as { readonly reason?: { readonly _tag?: unknown } } | undefined)?.reason?._tag
  if (tag === "HttpClientError" && reason === "TransportError") {
    return new ApiProblem("NetworkError", fallback.network)
  }
  const status = (failure as { readonly response?: { readonly status?: unknown } } | undefined)?.response
    ?.status
  return new ApiProblem(
    "UnexpectedAnswer",
    fallback.unexpected,
    {},
    typeof status === "number" ? status : undefined
  )
}

/** The portal's own words for faults the API did not word (no connection, an unreadable answer). */
export interface Fallback {
  readonly network: string
  readonly unexpected: string
}

let fallback: Fallback = {
  network: "The portal could not reach the clinic's server. Check your connection and try again.",
  unexpected: "Something went wrong on our side. Try again in a moment, or call the clinic."
}

/** Sets the words for faults without an API message (the portal's language). */
export const setFallback = (next: Fallback) => {
  fallback = next
}

/**
 * Runs one call of the derived client: resolves with its value, or rejects with an `ApiProblem`.
 * `fetchImpl` replaces the transport's fetch for this call only (the upload's progress).
 */
export const call = <A, E>(
  f: (api: Api) => Effect.Effect<A, E>,
  options: { readonly fetchImpl?: typeof globalThis.fetch } = {}
): Promise<A> => {
  const program = Effect.flatMap(client, f)
  const withFetch =
    options.fetchImpl === undefined
      ? program
      : Effect.provideService(program, FetchHttpClient.Fetch, options.fetchImpl)
  return runtime.runPromiseExit(withFetch).then((exit) => {
    if (Exit.isSuccess(exit)) return exit.value
    const problem = problemOf(exit.cause, fallback)
    if (problem.tag === "SessionExpired") for (const listener of sessionListeners) listener()
    throw problem
  })
}

const sessionListeners = new Set<() => void>()

/** Calls `listener` whenever the API says the session has ended (idle, expired, logged out elsewhere). */
export const onSessionEnded = (listener: () => void): (() => void) => {
  sessionListeners.add(listener)
  return () => {
    sessionListeners.delete(listener)
  }
}
