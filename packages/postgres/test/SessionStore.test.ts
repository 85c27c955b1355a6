/**
 * `SessionStore` on PostgreSQL: the same contract cases as the in-memory store, across a pool
 * of connections (so the concurrent cases race for real).
 */
import { SessionStoreContract } from "@careportal/domain/testing"
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as PgSessionStore from "../src/SessionStore.ts"
import { warmDatabase } from "./warmDatabase.ts"

layer(PgSessionStore.layer.pipe(Layer.provideMerge(warmDatabase(8))), {
  timeout: 60_000
})("SessionStore contract (Postgres)", (it) => {
  for (const c of SessionStoreContract) it.effect(c.name, () => c.run)
})
