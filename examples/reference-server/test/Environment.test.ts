/**
 * PUBLIC_URL: where browsers reach the server. It defaults to `http://localhost:<PORT>`, loses a
 * trailing slash, and stops start-up with one line naming it when it is not an absolute http(s)
 * URL. Without PORTAL_ORIGINS its origin is allowed to post with the session cookie, beside
 * localhost and 127.0.0.1 on PORT. In the composed server the demo clinic is stored at
 * `${PUBLIC_URL}/toronto-west`, and the email of the demo message links to
 * `${PUBLIC_URL}/toronto-west/links/<id>`, a link the server knows; a later message links there
 * too, whatever portalUrl the clinic has on file.
 */
import * as net from "node:net"
import { Clinic, Ids, Messaging, Staff } from "@careportal/domain"
import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, Option, TxRef } from "effect"
import * as Demo from "../src/Demo.ts"
import * as Environment from "../src/Environment.ts"
import { embeddedEnvironment, eventually, startServer } from "./JourneySupport.ts"

/** `effect` read from `variables` alone (nothing of the machine's environment). */
const withEnv = <A, E>(variables: Record<string, string>, effect: Effect.Effect<A, E>) =>
  Effect.provide(effect, ConfigProvider.layer(ConfigProvider.fromUnknown(variables)))

/** Why `effect` died: the message of its defect. */
const defectMessage = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    assert.isTrue(Exit.isFailure(exit), "expected a failure")
    if (Exit.isSuccess(exit)) return ""
    const defect = Cause.squash(exit.cause)
    return defect instanceof Error ? defect.message : String(defect)
  })

/** A port free on loopback now (released again), so PUBLIC_URL can name the server's own address. */
const freePort = Effect.callback<number>((resume) => {
  const probe = net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    probe.close(() => resume(Effect.succeed(port)))
  })
})

describe("PUBLIC_URL", () => {
  it.effect("defaults to http://localhost:<PORT>, and a trailing slash is dropped", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* withEnv({}, Environment.publicUrl), "http://localhost:3000")
      assert.strictEqual(yield* withEnv({ PORT: "4100" }, Environment.publicUrl), "http://localhost:4100")
      // Empty is unset, as for every variable Effect's config reads.
      assert.strictEqual(yield* withEnv({ PUBLIC_URL: "" }, Environment.publicUrl), "http://localhost:3000")
      assert.strictEqual(
        yield* withEnv({ PUBLIC_URL: "https://portal.example.org/" }, Environment.publicUrl),
        "https://portal.example.org"
      )
      assert.strictEqual(
        yield* withEnv({ PUBLIC_URL: " https://care.example.org/portal// " }, Environment.publicUrl),
        "https://care.example.org/portal"
      )
    })
  )

  it.effect("a value that is not an absolute http(s) URL stops start-up with a line naming PUBLIC_URL", () =>
    Effect.gen(function* () {
      for (const bad of ["portal.example.org", "ftp://portal.example.org", "https://x.org/?clinic=a"]) {
        const message = yield* defectMessage(withEnv({ PUBLIC_URL: bad }, Environment.publicUrl))
        assert.include(message, "PUBLIC_URL must be an absolute http(s) URL")
        assert.include(message, JSON.stringify(bad))
        assert.notInclude(message, "\n")
      }
      // The composed server refuses to start on it (before opening any database).
      const startUp = yield* defectMessage(
        Effect.scoped(
          Effect.flatMap(embeddedEnvironment, (environment) =>
            startServer({ ...environment, PUBLIC_URL: "localhost:3000" })
          )
        )
      )
      assert.include(startUp, "PUBLIC_URL must be an absolute http(s) URL")
    })
  )

  it.effect(
    "without PORTAL_ORIGINS, its origin may post with the cookie, beside localhost and 127.0.0.1",
    () =>
      Effect.gen(function* () {
        const origins = (variables: Record<string, string>) =>
          Effect.map(withEnv(variables, Environment.http), (http) => http.allowedOrigins)
        assert.deepStrictEqual(
          yield* origins({ PORT: "4100", PUBLIC_URL: "https://portal.example.org/care/" }),
          ["https://portal.example.org", "http://localhost:4100", "http://127.0.0.1:4100"]
        )
        assert.deepStrictEqual(yield* origins({ PORT: "4100" }), [
          "http://localhost:4100",
          "http://127.0.0.1:4100"
        ])
        // PORTAL_ORIGINS, when set, is the whole list.
        assert.deepStrictEqual(
          yield* origins({
            PUBLIC_URL: "https://portal.example.org",
            PORTAL_ORIGINS: "https://a.example.org/"
          }),
          ["https://a.example.org"]
        )
      })
  )
})

