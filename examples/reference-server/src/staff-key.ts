/**
 * `pnpm staff-key <clinic-slug> <staff-id> [label]`: issues a clinic API key for the staff routes
 * on the configured database (DATABASE_URL, else the embedded one) and prints it once, on
 * standard output only (never to the log). The database keeps only its SHA-256 hash, so a lost
 * key cannot be shown again: issue a new one and revoke the old (`DELETE /v1/staff/api-keys/{id}`).
 *
 * On the embedded database stop the server first (one process per directory); in development the
 * server's first start already wrote a key for the demo clinic into its data directory.
 */
import { ApiKey, ApiKeys, Clinic, Ids, Portal } from "@careportal/domain"
import { Ports } from "@careportal/postgres"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Option, Redacted, Schema } from "effect"
import * as Environment from "./Environment.ts"

const usage =
  "usage: pnpm staff-key <clinic-slug> <staff-id> [label]\n" +
  '  e.g. pnpm staff-key toronto-west reception "front desk app"'

const main = Effect.gen(function* () {
  const [slug, staffId, ...label] = process.argv.slice(2).filter((a) => a !== "--")
  if (slug === undefined || staffId === undefined) {
    yield* Console.error(usage)
    return yield* Effect.sync(() => process.exit(2))
  }
  if (!Schema.is(ApiKey.StaffIdText)(staffId)) {
    yield* Console.error(
      `"${staffId}" cannot be a staff id: use 1 to 64 letters, digits, '.', '_', '@' or '-', e.g. reception.`
    )
    return yield* Effect.sync(() => process.exit(2))
  }
  const clinic = yield* (yield* Clinic.ClinicRepo).findBySlug(slug)
  if (Option.isNone(clinic)) {
    yield* Console.error(`No clinic has the slug "${slug}". (The demo clinic is toronto-west.)`)
    return yield* Effect.sync(() => process.exit(1))
  }
  const issued = yield* (yield* ApiKeys.ApiKeys).issue({
    clinicId: clinic.value.id,
    staffId: Ids.StaffId.make(staffId),
    label: label.join(" ") || `issued from the command line for ${staffId}`
  })
  yield* Console.log(
    `A clinic API key for ${clinic.value.name}, acting as "${staffId}" (id ${issued.apiKey.id}).\n` +
      "It is shown this once; keep it in a secret store and send it as `Authorization: Bearer <key>`:\n\n" +
      Redacted.value(issued.key)
  )
})

NodeRuntime.runMain(
  main.pipe(
    Effect.provide(
      Portal.layerServices.pipe(Layer.provideMerge(Ports.layerConfig({ hasher: Environment.hasher })))
    )
  )
)
