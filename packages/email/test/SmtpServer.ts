/**
 * A real SMTP server (npm `smtp-server`) on 127.0.0.1 for the tests: with or without AUTH,
 * STARTTLS off unless asked for, answering a chosen SMTP error at a chosen step, or hanging
 * on the message. It records what arrived: the envelope, the raw message, who logged in.
 */
import * as net from "node:net"
import { Effect, type Scope } from "effect"
import { SMTPServer, type SMTPServerSession } from "smtp-server"

/** One message the server accepted. */
export interface Received {
  readonly mailFrom: string
  readonly rcptTo: ReadonlyArray<string>
  readonly raw: string
  readonly user: string | undefined
  /** Whether the session was encrypted. */
  readonly secure: boolean
}

export interface ServerOptions {
  /** Require this login (AUTH PLAIN/LOGIN over the plain connection). */
  readonly auth?: { readonly user: string; readonly password: string }
  /** Answer this SMTP error at this step instead of accepting. */
  readonly reply?: { readonly at: "mail" | "rcpt" | "data"; readonly code: number; readonly text: string }
  /** Read the message, then never answer it. */
  readonly hang?: boolean
  /** Offer STARTTLS (with smtp-server's built-in test certificate). */
  readonly starttls?: boolean
}

export interface TestSmtpServer {
  readonly port: number
  readonly received: () => ReadonlyArray<Received>
  /** Client connections the server has open right now. */
  readonly openConnections: () => number
  /** Login attempts seen, with the password offered. */
  readonly logins: () => ReadonlyArray<{ readonly user: string; readonly password: string }>
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code })

/** Starts a server on a free loopback port; it is closed when the scope closes. */
export const startSmtpServer = (
  options: ServerOptions = {}
): Effect.Effect<TestSmtpServer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const received: Array<Received> = []
    const logins: Array<{ user: string; password: string }> = []
    const refuse = (at: "mail" | "rcpt" | "data") =>
      options.reply?.at === at ? smtpError(options.reply.code, options.reply.text) : null
    const server = new SMTPServer({
      secure: false,
      logger: false,
      disabledCommands: [...(options.starttls ? [] : ["STARTTLS"]), ...(options.auth ? [] : ["AUTH"])],
      authOptional: options.auth === undefined,
      allowInsecureAuth: true,
      disableReverseLookup: true,
      onAuth(auth, _session, callback) {
        const user = auth.username ?? ""
        const password = auth.password ?? ""
        logins.push({ user, password })
        if (options.auth !== undefined && user === options.auth.user && password === options.auth.password) {
          return callback(null, { user })
        }
        return callback(smtpError(535, "5.7.8 Authentication credentials invalid"))
      },
      onMailFrom(_address, _session, callback) {
        callback(refuse("mail"))
      },
      onRcptTo(_address, _session, callback) {
        callback(refuse("rcpt"))
      },
      onData(stream, session: SMTPServerSession, callback) {
        const chunks: Array<Buffer> = []
        stream.on("data", (chunk: Buffer) => chunks.push(chunk))
        stream.on("end", () => {
          if (options.hang) return
          const refused = refuse("data")
          if (refused !== null) return callback(refused)
          received.push({
            mailFrom: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
            user: typeof session.user === "string" ? session.user : undefined,
            secure: session.secure
          })
          callback(null)
        })
      }
    })
    const port = yield* Effect.acquireRelease(
      Effect.callback<number>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          const address = server.server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.callback<void>((resume) => {
          // Hung test sessions would otherwise hold close() for smtp-server's close timeout.
          for (const connection of server.connections) connection.close()
          server.close(() => resume(Effect.void))
        })
    )
    return {
      port,
      received: () => [...received],
      openConnections: () => server.connections.size,
      logins: () => [...logins]
    }
  })

/** A loopback port nobody listens on: taken, then let go. */
export const closedPort: Effect.Effect<number> = Effect.callback<number>((resume) => {
  const probe = net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    probe.close(() => resume(Effect.succeed(port)))
  })
})
