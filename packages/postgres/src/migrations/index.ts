/**
 * The numbered, forward-only migrations, in order. A new one is a new file with the next
 * number; an applied one is never edited.
 */
import { Migrator } from "effect/sql"
import core from "./00001_core.ts"

/** Every migration by `<number>_<name>`. */
export const loader = Migrator.fromRecord({
  "00001_core": core
})
