/**
 * Placeholder: filled in by the issue-4 work on these tables (see migrations/index.ts).
 */
import { Effect } from "effect"

export default Effect.void
