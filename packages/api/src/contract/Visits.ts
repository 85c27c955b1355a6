/**
 * Joining a virtual visit. The access code is the credential, so the endpoint takes no
 * session. A code that opens nothing answers 404, as an unknown id does (DESIGN: existence
 * never leaks); 401 would suggest that logging in could help, and it cannot.
 */

import { VirtualVisits } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
import { errorBody, RateLimit } from "./Common.ts"

/** The code opens no visit: unknown, replaced by a newer one, or its visit was cancelled. */
export const AccessCodeInvalid = errorBody("AccessCodeInvalid", 404, {})
/** Too early: the room opens at `opensAt`. */
export const VisitNotOpenYet = errorBody("VisitNotOpenYet", 409, {
  opensAt: Schema.DateTimeUtc,
  startsAt: Schema.DateTimeUtc
})
/** The visit is over. */
export const VisitEnded = errorBody("VisitEnded", 410, { endedAt: Schema.DateTimeUtc })
/** The provider has no meeting room on file: the clinic must set one up (409, a state to fix). */
export const MeetingUrlMissing = errorBody("MeetingUrlMissing", 409, {})

/** The error bodies of virtual visits. */
export type VisitsError =
  | typeof AccessCodeInvalid.Type
  | typeof VisitNotOpenYet.Type
  | typeof VisitEnded.Type
  | typeof MeetingUrlMissing.Type

/** Virtual visits: an access code → how to join. */
export class VisitsGroup extends HttpApiGroup.make("visits").add(
  HttpApiEndpoint.post("join", "/v1/virtual-visits/join", {
    payload: Schema.Struct({ code: Schema.String }),
    success: VirtualVisits.VisitJoin,
    error: [AccessCodeInvalid, VisitNotOpenYet, VisitEnded, MeetingUrlMissing]
  }).middleware(RateLimit)
) {}
