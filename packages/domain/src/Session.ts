/**
 * Sessions: the bearer token is 256 random bits shown once to the client; the store keeps
 * only its SHA-256.
 */
import { Schema } from "effect"
import { ClinicId, PatientId, SessionId } from "./Ids.ts"

/** The SHA-256 of a session token, base64url. */
export const TokenHash = Schema.String.pipe(Schema.brand("TokenHash"))
export type TokenHash = typeof TokenHash.Type

/** How the session was opened. */
export const SessionOrigin = Schema.Literals(["login", "quick-link", "upload-link"])
export type SessionOrigin = typeof SessionOrigin.Type

/** A patient's session in one clinic's portal. */
export class Session extends Schema.Class<Session>("Session")({
  id: SessionId,
  clinicId: ClinicId,
  patientId: PatientId,
  tokenHash: TokenHash,
  origin: SessionOrigin,
  stayLoggedIn: Schema.Boolean,
  createdAt: Schema.DateTimeUtc,
  lastSeenAt: Schema.DateTimeUtc,
  /** The absolute end: 30 days for "stay logged in", else 12 h after creation. */
  expiresAt: Schema.DateTimeUtc,
  revokedAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** Who is calling: what `Authentication.authenticate` returns for a valid token. */
export class PatientPrincipal extends Schema.Class<PatientPrincipal>("PatientPrincipal")({
  sessionId: SessionId,
  clinicId: ClinicId,
  patientId: PatientId
}) {}

/** A session as the patient sees it in their list of sessions. */
export class SessionSummary extends Schema.Class<SessionSummary>("SessionSummary")({
  id: SessionId,
  origin: SessionOrigin,
  stayLoggedIn: Schema.Boolean,
  createdAt: Schema.DateTimeUtc,
  lastSeenAt: Schema.DateTimeUtc,
  expiresAt: Schema.DateTimeUtc,
  current: Schema.Boolean
}) {}
