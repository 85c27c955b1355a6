/**
 * @careportal/postgres: every careportal port on PostgreSQL, and the embedded default.
 */
export * as ClinicRepo from "./ClinicRepo.ts"
export * as Database from "./Database.ts"
export * as PatientRepo from "./PatientRepo.ts"
export * as UnitOfWork from "./UnitOfWork.ts"
