/**
 * Every careportal port on PostgreSQL, ready to give to `Portal.layerServices`.
 */
import { CodeGenerator, Hasher } from "@careportal/domain"
import { Layer } from "effect"
import type { SqlClient } from "effect/sql"
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

/** The repositories, stores and unit of work on a `SqlClient`; `FileStore` also takes ids from the `CodeGenerator`. */
export const layerRepositories = Layer.mergeAll(
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
  FileStore.layer
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
export const layerConfig = (options: { readonly hasher?: Layer.Layer<Hasher.Hasher, unknown> } = {}) =>
  layerPorts(options).pipe(Layer.provideMerge(Database.layerConfig))
