/**
 * @careportal/domain: the portal's rules, independent of any database, mail server or web
 * framework. Import the namespaces you need, e.g. `import { Authentication } from "@careportal/domain"`.
 */
export * as AuditEvent from "./AuditEvent.ts"
export * as AuditLog from "./AuditLog.ts"
export * as AuthErrors from "./AuthErrors.ts"
export * as Authentication from "./Authentication.ts"
export * as AuthPolicy from "./AuthPolicy.ts"
export * as CodeGenerator from "./CodeGenerator.ts"
export * as Hasher from "./Hasher.ts"
export * as Ids from "./Ids.ts"
export * as Notification from "./Notification.ts"
export * as Outbox from "./Outbox.ts"
export * as Passcode from "./Passcode.ts"
export * as PasscodeRules from "./PasscodeRules.ts"
export * as PasscodeStore from "./PasscodeStore.ts"
export * as Patient from "./Patient.ts"
export * as PatientRepo from "./PatientRepo.ts"
export * as Session from "./Session.ts"
export * as SessionStore from "./SessionStore.ts"
