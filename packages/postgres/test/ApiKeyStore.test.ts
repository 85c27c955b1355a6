/**
 * `ApiKeyStore` on PostgreSQL: the same contract cases as the in-memory store.
 */

import { ApiKeyStoreContract } from "@careportal/domain/testing"
import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as PgApiKeyStore from "../src/ApiKeyStore.ts"
import { warmDatabase } from "./warmDatabase.ts"

layer(PgApiKeyStore.layer.pipe(Layer.provideMerge(warmDatabase(8))), { timeout: 60_000 })(
  "ApiKeyStore contract (Postgres)",
  (it) => {
    for (const c of ApiKeyStoreContract) it.effect(c.name, () => c.run)
  }
)
