/**
 * Joining a virtual visit. The access code is the credential, so the endpoint takes no
 * session. A code that opens nothing answers 404, as an unknown id does (DESIGN: existence
 * never leaks); 401 would suggest that logging in could help, and it cannot.
 */

import { VirtualVisits } from "@careportal/domain"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { docs, errorBody, RateLimit } from "./Common.ts"

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
export class VisitsGroup extends HttpApiGroup.make("visits")
  .add(
    HttpApiEndpoint.post("join", "/v1/virtual-visits/join", {
      payload: Schema.Struct({ code: Schema.String }),
      success: VirtualVisits.VisitJoin,
      error: [AccessCodeInvalid, VisitNotOpenYet, VisitEnded, MeetingUrlMissing]
    })
      .middleware(RateLimit)
      .annotateMerge(
        docs(
          "Join a virtual visit with its access code",
          "Takes the access code the patient received before the visit and answers the meeting URL " +
            "with the visit's start and end. No session: the code is the credential.",
          "The room opens 15 minutes before the start (by default): earlier, 409 `VisitNotOpenYet` " +
            "with `opensAt`. After the end or once completed: 410 `VisitEnded`. A code that opens no " +
            "visit (unknown, replaced by a newer one, or its visit cancelled) answers 404 " +
            "`AccessCodeInvalid`. No meeting room on file for the provider: 409 `MeetingUrlMissing` " +
            "(the clinic must set one up). Rate-limited per client address (429 `RateLimited`)."
        )
      )
  )
  .annotate(
    OpenApi.Description,
    "Joining a virtual visit with the access code the patient was sent. No credential but that " +
      "code; rate-limited per client address."
  ) {}
