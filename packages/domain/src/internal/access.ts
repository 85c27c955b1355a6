import { Effect, Option } from "effect"
import type { PatientId } from "../Ids.ts"
import type { Patient } from "../Patient.ts"
import type { PatientRepo } from "../PatientRepo.ts"
import type { StaffPrincipal } from "../Staff.ts"

/** The staff member's clinic's patient; a patient of another clinic is not found, like a missing one. */
export const patientOfClinic =
  (patients: PatientRepo["Service"]) =>
  (staff: StaffPrincipal, patientId: PatientId): Effect.Effect<Option.Option<Patient>> =>
    Effect.map(
      patients.findById(patientId),
      Option.filter((p: Patient) => p.clinicId === staff.clinicId)
    )
