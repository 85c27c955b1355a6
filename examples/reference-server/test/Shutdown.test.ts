/**
 * `pnpm start` as a real process, stopped with SIGTERM while a request is in flight: the request
 * still gets its answer, no new connection is taken, and the process releases the embedded
 * database's lock and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

const serverDir = path.resolve(import.meta.dirname, "..")

/** The server process on a temporary data directory and a free port; its output collected. */
const startServer = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ readonly child: ChildProcess; readonly port: number; readonly output: () => string }>(
          (resolve, reject) => {
            let output = ""
            const child = spawn(process.execPath, ["src/main.ts"], {
              cwd: serverDir,
              env: {
                PATH: process.env.PATH ?? "",
                CAREPORTAL_DATA_DIR: dataDir,
                PORT: "0",
                HOST: "127.0.0.1",
                PASSCODE_SECRET: "shutdown-test-secret-0123456789abcdef"
              },
              stdio: ["ignore", "pipe", "pipe"]
            })
            const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 30_000)
            const collect = (chunk: Buffer) => {
              output += chunk.toString()
              const listening = /Listening on http:\/\/[^\s]*:(\d+)/.exec(output)
              if (listening?.[1] !== undefined) {
                clearTimeout(timer)
                resolve({ child, port: Number(listening[1]), output: () => output })
              }
            }
            child.stdout?.on("data", collect)
            child.stderr?.on("data", collect)
            child.on("exit", (code) => reject(new Error(`the server exited with ${code}:\n${output}`)))
          }
        )
    ),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  )

describe("graceful shutdown", () => {
  it.live(
    "SIGTERM: the in-flight request is answered, new connections are refused, the lock is released, exit 0",
    () =>
      Effect.gen(function* () {
        const dataDir = yield* Effect.acquireRelease(
          Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "careportal-shutdown-"))),
          (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
        )
        const { child, port, output } = yield* startServer(dataDir)
        assert.isTrue(fs.existsSync(path.join(dataDir, "careportal.lock")))

        const result = yield* Effect.promise(async () => {
          const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
          const body = JSON.stringify({
            clinic: "toronto-west",
            identifier: { idType: "ON-HCN", number: "1234-567-890" },
            contact: "ada@example.org"
          })
          // A login start whose body arrives in two halves, with SIGTERM in between.
          const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
            const request = http.request(
              {
                host: "127.0.0.1",
                port,
                method: "POST",
                path: "/v1/auth/login",
                headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
              },
              (response) => {
                let text = ""
                response.on("data", (chunk: Buffer) => {
                  text += chunk.toString()
                })
                response.on("end", () => resolve({ status: response.statusCode ?? 0, text }))
              }
            )
            request.on("error", reject)
            request.write(body.slice(0, 20))
            setTimeout(() => {
              child.kill("SIGTERM")
              setTimeout(() => request.end(body.slice(20)), 500)
            }, 200)
          })
          const inFlight = await answer
          // After the signal, a new connection is not taken.
          const refused = await fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => `answered ${r.status}`,
            () => "refused"
          )
          return { inFlight, refused, code: await exited }
        })

        assert.strictEqual(result.inFlight.status, 202, `${result.inFlight.text}\n${output()}`)
        assert.match(result.inFlight.text, /"challengeId"/)
        assert.strictEqual(result.refused, "refused")
        assert.strictEqual(result.code, 0, output())
        assert.isFalse(fs.existsSync(path.join(dataDir, "careportal.lock")), "the lock file is released")
      }).pipe(Effect.scoped),
    { timeout: 60_000 }
  )
})
