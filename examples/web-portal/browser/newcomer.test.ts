/**
 * The README's promise to a newcomer, tested as they would live it: the reference server started
 * as `pnpm start` starts it (its own process, the embedded database, console email), the link in
 * the demo message's console email opened in the browser and the message read; then a login with
 * the demo card and the code the console shows, the demo appointment and its questionnaire, and
 * logout. In English, then in French with the language switch.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Browser, Page } from "playwright-core"
import { en, type Messages } from "../src/i18n/en.ts"
import { fr } from "../src/i18n/fr.ts"
import { inspect, launch, newContext } from "./browser.ts"
import { freePort } from "./portal.ts"

const browser: Browser | undefined = await launch()

const serverDir = path.resolve(import.meta.dirname, "../../reference-server")

describe.skipIf(browser === undefined)("a newcomer on the README's defaults", () => {
  let server: ChildProcess
  let dataDir: string
  let baseUrl: string
  let output = ""

  /** Waits for the console to print something `pick` recognises after `from` characters. */
  const fromConsole = async <A>(from: number, pick: (text: string) => A | undefined): Promise<A> => {
    for (let i = 0; i < 300; i++) {
      const found = pick(output.slice(from))
      if (found !== undefined) return found
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(
      `the console did not show what was expected within 30 s:\n${output.slice(from, from + 2000)}`
    )
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "careportal-newcomer-"))
    const port = await freePort()
    baseUrl = `http://localhost:${port}`
    server = spawn(process.execPath, ["src/main.ts"], {
      cwd: serverDir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? os.tmpdir(),
        PORT: String(port),
        CAREPORTAL_DATA_DIR: dataDir,
        DISPATCH_POLL_INTERVAL: "200 millis"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    server.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    server.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    await fromConsole(0, (text) => (text.includes("Listening on") ? true : undefined))
  })

  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r))
      server.kill("SIGTERM")
      await exited
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const journey = async (page: Page, t: Messages, language: "en" | "fr", from: number) => {
    // The message's email, as the console printed it: its link and its code.
    const { link, code } = await fromConsole(from, (text) => {
      const match =
        /(http:\/\/localhost:\d+\/toronto-west\/links\/[0-9a-f-]+)\s+Code ?: ([A-Za-z0-9]{8})/.exec(text)
      return match === null ? undefined : { link: match[1] as string, code: match[2] as string }
    })
    await page.goto(baseUrl)
    // `/` opens the demo clinic's portal, which asks a stranger to log in.
    await page.waitForURL(`${baseUrl}/toronto-west/login?next=%2F`)
    if (language === "fr") await page.getByRole("button", { name: "Français" }).click()
    await page.goto(link)
    await page.getByText(t.link.waiting.message("Toronto West Family Health")).waitFor()
    await page.getByLabel(t.link.code).fill(code)
    await page.getByLabel(t.link.dateOfBirth).fill("1985-12-10")
    await page.getByRole("button", { name: t.link.submit }).click()
    await page.getByRole("heading", { level: 1, name: "Welcome to the portal" }).waitFor()
    expect(await page.locator("main").innerText()).toContain("Hello Ada")
    await page.getByRole("button", { name: t.nav.logout }).click()
    await page.getByText(t.logout.done).waitFor()

    // Log in with the card and the code the console shows.
    await page.getByLabel(t.login.cardNumber).fill("1234-567-890")
    await page.getByLabel(t.login.email).fill("ada@example.org")
    const since = output.length
    await page.getByRole("button", { name: t.login.next }).click()
    const loginCode = await fromConsole(
      since,
      (text) => /(?:login code is|connexion au portail [^:]+:) (\d{6})/.exec(text)?.[1]
    )
    await page.getByLabel(t.login.code).fill(loginCode)
    await page.getByRole("button", { name: t.login.submit }).click()
    await page.getByRole("heading", { level: 1, name: t.home.title("Ada") }).waitFor()
    await page.getByRole("navigation").getByRole("link", { name: t.nav.appointments }).click()
    await page.locator(".list > li a").first().click()
    await page.getByRole("heading", { level: 1, name: t.appointment.title }).waitFor()
    // The English journey answers the seeded questionnaire; the French one finds it done.
    const form = page.locator("form.questionnaire")
    if (language === "en") {
      await form.getByLabel(t.questionnaire.no).check()
      await form.getByRole("button", { name: t.questionnaire.submit }).click()
      await page.getByText(t.questionnaire.sent).waitFor()
    }
    await page.getByText(t.appointment.taskDone).waitFor()
    expect(await form.count()).toBe(0)
    expect(await inspect(page, language, "newcomer-appointment")).toEqual([])
    await page.getByRole("button", { name: t.nav.logout }).click()
    await page.getByText(t.logout.done).waitFor()
  }

  it("opens the demo message from the console email's link, logs in with the card, answers the appointment's questionnaire, logs out: in English", async () => {
    const context = await newContext(browser as Browser, "en")
    try {
      await journey(await context.newPage(), en, "en", 0)
    } finally {
      await context.close()
    }
  })

  it("and in French, with the language switch", async () => {
    const context = await newContext(browser as Browser, "en")
    try {
      // The demo message's link was used by the English journey: the French one reads a new
      // message, which the clinic sends through its staff key as the README shows.
      const key = fs.readFileSync(path.join(dataDir, "careportal-demo-staff-key"), "utf8").trim()
      const patients = (await (
        await fetch(`${baseUrl}/v1/staff/patients?query=Lovelace`, {
          headers: { authorization: `Bearer ${key}` }
        })
      ).json()) as { patients: ReadonlyArray<{ id: string }> }
      const since = output.length
      const sent = await fetch(`${baseUrl}/v1/staff/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          patientId: patients.patients[0]?.id,
          subject: "Welcome to the portal",
          body: "Hello Ada, bienvenue dans le portail.",
          replyAllowed: true
        })
      })
      expect(sent.status).toBe(201)
      await journey(await context.newPage(), fr, "fr", since)
    } finally {
      await context.close()
    }
  })
})

afterAll(async () => {
  await browser?.close()
})
