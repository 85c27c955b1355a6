/**
 * Clinic staff as callers of the domain: the clinic-side operations take a `StaffPrincipal`.
 * (How staff authenticate — a clinic API key at the HTTP edge — is the API's business.)
 */
import { Schema } from "effect"
import { Actor } from "./AuditEvent.ts"
import { ClinicId, StaffId } from "./Ids.ts"
import type { PatientPrincipal } from "./Session.ts"

/** A member of a clinic's staff acting through the portal's clinic-side operations. */
export class StaffPrincipal extends Schema.Class<StaffPrincipal>("StaffPrincipal")({
  staffId: StaffId,
  clinicId: ClinicId
}) {}

/** The audit actor for a staff member. */
export const staffActor = (staff: StaffPrincipal): Actor => new Actor({ kind: "staff", id: staff.staffId })

/** The audit actor for a patient. */
export const patientActor = (patient: PatientPrincipal): Actor =>
  new Actor({ kind: "patient", id: patient.patientId })

/** The audit actor for the system itself (scheduled work, notifications). */
export const systemActor: Actor = new Actor({ kind: "system" })