describe("PUBLIC_URL in the composed server", () => {
  it.live("the demo clinic lives at PUBLIC_URL/toronto-west and the demo message's email links there", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const port = yield* freePort
        const publicUrl = `http://127.0.0.1:${port}`
        const server = yield* startServer({
          ...(yield* embeddedEnvironment),
          PORT: String(port),
          // With a trailing slash, as people type it.
          PUBLIC_URL: `${publicUrl}/`
        })
        assert.strictEqual(server.baseUrl, publicUrl)

        const clinic = yield* Effect.flatMap(Clinic.ClinicRepo, (repo) =>
          repo.findBySlug(Demo.CLINIC_SLUG)
        ).pipe(Effect.provide(server.context))
        assert.strictEqual(
          Option.map(clinic, (c) => c.portalUrl).pipe(Option.getOrUndefined),
          `${publicUrl}/toronto-west`
        )

        // The seed's "Welcome to the portal" is notified by email, its quick link inside.
        const link = yield* eventually("the demo message's email", TxRef.get(server.emails.state), (emails) =>
          emails
            .filter((e) => e.to === Demo.patient.email)
            .flatMap((e) => e.text.split("\n").filter((line) => line.includes("/links/")))
            .at(0)
        )
        const linkId = new RegExp(`^${publicUrl}/toronto-west/links/([A-Za-z0-9-]+)$`).exec(link)?.[1]
        assert.isDefined(linkId, `${link} is ${publicUrl}/toronto-west/links/<id>`)

        // The id is a real link of this server.
        const described = yield* Effect.promise(() => fetch(`${publicUrl}/v1/links/${linkId}`))
        assert.strictEqual(described.status, 200)

        // Links follow PUBLIC_URL, not what was stored: with the clinic's portalUrl gone stale
        // (a database seeded under another PUBLIC_URL), a new message still links to PUBLIC_URL.
        const sent = yield* Effect.gen(function* () {
          const repo = yield* Clinic.ClinicRepo
          const stored = Option.getOrThrow(yield* repo.findBySlug(Demo.CLINIC_SLUG))
          yield* repo.save(new Clinic.Clinic({ ...stored, portalUrl: "https://stale.example.org/old" }))
          const staff = new Staff.StaffPrincipal({
            staffId: Ids.StaffId.make("staff-reception"),
            clinicId: stored.id
          })
          return yield* (yield* Messaging.Messaging).send(staff, {
            patientId: Demo.patient.id,
            subject: "Flu shots",
            body: "Now open.",
            replyAllowed: false
          })
        }).pipe(Effect.provide(server.context), Effect.orDie)
        const newLinkId = sent.link?.linkId
        assert.isDefined(newLinkId)
        const newLink = yield* eventually(
          "the new message's email",
          TxRef.get(server.emails.state),
          (emails) =>
            emails.flatMap((e) => e.text.split("\n")).find((line) => line.endsWith(`/links/${newLinkId}`))
        )
        assert.strictEqual(newLink, `${publicUrl}/toronto-west/links/${newLinkId}`)
      })
    )
  )
})
