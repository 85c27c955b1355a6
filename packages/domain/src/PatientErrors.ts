/**
 * The failures staff meet while registering a patient. Each says what to change; they name
 * only the clinic's own records.
 */
import { Schema } from "effect"
import { PatientId } from "./Ids.ts"

/**
 * What is wrong with one detail of a registration. `field` is its path in the request, e.g.
 * `healthCard.number`, `legalName.family` or `address.postalCode`.
 */
export class FieldProblem extends Schema.Class<FieldProblem>("FieldProblem")({
  field: Schema.String,
  message: Schema.String
}) {}

/** The registration was refused; `fields` lists every detail at fault, not only the first. */
export class PatientDetailsInvalid extends Schema.TaggedError<PatientDetailsInvalid>()(
  "PatientDetailsInvalid",
  { fields: Schema.Array(FieldProblem) }
) {
  override get message() {
    return `Check the patient's details and register them again: ${this.fields
      .map((f) => `${f.field}: ${f.message}`)
      .join("; ")}.`
  }
}

/**
 * The clinic already has a patient with this health card (type and number; the version code
 * plays no part). Safe to name to the clinic's own staff: it is their patient.
 */
export class PatientAlreadyRegistered extends Schema.TaggedError<PatientAlreadyRegistered>()(
  "PatientAlreadyRegistered",
  { patientId: PatientId }
) {
  override get message() {
    return `A patient with this health card is already registered at this clinic (patient ${this.patientId}). Open their record and update it instead of registering them again.`
  }
}
