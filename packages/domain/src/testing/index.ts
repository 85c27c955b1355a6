/**
 * Test helpers for careportal and for adapters built on it: the whole domain in memory,
 * a fixed secret, and patients to log in with.
 */
import { Layer } from "effect"
import { ApiKeyStore } from "../ApiKeyStore.ts"
import { AppointmentRepo } from "../AppointmentRepo.ts"
import { AuditLog } from "../AuditLog.ts"
import { Authentication } from "../Authentication.ts"
import { ChartRepo } from "../Chart.ts"
import { ClinicRepo } from "../Clinic.ts"
import { CodeGenerator } from "../CodeGenerator.ts"
import { FileStore } from "../FileStore.ts"
import { Hasher, publicTestSecret } from "../Hasher.ts"
import { MessageRepo } from "../MessageRepo.ts"
import { Notifications } from "../Notifications.ts"
import { Outbox } from "../Outbox.ts"
import { PasscodeStore } from "../PasscodeStore.ts"
import { PatientRepo } from "../PatientRepo.ts"
import * as Portal from "../Portal.ts"
import { QuestionnaireRepo } from "../QuestionnaireRepo.ts"
import { ScheduleRepo } from "../ScheduleRepo.ts"
import { SessionStore } from "../SessionStore.ts"
import { UnitOfWork } from "../UnitOfWork.ts"
import { UploadRepo } from "../UploadRepo.ts"
import { VirtualVisitStore } from "../VirtualVisit.ts"

/** The fixed secret of `Hasher.layerMemory`. Never use it in a deployment. */
export const testSecret = publicTestSecret

/** Every port in memory (with their inspection handles) and a hasher on `testSecret`. */
export const layerPortsMemory = (options?: { readonly generator?: Layer.Layer<CodeGenerator> }) =>
  Layer.mergeAll(
    PatientRepo.layerMemory,
    PasscodeStore.layerMemory,
    SessionStore.layerMemory,
    AuditLog.layerMemory,
    Outbox.layerMemory,
    UnitOfWork.layerMemory,
    ClinicRepo.layerMemory,
    ChartRepo.layerMemory,
    ScheduleRepo.layerMemory,
    AppointmentRepo.layerMemory,
    MessageRepo.layerMemory,
    UploadRepo.layerMemory,
    QuestionnaireRepo.layerMemory,
    VirtualVisitStore.layerMemory,
    FileStore.layerMemory,
    ApiKeyStore.layerMemory,
    Hasher.layerMemory
  ).pipe(Layer.provideMerge(options?.generator ?? CodeGenerator.layer))

/** `Authentication` on in-memory ports, with the ports and their handles exposed for assertions. */
export const layerAuthenticationMemory = (options?: { readonly generator?: Layer.Layer<CodeGenerator> }) =>
  Authentication.layer.pipe(
    Layer.provideMerge(Notifications.layer),
    Layer.provideMerge(layerPortsMemory(options))
  )

/** Pre-visit tasks and virtual-visit codes follow every booking, move and cancellation. */
export const layerAppointmentEvents = Portal.layerAppointmentEvents

/**
 * The whole portal domain in memory: every service (Authentication, Messaging, Scheduling,
 * ClinicSchedule, PreVisit, VirtualVisits, Uploads, Demographics, Notifications, Patients,
 * ApiKeys) wired as the server wires it (`Portal.layerServices`), with every port and memory
 * handle exposed.
 */
export const layerCareMemory = (options?: { readonly generator?: Layer.Layer<CodeGenerator> }) =>
  Portal.layerServices.pipe(Layer.provideMerge(layerPortsMemory(options)))

// The contract suites every implementation of a port must pass (see Contract.ts).
export * from "./contracts/ApiKeyStore.ts"
export * from "./contracts/AppointmentRepo.ts"
export * from "./contracts/AuditLog.ts"
export * from "./contracts/ChartRepo.ts"
export * from "./contracts/ClinicRepo.ts"
export * from "./contracts/FileStore.ts"
export * from "./contracts/MessageRepo.ts"
export * from "./contracts/Outbox.ts"
export * from "./contracts/PasscodeStore.ts"
export * from "./contracts/PatientRepo.ts"
export * from "./contracts/QuestionnaireRepo.ts"
export * from "./contracts/ScheduleRepo.ts"
export * from "./contracts/SessionStore.ts"
export * from "./contracts/UploadRepo.ts"
export * from "./contracts/VirtualVisitStore.ts"
export { clinicId, makeClinic, makePatient } from "./fixtures.ts"
export { cardForms, dateOfBirthForms } from "./healthDetails.ts"
export { patientJourney } from "./Journey.ts"
