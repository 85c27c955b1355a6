/**
 * Chromium for the browser tests: Debian's, driven by playwright-core (no browser download).
 * When it cannot start, the tests fail loudly under CI (`CI` or `CAREPORTAL_REQUIRE_BROWSER`
 * set) and are skipped elsewhere with the reason.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's. */
export const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

const required = () =>
  ["CI", "CAREPORTAL_REQUIRE_BROWSER"].some((name) => {
    const v = process.env[name]
    return v !== undefined && v !== "" && v !== "false" && v !== "0"
  })

/** Chromium, or undefined (with a warning) when it cannot start outside CI. */
export const launch = async (): Promise<Browser | undefined> => {
  try {
    if (!fs.existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}`)
    return await chromium.launch({
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic"
      ]
    })
  } catch (e) {
    const why = `Chromium could not start (${e instanceof Error ? e.message.split("\n")[0] : String(e)}). Install it with: apt-get install -y chromium (or set CHROMIUM_PATH)`
    if (required()) throw new Error(`careportal browser tests: ${why}`)
    console.warn(`careportal: skipping the web portal's browser tests: ${why}`)
    return undefined
  }
}

/** A phone's width and a desktop's: every page is looked at in both. */
export const WIDTHS = [
  { name: "phone", width: 375, height: 812 },
  { name: "desktop", width: 1280, height: 900 }
] as const

/** Where the screenshots go (git ignores it). */
export const screenshotDir = path.resolve(import.meta.dirname, "../screenshots")

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

/** A fresh browser profile in `language`, at a phone's width. */
export const newContext = async (browser: Browser, language: "en" | "fr"): Promise<BrowserContext> => {
  const context = await browser.newContext({
    locale: language === "fr" ? "fr-CA" : "en-CA",
    viewport: { width: WIDTHS[0].width, height: WIDTHS[0].height },
    timezoneId: "UTC"
  })
  // Generous: the whole test suite shares two cores with this browser under CI.
  context.setDefaultTimeout(60_000)
  return context
}

export interface AxeViolation {
  readonly id: string
  readonly impact: string | null
  readonly help: string
  readonly nodes: ReadonlyArray<{ readonly target: ReadonlyArray<unknown> }>
}

/** The serious and critical accessibility violations axe-core finds on the page as it is. */
export const seriousViolations = async (page: Page): Promise<ReadonlyArray<string>> => {
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not
  // govern, unlike an injected <script>.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Array<AxeViolation> }> } })
      .axe
    return (await axe.run()).violations
  })
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)
}

/**
 * Looks at the page at both widths: no serious or critical axe violation, no horizontal scroll
 * at a phone's width, and a full-page screenshot at each, as `<language>/<name>-<width>.png`.
 * Leaves the page at the phone's width. Returns the problems found (empty when all is well).
 */
export const inspect = async (page: Page, language: string, name: string): Promise<ReadonlyArray<string>> => {
  const problems: Array<string> = []
  fs.mkdirSync(path.join(screenshotDir, language), { recursive: true })
  for (const size of [...WIDTHS].reverse()) {
    await page.setViewportSize({ width: size.width, height: size.height })
    await page.waitForTimeout(50)
    for (const v of await seriousViolations(page)) problems.push(`${name} at ${size.name} width: ${v}`)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    if (overflow > 1) problems.push(`${name} at ${size.name} width scrolls sideways by ${overflow}px`)
    await page.screenshot({
      path: path.join(screenshotDir, language, `${name}-${size.name}.png`),
      fullPage: true
    })
  }
  return problems
}
