/**
 * Builds the web portal when its build is missing or older than its sources, so `pnpm start`
 * serves the current portal with no step of its own. Run before the server (`pnpm start` does),
 * and by the browser tests' setup.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

/** The portal's package directory. */
export const portalDir = path.resolve(import.meta.dirname, "../../web-portal")

const newestMtime = (entry: string): number => {
  if (!fs.existsSync(entry)) return 0
  const stat = fs.statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return fs
    .readdirSync(entry)
    .reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs)
}

/** Whether dist/index.html is missing or older than a source of the portal or of the client it bundles. */
export const isStale = (dir = portalDir): boolean => {
  const built = path.join(dir, "dist", "index.html")
  if (!fs.existsSync(built)) return true
  const sources = [
    path.join(dir, "src"),
    path.join(dir, "index.html"),
    path.join(dir, "vite.config.ts"),
    path.join(dir, "package.json"),
    path.resolve(dir, "../../packages/client/src"),
    path.resolve(dir, "../../packages/api/src"),
    path.resolve(dir, "../../packages/domain/src")
  ]
  const newest = Math.max(...sources.map(newestMtime))
  return newest > fs.statSync(built).mtimeMs
}

/** Builds the portal with its own Vite when stale; returns whether it built. Throws when the build fails. */
export const ensureBuilt = (dir = portalDir): boolean => {
  if (!isStale(dir)) return false
  const vite = path.join(dir, "node_modules", "vite", "bin", "vite.js")
  if (!fs.existsSync(vite)) {
    throw new Error(`careportal: cannot build the web portal: ${vite} is missing (run pnpm install)`)
  }
  console.log("careportal: building the web portal (its build is missing or older than its sources)…")
  const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
    cwd: dir,
    stdio: "inherit"
  })
  if (result.status !== 0) throw new Error("careportal: the web portal's build failed (see above)")
  return true
}

if (import.meta.main) {
  try {
    ensureBuilt()
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e))
    process.exit(1)
  }
}
