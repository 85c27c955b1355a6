/**
 * Every careportal port on PostgreSQL, ready to give to `Portal.layerServices`.
 */
import type {
  Chart,
  Clinic,
  ApiKeyStore as DApiKeyStore,
  AppointmentRepo as DAppointmentRepo,
  AuditLog as DAuditLog,
  FileStore as DFileStore,
  MessageRepo as DMessageRepo,
  Outbox as DOutbox,
  PasscodeStore as DPasscodeStore,
  PatientRepo as DPatientRepo,
  QuestionnaireRepo as DQuestionnaireRepo,
  ScheduleRepo as DScheduleRepo,
  SessionStore as DSessionStore,
  UnitOfWork as DUnitOfWork,
  UploadRepo as DUploadRepo,
  VirtualVisit
} from "@careportal/domain"
import { CodeGenerator, Hasher } from "@careportal/domain"
import type { PgClient } from "@effect/sql-pg"
import { Layer } from "effect"
import type { SqlClient } from "effect/sql"
import * as ApiKeyStore from "./ApiKeyStore.ts"
import * as AppointmentRepo from "./AppointmentRepo.ts"
import * as AuditLog from "./AuditLog.ts"
import * as ChartRepo from "./ChartRepo.ts"
import * as ClinicRepo from "./ClinicRepo.ts"
import * as Database from "./Database.ts"
import * as FileStore from "./FileStore.ts"
import * as MessageRepo from "./MessageRepo.ts"
import * as Outbox from "./Outbox.ts"
import * as PasscodeStore from "./PasscodeStore.ts"
import * as PatientRepo from "./PatientRepo.ts"
import * as QuestionnaireRepo from "./QuestionnaireRepo.ts"
import * as ScheduleRepo from "./ScheduleRepo.ts"
import * as SessionStore from "./SessionStore.ts"
import * as UnitOfWork from "./UnitOfWork.ts"
import * as UploadRepo from "./UploadRepo.ts"
import * as VirtualVisitStore from "./VirtualVisitStore.ts"

/** Every repository and store port, and the unit of work. */
export type Repositories =
  | DPatientRepo.PatientRepo
  | Clinic.ClinicRepo
  | DPasscodeStore.PasscodeStore
  | DSessionStore.SessionStore
  | DAuditLog.AuditLog
  | DOutbox.Outbox
  | DUnitOfWork.UnitOfWork
  | Chart.ChartRepo
  | DScheduleRepo.ScheduleRepo
  | DAppointmentRepo.AppointmentRepo
  | DMessageRepo.MessageRepo
  | DUploadRepo.UploadRepo
  | DQuestionnaireRepo.QuestionnaireRepo
  | VirtualVisit.VirtualVisitStore
  | DFileStore.FileStore
  | DApiKeyStore.ApiKeyStore

/** The repositories, stores and unit of work on a `SqlClient`; `FileStore` also takes ids from the `CodeGenerator`. */
export const layerRepositories: Layer.Layer<
  Repositories,
  never,
  SqlClient.SqlClient | CodeGenerator.CodeGenerator
> = Layer.mergeAll(
  PatientRepo.layer,
  ClinicRepo.layer,
  PasscodeStore.layer,
  SessionStore.layer,
  AuditLog.layer,
  Outbox.layer,
  UnitOfWork.layer,
  ChartRepo.layer,
  ScheduleRepo.layer,
  AppointmentRepo.layer,
  MessageRepo.layer,
  UploadRepo.layer,
  QuestionnaireRepo.layer,
  VirtualVisitStore.layer,
  FileStore.layer,
  ApiKeyStore.layer
)

/**
 * Every port a deployment needs: the repositories on the given `SqlClient`, codes and ids from
 * the Web Crypto CSPRNG, hashes under `PASSCODE_SECRET`.
 */
export const layerPorts = (
  options: { readonly hasher?: Layer.Layer<Hasher.Hasher, unknown> } = {}
): Layer.Layer<
  Layer.Success<typeof layerRepositories> | CodeGenerator.CodeGenerator | Hasher.Hasher,
  unknown,
  SqlClient.SqlClient
> =>
  layerRepositories.pipe(
    Layer.provideMerge(CodeGenerator.CodeGenerator.layer),
    Layer.provideMerge(options.hasher ?? Hasher.Hasher.layerConfig)
  )

/** The database from configuration (`DATABASE_URL`, or the embedded default), migrated, with every port on it. */
export const layerConfig = (
  options: { readonly hasher?: Layer.Layer<Hasher.Hasher, unknown> } = {}
): Layer.Layer<
  Repositories | CodeGenerator.CodeGenerator | Hasher.Hasher | SqlClient.SqlClient | PgClient.PgClient,
  unknown
> => layerPorts(options).pipe(Layer.provideMerge(Database.layerConfig))
