/**
 * Fixtures: a clinic and a patient to test with.
 */
import { Clinic } from "../Clinic.ts"
import { ClinicId, PatientId } from "../Ids.ts"
import { Address, E164, EmailAddress, HealthCardIdentifier, Patient } from "../Patient.ts"

/** The clinic the fixtures belong to. */
export const clinicId = ClinicId.make("clinic-toronto-west")

/** A patient with both contacts and preference `both`; override any field. */
export const makePatient = (overrides: Partial<ConstructorParameters<typeof Patient>[0]> = {}): Patient =>
  new Patient({
    id: PatientId.make("patient-ada"),
    clinicId,
    healthCard: new HealthCardIdentifier({ idType: "ON-HCN", number: "1234567890", versionCode: "AB" }),
    legalName: { given: "Ada", family: "Lovelace" },
    dateOfBirth: "1985-12-10",
    email: EmailAddress.make("ada@example.org"),
    mobile: E164.make("+14165550100"),
    notificationPreference: "both",
    address: new Address({
      line1: "1 King St W",
      city: "Toronto",
      region: "ON",
      postalCode: "M5H 1A1",
      country: "CA"
    }),
    language: "en",
    ...overrides
  })

/** The fixtures' clinic: Toronto, English and French. */
export const makeClinic = (overrides: Partial<ConstructorParameters<typeof Clinic>[0]> = {}): Clinic =>
  new Clinic({
    id: clinicId,
    slug: "toronto-west",
    name: "Toronto West Family Health",
    timeZone: "America/Toronto",
    languages: ["en", "fr"],
    portalUrl: "https://portal.example.org/toronto-west",
    ...overrides
  })
export * as Contract from "./Contract.ts"
