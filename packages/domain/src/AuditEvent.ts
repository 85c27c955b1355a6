/**
 * Audit events: who did what to which patient's data, with what outcome. Never a code,
 * a token or a health detail.
 */
import { Effect, Schema } from "effect"
import { Digest } from "effect/crypto"
import { AuditEventId, ClinicId, PatientId } from "./Ids.ts"

/** Who acted. `anonymous` is someone not yet authenticated (a login attempt). */
export class Actor extends Schema.Class<Actor>("Actor")({
  kind: Schema.Literals(["patient", "staff", "system", "anonymous"]),
  id: Schema.optionalKey(Schema.String)
}) {}

/**
 * What happened, as `subject.verb` (`login.succeeded`, `message.read`, `appointment.booked`).
 * A pattern rather than a closed list, so each service names its own actions.
 */
export const AuditAction = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[a-z][a-z-]*\.[a-z][a-z-]*$/, { message: "an action such as message.read" })
  )
)
export type AuditAction = typeof AuditAction.Type

/** One audited act, before it is chained into the log. */
export class AuditEntry extends Schema.Class<AuditEntry>("AuditEntry")({
  id: AuditEventId,
  clinicId: ClinicId,
  actor: Actor,
  action: AuditAction,
  patientId: Schema.NullOr(PatientId),
  /** The record acted on, as `kind:id` (e.g. `challenge:…`, `session:…`, `message:…`). */
  resource: Schema.String,
  outcome: Schema.Literals(["success", "failure"]),
  /** Why it failed, as an error tag (`PasscodeInvalid`, …); never a code or a health detail. */
  reason: Schema.optionalKey(Schema.String),
  at: Schema.DateTimeUtc
}) {}

/**
 * One event of a clinic's audit chain: the entry, its position, the hash of the event before
 * it and its own hash (SHA-256 over the previous hash and the entry). Removing or altering an
 * event breaks the link to the next one.
 */
export class AuditEvent extends Schema.Class<AuditEvent>("AuditEvent")({
  ...AuditEntry.fields,
  /** Position in the clinic's chain, from 1. */
  sequence: Schema.Int,
  /** The previous event's hash; `GENESIS_HASH` for the first. */
  prevHash: Schema.String,
  hash: Schema.String
}) {}

/** The previous hash of a clinic's first event. */
export const GENESIS_HASH = "0".repeat(64)

/** What `AuditLog.verify` found. */
export type ChainReport =
  | { readonly _tag: "Intact"; readonly events: number }
  | {
      readonly _tag: "Broken"
      /** The sequence number at which the chain first fails to hold. */
      readonly sequence: number
      readonly eventId: string | null
      readonly problem: "altered" | "missing-or-reordered"
    }

const encodeEntry = Schema.encodeSync(AuditEntry)
const text = new TextEncoder()

/**
 * The hash of an event: SHA-256 (hex) of the previous hash, the sequence number and the
 * entry's JSON encoding. Every adapter computes it the same way, so chains can be checked
 * anywhere.
 */
export const chainHash = (
  digest: Digest.Digest["Service"],
  prevHash: string,
  sequence: number,
  entry: AuditEntry
): Effect.Effect<string> =>
  digest.digestHex(
    Digest.sha256,
    text.encode(`${prevHash}\n${sequence}\n${JSON.stringify(encodeEntry(entry))}`)
  )

/** Checks one clinic's events in order: each hash recomputes, each links to the one before. */
export const verifyChain = (
  digest: Digest.Digest["Service"],
  events: ReadonlyArray<AuditEvent>
): Effect.Effect<ChainReport> =>
  Effect.gen(function* () {
    let prevHash = GENESIS_HASH
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as AuditEvent
      const sequence = i + 1
      if (event.sequence !== sequence || event.prevHash !== prevHash) {
        return { _tag: "Broken", sequence, eventId: event.id, problem: "missing-or-reordered" } as const
      }
      const entry = new AuditEntry(pickEntry(event))
      const expected = yield* chainHash(digest, prevHash, sequence, entry)
      if (expected !== event.hash)
        return { _tag: "Broken", sequence, eventId: event.id, problem: "altered" } as const
      prevHash = event.hash
    }
    return { _tag: "Intact", events: events.length } as const
  })

const pickEntry = (event: AuditEvent): ConstructorParameters<typeof AuditEntry>[0] => {
  const { sequence: _s, prevHash: _p, hash: _h, ...entry } = event
  return entry
}
