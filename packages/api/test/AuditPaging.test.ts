/**
 * The staff audit page through the derived client: following `nextBefore` in pages of 2 reaches
 * every event of the clinic (or of one patient) once, newest first, and the last page says there
 * is no other, even when it is full.
 */
import { ApiKeys, AuditEvent, AuditLog, Ids } from "@careportal/domain"
import * as Testing from "@careportal/domain/testing"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { Api } from "../src/Contract.ts"
import { ada, grace, seed, TestServer } from "./support.ts"

/** The fixtures' clinic with a key, and seven events about Ada, Grace or no one. */
const setup = Effect.gen(function* () {
  yield* seed
  const issued = yield* (yield* ApiKeys.ApiKeys).issue({
    clinicId: Testing.clinicId,
    staffId: Ids.StaffId.make("reception"),
    label: "front desk"
  })
  const log = yield* AuditLog.AuditLog
  const about = [ada.id, grace.id, ada.id, null, ada.id, grace.id, ada.id]
  for (const [i, patientId] of about.entries()) {
    yield* log.append(
      new AuditEvent.AuditEntry({
        id: Ids.AuditEventId.make(`event-paging-${i}`),
        clinicId: Testing.clinicId,
        actor: new AuditEvent.Actor({ kind: "staff", id: "reception" }),
        action: "chart.read",
        patientId,
        resource: `chart:${i}`,
        outcome: "success",
        at: DateTime.makeUnsafe(1_900_000_000_000 + i * 1_000)
      })
    )
  }
  const client = yield* HttpApiClient.make(Api, {
    transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(Redacted.value(issued.key)))
  })
  return { client, log }
})

type Client = Effect.Success<typeof setup>["client"]

/** Every page of 2 from the newest, following `nextBefore` until it is null. */
const allPages = (client: Client, patientId?: Ids.PatientId) =>
  Effect.gen(function* () {
    const pages: Array<ReadonlyArray<number>> = []
    let before: number | undefined
    // More pages than events can hold would mean paging never ends.
    for (let guard = 0; guard < 50; guard++) {
      const page = yield* client.staffAdmin.audit({
        query: {
          limit: 2,
          ...(patientId === undefined ? {} : { patientId }),
          ...(before === undefined ? {} : { before })
        }
      })
      pages.push(page.events.map((e) => e.sequence))
      assert.strictEqual(page.nextBefore, page.nextBefore === null ? null : page.events.at(-1)?.sequence)
      if (page.nextBefore === null) return pages
      before = page.nextBefore
    }
    return assert.fail("nextBefore never became null")
  })

/** `sequences` newest first, cut into pages of 2. */
const inPagesOf2 = (sequences: ReadonlyArray<number>) => {
  const newest = sequences.toSorted((a, b) => b - a)
  return Array.from({ length: Math.max(1, Math.ceil(newest.length / 2)) }, (_, k) =>
    newest.slice(k * 2, k * 2 + 2)
  )
}

describe("the staff audit log, a page at a time", () => {
  it.live("pages of 2 following nextBefore reach every event of the clinic once, newest first", () =>
    Effect.gen(function* () {
      const { client, log } = yield* setup
      const stored = (yield* log.list({ clinicId: Testing.clinicId })).map((e) => e.sequence)
      assert.isAtLeast(stored.length, 7)
      assert.deepStrictEqual(yield* allPages(client), inPagesOf2(stored))
    }).pipe(Effect.provide(TestServer()))
  )

  it.live(
    "pages of 2 for one patient reach that patient's events once, and a full last page is the last",
    () =>
      Effect.gen(function* () {
        const { client, log } = yield* setup
        for (const patient of [ada, grace]) {
          const stored = (yield* log.list({ clinicId: Testing.clinicId, patientId: patient.id })).map(
            (e) => e.sequence
          )
          // Ada has 4 events (two full pages, the last with no next), Grace 2 (one full page).
          assert.strictEqual(stored.length, patient.id === ada.id ? 4 : 2)
          assert.deepStrictEqual(yield* allPages(client, patient.id), inPagesOf2(stored))
        }
      }).pipe(Effect.provide(TestServer()))
  )
})
