/**
 * Audit events: who did what to which patient's data, with what outcome. Never a code,
 * a token or a health detail.
 */
import { Schema } from "effect"
import { AuditEventId, ClinicId, PatientId } from "./Ids.ts"

/** Who acted. `anonymous` is someone not yet authenticated (a login attempt). */
export class Actor extends Schema.Class<Actor>("Actor")({
  kind: Schema.Literals(["patient", "staff", "system", "anonymous"]),
  id: Schema.optionalKey(Schema.String)
}) {}

/** What happened. */
export const AuditAction = Schema.Literals([
  "login.started",
  "login.code-resent",
  "login.succeeded",
  "login.failed",
  "login.locked",
  "link.issued",
  "link.code-resent",
  "link.opened",
  "link.failed",
  "link.locked",
  "session.ended",
  "session.expired",
  "sessions.ended-others"
])
export type AuditAction = typeof AuditAction.Type

/** One audit event. */
export class AuditEvent extends Schema.Class<AuditEvent>("AuditEvent")({
  id: AuditEventId,
  clinicId: ClinicId,
  actor: Actor,
  action: AuditAction,
  patientId: Schema.NullOr(PatientId),
  /** The record acted on, as `kind:id` (e.g. `challenge:…`, `session:…`). */
  resource: Schema.String,
  outcome: Schema.Literals(["success", "failure"]),
  /** Why it failed, as an error tag (`PasscodeInvalid`, …); never the code. */
  reason: Schema.optionalKey(Schema.String),
  at: Schema.DateTimeUtc
}) {}
