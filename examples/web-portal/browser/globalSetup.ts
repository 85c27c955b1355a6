/** Before the browser tests: the portal's build, made when missing or older than its sources. */
import { ensureBuilt } from "../../reference-server/src/portal-build.ts"

export default function setup() {
  ensureBuilt()
}
