/**
 * @careportal/api: the HTTP contract, its handlers on the domain services, and the routes.
 * A client needs only `Contract` (also importable alone as `@careportal/api/Contract`).
 */
export * as Auth from "./Auth.ts"
export * as Contract from "./Contract.ts"
export * as Errors from "./Errors.ts"
export * as Handlers from "./Handlers.ts"
export * as Health from "./Health.ts"
export * as CareHandlers from "./handlers/Care.ts"
export * as UploadsHandlers from "./handlers/Uploads.ts"
export * as I18n from "./I18n.ts"
export * as RateLimit from "./RateLimit.ts"
export * as Server from "./Server.ts"
