/**
 * From domain errors to the contract's error bodies `{ error, message, ...details }`.
 */
import { Effect } from "effect"
import { HttpEffect, type HttpServerRequest, HttpServerResponse } from "effect/http"
import type { ApiError } from "./Contract.ts"

/**
 * A domain error as the API's body. The body schema drops any field it does not declare, so
 * nothing else (a stack, a cause) can reach the response.
 */
export const expose = <E extends { readonly _tag: string; readonly message: string }>(
  e: E
): Extract<ApiError, { readonly error: E["_tag"] }> => {
  const { _tag, ...fields } = e as unknown as Record<string, unknown>
  return { ...fields, error: _tag, message: e.message } as never
}

/**
 * Maps a domain failure to its body and, for a failure that says when to come back
 * (`retryAfterSeconds`), sets the `Retry-After` header too.
 */
export const exposed = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  Extract<ApiError, { readonly error: E["_tag"] }>,
  R | HttpServerRequest.HttpServerRequest
> =>
  self.pipe(
    Effect.tapError((e) => {
      const seconds = (e as { readonly retryAfterSeconds?: unknown }).retryAfterSeconds
      return typeof seconds === "number"
        ? HttpEffect.appendPreResponseHandler((_req, res) =>
            Effect.succeed(
              HttpServerResponse.setHeader(res, "retry-after", String(Math.max(0, Math.ceil(seconds))))
            )
          )
        : Effect.void
    }),
    Effect.mapError(expose)
  )
