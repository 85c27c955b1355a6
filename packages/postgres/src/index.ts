/**
 * @careportal/postgres: every careportal port on PostgreSQL, and the embedded default.
 * Most applications need only `Ports.layerConfig()` under `Portal.layerServices`.
 */
export * as ApiKeyStore from "./ApiKeyStore.ts"
export * as AppointmentRepo from "./AppointmentRepo.ts"
export * as AuditLog from "./AuditLog.ts"
export * as ChartRepo from "./ChartRepo.ts"
export * as ClinicRepo from "./ClinicRepo.ts"
export * as Database from "./Database.ts"
export * as FileStore from "./FileStore.ts"
export * as MessageRepo from "./MessageRepo.ts"
export * as Outbox from "./Outbox.ts"
export * as PasscodeStore from "./PasscodeStore.ts"
export * as PatientRepo from "./PatientRepo.ts"
export * as Ports from "./Ports.ts"
export * as QuestionnaireRepo from "./QuestionnaireRepo.ts"
export * as ScheduleRepo from "./ScheduleRepo.ts"
export * as SessionStore from "./SessionStore.ts"
export * as UnitOfWork from "./UnitOfWork.ts"
export * as UploadRepo from "./UploadRepo.ts"
export * as VirtualVisitStore from "./VirtualVisitStore.ts"
