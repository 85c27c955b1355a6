/**
 * A local HTTP server (node:http on 127.0.0.1, a free port) that behaves like Twilio's
 * Messages API: it refuses a wrong method, path or credentials the way Twilio does, records
 * every request it accepted, and answers as the test's handler says — or never answers.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

export const accountSid = "AC00000000000000000000000000000001"
export const authToken = "tok-3c9e1f0a-never-in-a-log"
export const messagesPath = `/2010-04-01/Accounts/${accountSid}/Messages.json`

/** A request the fake accepted (method, path and credentials were right). */
export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
  /** The form body as sent, every field (repeated ones included). */
  readonly form: ReadonlyArray<readonly [string, string]>
  readonly idempotencyKey: string | undefined
}

/** What the fake answers: a status with optional headers and JSON body, or silence. */
export type Reply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  | "hang"

export interface FakeProvider {
  /** The base URL to configure the sender with. */
  readonly url: string
  /** Every accepted request, in arrival order. */
  readonly received: Array<Received>
  /** Requests the fake refused before the handler (wrong method, path, auth or content type). */
  readonly refused: Array<{ readonly status: number; readonly reason: string }>
}

const expectedAuthorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`

const twilioError = (res: http.ServerResponse, status: number, code: number, message: string) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }))
}

/** Starts the fake for the test's scope; closing the scope drops every connection, hanging ones too. */
export const fakeProvider = (
  handler: (request: Received) => Reply
): Effect.Effect<FakeProvider, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ readonly provider: FakeProvider; readonly server: http.Server }>((resume) => {
      const received: Array<Received> = []
      const refused: Array<{ status: number; reason: string }> = []
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          const refuse = (status: number, code: number, reason: string) => {
            refused.push({ status, reason })
            twilioError(res, status, code, reason)
          }
          if (req.url !== messagesPath) return refuse(404, 20404, "The requested resource was not found")
          if (req.method !== "POST") return refuse(405, 20004, "Method not allowed")
          if (req.headers.authorization !== expectedAuthorization) return refuse(401, 20003, "Authenticate")
          if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
            return refuse(415, 20415, "Unsupported media type")
          }
          const key = req.headers["i-twilio-idempotency-token"]
          const request: Received = {
            method: req.method,
            path: req.url,
            headers: req.headers,
            form: [...new URLSearchParams(Buffer.concat(chunks).toString("utf8"))],
            idempotencyKey: typeof key === "string" ? key : undefined
          }
          received.push(request)
          const reply = handler(request)
          if (reply === "hang") return
          res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers })
          res.end(reply.body === undefined ? "" : JSON.stringify(reply.body))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ provider: { url: `http://127.0.0.1:${port}`, received, refused }, server }))
      })
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ provider }) => provider))

/** A loopback port nothing listens on: a server is opened there, then closed. */
export const closedPort: Effect.Effect<number> = Effect.callback<number>((resume) => {
  const server = http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A Twilio "Message created" answer. */
export const created = (sid: string, request: Received): Reply => ({
  status: 201,
  body: { sid, status: "queued", account_sid: accountSid, to: formValue(request, "To") }
})

/** The one value of a form field (undefined when absent). */
export const formValue = (request: Received, name: string): string | undefined =>
  request.form.find(([key]) => key === name)?.[1]
