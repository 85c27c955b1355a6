/**
 * Every journey a patient makes, in Chromium, against the composed reference server, in English
 * and in French. Each page is looked at at a phone's width and a desktop's (axe-core: no serious
 * or critical violation; no sideways scroll; a screenshot in ../screenshots/). Fields are found
 * by their labels, as a screen reader finds them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { en, type Messages } from "../src/i18n/en.ts"
import { fr } from "../src/i18n/fr.ts"
import { inspect, launch, newContext, screenshotDir } from "./browser.ts"
import {
  awaitMessage,
  confirmationCodeIn,
  inboxSize,
  linkIn,
  loginCodeIn,
  type Portal,
  seedClinic,
  startPortal
} from "./portal.ts"

const browser: Browser | undefined = await launch()

type Seeded = Awaited<ReturnType<typeof seedClinic>>

describe.skipIf(browser === undefined).each(["en", "fr"] as const)("the patient portal in %s", (language) => {
  const t: Messages = language === "en" ? en : fr
  let portal: Portal
  let seeded: Seeded
  const problems: Array<string> = []
  const contexts: Array<BrowserContext> = []

  const look = async (page: Page, name: string) => {
    problems.push(...(await inspect(page, language, name)))
  }
  /** A fresh browser in this language; `switched`: a browser in the other one, switched on the page. */
  const open = async (options: { readonly switched?: boolean } = {}) => {
    const other = language === "en" ? "fr" : "en"
    const context = await newContext(browser as Browser, options.switched === true ? other : language)
    contexts.push(context)
    return { context, page: await context.newPage() }
  }
  const url = (path: string) => `${portal.baseUrl}/${seeded.clinic.slug}${path}`
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

  /** Logs in with the card and the emailed code, as journey 3 does, without looking. */
  const logIn = async (page: Page, stay = false) => {
    await page.goto(url("/login"))
    await page.getByLabel(t.login.cardNumber).fill(seeded.patient.card)
    await page.getByLabel(t.login.email).fill(seeded.patient.email)
    const since = inboxSize(portal, seeded.patient.email)
    await page.getByRole("button", { name: t.login.next }).click()
    const code = await awaitMessage(portal, seeded.patient.email, since, loginCodeIn)
    await page.getByLabel(t.login.code).fill(code)
    if (stay) await page.getByLabel(t.login.stayLoggedIn).check()
    await page.getByRole("button", { name: t.login.submit }).click()
    await page.getByRole("heading", { level: 1, name: t.home.title(seeded.patient.given) }).waitFor()
  }

  beforeAll(async () => {
    portal = await startPortal()
    seeded = await seedClinic(portal, language)
  })

  // A failed journey leaves a picture of each of its pages, to see what the patient saw.
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") {
      let i = 0
      for (const c of contexts) {
        for (const p of c.pages()) {
          await p.screenshot({
            path: `${screenshotDir}/${language}/FAILED-${task.name.slice(0, 2)}-${i++}.png`,
            fullPage: true
          })
        }
      }
    }
    for (const c of contexts.splice(0)) await c.close()
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it("1. a notification's link: the clinic's name, what is waiting, then the message it was for", async () => {
    const { context, page } = await open()
    const { link, code } = await awaitMessage(portal, seeded.patient.email, 0, (text) =>
      text.includes(seeded.results.link.linkId) ? linkIn(text) : undefined
    )
    // The link is the clinic's page of the portal, on PUBLIC_URL.
    expect(link).toBe(url(`/links/${seeded.results.link.linkId}`))
    await page.goto(link)
    await page.getByRole("heading", { level: 1, name: t.link.title(seeded.clinic.name) }).waitFor()
    await page.getByText(t.link.waiting.message(seeded.clinic.name)).waitFor()
    const text = await page.locator("main").innerText()
    expect(text).toContain(t.link.waiting.message(seeded.clinic.name))
    // Never the message itself before the code and the date of birth.
    expect(text).not.toContain(language === "en" ? "blood work" : "analyses sanguines")
    await look(page, "link")
    await page.getByLabel(t.link.code).fill(code)
    await page.getByLabel(t.link.dateOfBirth).fill(seeded.patient.dateOfBirth)
    await page.getByLabel(t.login.stayLoggedIn).check()
    await page.getByRole("button", { name: t.link.submit }).click()
    await page.getByRole("heading", { level: 1, name: seeded.results.message.subject }).waitFor()
    expect(page.url()).toBe(url(`/messages/${seeded.results.message.id}`))
    expect(await page.locator("main").innerText()).toContain(seeded.results.message.body)
    // "Stay logged in": the session cookie lasts 30 days, HttpOnly, never readable by the page.
    const cookie = (await context.cookies()).find((c) => c.name === "careportal_session")
    expect(cookie?.httpOnly).toBe(true)
    expect((cookie?.expires ?? 0) * 1000 - Date.now()).toBeGreaterThan(29 * 24 * 3600_000)
    expect(await page.evaluate(() => document.cookie)).not.toContain("careportal_session")
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toMatch(/token|session/i)
    await look(page, "message-from-link")
    await page.getByRole("link", { name: t.back }).click()
    await page.getByRole("heading", { level: 1, name: t.home.title(seeded.patient.given) }).waitFor()
    await look(page, "home")
  })

  it("2. a used link says so and offers the login; an expired one offers a new code and says where it went", async () => {
    const { page } = await open()
    await page.goto(url(`/links/${seeded.results.link.linkId}`))
    await page.getByText(t.link.used).waitFor()
    await look(page, "link-used")
    await page.getByRole("link", { name: t.link.continueToLogin }).click()
    await page.getByRole("heading", { level: 1, name: t.login.title }).waitFor()

    // A server whose links live one second and may be resent after one.
    const short = await startPortal({ AUTH_QUICK_LINK_TTL: "1 second", AUTH_RESEND_COOLDOWN: "1 second" })
    try {
      const other = await seedClinic(short, language)
      await new Promise((r) => setTimeout(r, 1500))
      await page.goto(`${short.baseUrl}/${other.clinic.slug}/links/${other.results.link.linkId}`)
      await page.getByText(t.link.expired).waitFor()
      await page.getByRole("link", { name: t.link.continueToLogin }).waitFor()
      await look(page, "link-expired")
      const since = inboxSize(short, other.patient.email)
      await page.getByRole("button", { name: t.link.resend }).click()
      // Where it went, masked: the first letter and the domain only.
      await page.getByText(t.link.resentTo("p•••@example.org")).waitFor()
      const resent = await awaitMessage(short, other.patient.email, since, linkIn)
      expect(resent.link).toBe(`${short.baseUrl}/${other.clinic.slug}/links/${other.results.link.linkId}`)
      await look(page, "link-resent")
    } finally {
      await short.stop()
    }
  })

  it("3. login: card and contact, the code from the email, wrong codes counted down to a lock, then a fresh start", async () => {
    // A browser set to the other language: the patient switches, and the API answers in the
    // switched language too (the portal asks for it, not only the browser).
    const { page } = await open({ switched: true })
    await page.goto(url("/login"))
    await page.getByRole("button", { name: (language === "en" ? fr : en).switchTo }).click()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(language)
    await page.getByRole("heading", { level: 1, name: t.login.title }).waitFor()
    expect(await page.getByLabel(t.login.idType).inputValue()).toBe("ON-HCN")
    await look(page, "login")
    // Bad input is pointed out at its fields before anything is sent.
    await page.getByLabel(t.login.cardNumber).fill("12345")
    await page.getByLabel(t.login.email).fill("not-an-email")
    await page.getByRole("button", { name: t.login.next }).click()
    await page.getByText(t.login.errors.cardNumber).waitFor()
    await page.getByText(t.login.errors.email).waitFor()
    expect(await page.getByLabel(t.login.cardNumber).getAttribute("aria-invalid")).toBe("true")
    await look(page, "login-invalid")

    // An identity that matches nobody gets the same page as one that does.
    await page.getByLabel(t.login.cardNumber).fill("9999 999 999")
    await page.getByLabel(t.login.email).fill("nobody@example.org")
    await page.getByRole("button", { name: t.login.next }).click()
    await page.getByRole("heading", { level: 1, name: t.login.codeTitle }).waitFor()
    const unmatched = (await page.locator("main").innerText()).replace("nobody@example.org", "…")
    await page.getByRole("button", { name: t.login.startAgain }).first().click()

    await page.getByLabel(t.login.cardNumber).fill(seeded.patient.card)
    await page.getByLabel(t.login.email).fill(seeded.patient.email)
    const since = inboxSize(portal, seeded.patient.email)
    await page.getByRole("button", { name: t.login.next }).click()
    await page.getByRole("heading", { level: 1, name: t.login.codeTitle }).waitFor()
    expect((await page.locator("main").innerText()).replace(seeded.patient.email, "…")).toBe(unmatched)
    expect(await page.locator("main").innerText()).toContain(t.login.sentEmail(seeded.patient.email))
    await look(page, "login-code")
    const code = await awaitMessage(portal, seeded.patient.email, since, loginCodeIn)
    const wrong = code === "000000" ? "111111" : "000000"
    for (let left = 4; left >= 1; left--) {
      await page.getByLabel(t.login.code).fill(wrong)
      await page.getByRole("button", { name: t.login.submit }).click()
      await page.locator("#code-error", { hasText: String(left) }).waitFor()
    }
    // The API's own message, in the page's language: no English on a French page.
    const attemptsLeft = await page.locator("#code-error").innerText()
    expect(attemptsLeft).toMatch(language === "fr" ? /essai/ : /attempt/)
    if (language === "fr") expect(attemptsLeft).not.toMatch(/attempt|code is|wrong/i)
    expect(await page.getByLabel(t.login.code).getAttribute("aria-invalid")).toBe("true")
    await look(page, "login-wrong-code")
    await page.getByLabel(t.login.code).fill(wrong)
    await page.getByRole("button", { name: t.login.submit }).click()
    // Locked: the code can no longer be entered (the API refuses even the right one), and the
    // page offers a fresh start instead.
    const alert = page
      .getByRole("alert")
      .filter({ has: page.getByRole("button", { name: t.login.startAgain }) })
    await alert.waitFor()
    expect(await page.getByLabel(t.login.code).count()).toBe(0)
    expect(await page.getByRole("button", { name: t.login.submit }).count()).toBe(0)
    const lockedText = await alert.innerText()
    expect(lockedText).not.toMatch(/Passcode[A-Z]|Error|stack/)
    await look(page, "login-locked")
    await alert.getByRole("button", { name: t.login.startAgain }).click()
    await page.getByLabel(t.login.cardNumber).fill(seeded.patient.card)
    await page.getByLabel(t.login.email).fill(seeded.patient.email)
    const again = inboxSize(portal, seeded.patient.email)
    await page.getByRole("button", { name: t.login.next }).click()
    const fresh = await awaitMessage(portal, seeded.patient.email, again, loginCodeIn)
    await page.getByLabel(t.login.code).fill(fresh)
    await page.getByRole("button", { name: t.login.submit }).click()
    await page.getByRole("heading", { level: 1, name: t.home.title(seeded.patient.given) }).waitFor()
  })

  it("keyboard alone: the login from the first field to the home page, with Tab, typing, Space and Enter", async () => {
    const { page } = await open()
    await page.goto(url("/login"))
    await page.getByRole("heading", { level: 1, name: t.login.title }).waitFor()
    // The page's heading has the focus on arrival, so Tab goes on to the form's first field.
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "")
    await page.keyboard.press("Tab")
    expect(await focusedId()).toBe("idType")
    await page.keyboard.press("Tab")
    expect(await focusedId()).toBe("cardNumber")
    await page.keyboard.type(seeded.patient.card)
    await page.keyboard.press("Tab") // the Email / Mobile choice, Email checked
    expect(await focusedId()).toBe("contactKind-email")
    await page.keyboard.press("Tab")
    expect(await focusedId()).toBe("contact")
    await page.keyboard.type(seeded.patient.email)
    const since = inboxSize(portal, seeded.patient.email)
    await page.keyboard.press("Enter")
    await page.getByRole("heading", { level: 1, name: t.login.codeTitle }).waitFor()
    const code = await awaitMessage(portal, seeded.patient.email, since, loginCodeIn)
    while ((await focusedId()) !== "code") await page.keyboard.press("Tab")
    await page.keyboard.type(code)
    await page.keyboard.press("Tab")
    expect(await focusedId()).toBe("stayLoggedIn")
    await page.keyboard.press("Space")
    expect(await page.getByLabel(t.login.stayLoggedIn).isChecked()).toBe(true)
    await page.keyboard.press("Enter")
    await page.getByRole("heading", { level: 1, name: t.home.title(seeded.patient.given) }).waitFor()
  })

  it("4. messages: unread marked, older pages, a thread with Reply where allowed and why not elsewhere", async () => {
    const { page } = await open()
    await logIn(page)
    await page.getByRole("navigation").getByRole("link", { name: t.nav.messages }).click()
    await page.getByRole("heading", { level: 1, name: t.messages.title }).waitFor()
    // 12 messages, 10 a page: the first page, then the older ones on demand.
    await page.locator(".list > li").nth(9).waitFor()
    expect(await page.locator(".list > li").count()).toBe(10)
    expect(await page.locator(".list > li.unread").count()).toBeGreaterThan(0)
    await look(page, "messages")
    await page.getByRole("button", { name: t.messages.more }).click()
    await page.locator(".list > li").nth(11).waitFor()
    expect(await page.locator(".list > li").count()).toBe(12)
    await page.getByRole("link", { name: new RegExp(seeded.closed.message.subject) }).click()
    await page.getByRole("heading", { level: 1, name: seeded.closed.message.subject }).waitFor()
    await page.getByText(t.messages.noReply).waitFor()
    expect(await page.getByRole("button", { name: t.messages.submit }).count()).toBe(0)
    await look(page, "message-no-reply")
    await page.goto(url(`/messages/${seeded.results.message.id}`))
    await page.getByRole("heading", { level: 1, name: seeded.results.message.subject }).waitFor()
    await page.getByRole("button", { name: t.messages.submit }).click()
    await page.getByText(t.messages.errors.empty).waitFor()
    const reply =
      language === "en"
        ? "Thank you! Should I fast next time?"
        : "Merci! Dois-je être à jeun la prochaine fois?"
    await page.getByLabel(t.messages.reply).fill(reply)
    await page.getByRole("button", { name: t.messages.submit }).click()
    await page.getByText(t.messages.replied).waitFor()
    await page.locator(".replies").getByText(reply).waitFor()
    await look(page, "message-replied")
    // The clinic sees the reply in the thread.
    const thread = await run(seeded.desk.staffPatients.messages({ params: { id: seeded.patient.id } }))
    expect(JSON.stringify(thread)).toContain(reply)
  })

  it("5. appointments: book a slot shown in the clinic's zone, answer its questionnaire, move it, cancel; inside 24 h refused with the reason", async () => {
    const { page } = await open()
    await logIn(page)
    await page.goto(url("/appointments"))
    await page.getByRole("heading", { level: 2, name: t.appointments.upcoming }).waitFor()
    await page.getByRole("heading", { level: 2, name: t.appointments.past }).waitFor()
    await page.getByText(t.appointments.noneUpcoming).waitFor()
    await look(page, "appointments-empty")
    await page.getByRole("link", { name: t.appointments.new }).click()
    await page.getByRole("heading", { level: 1, name: t.booking.title }).waitFor()
    // By name: the check-up first, then the consultation on request, then the video visit.
    await page.getByLabel(t.booking.type).selectOption({ index: 1 })
    await page.getByLabel(t.booking.provider).selectOption({ label: "Dr. Okafor" })
    await page.getByRole("button", { name: t.booking.nextWeek }).click()
    // Next week's first day opens at midnight at the clinic (00:00 in Toronto), whatever the
    // browser's own zone (UTC here): the slot's time is the clinic's.
    const firstDay = page.locator(".day").first()
    await firstDay.waitFor()
    expect(await firstDay.locator("button.slot").first().innerText()).toBe(
      language === "en" ? "12:00 a.m." : "00 h 00"
    )
    await look(page, "booking-slots")
    // Each time is named with its day, as a screen reader reads it out of the list.
    const nine = firstDay.getByRole("button", {
      name: language === "en" ? /, 2026 at 9:00 a\.m\.$/ : / 2026 à 09 h 00$/
    })
    await nine.click()
    expect(await nine.getAttribute("aria-pressed")).toBe("true")
    await page.getByRole("button", { name: t.booking.book, exact: true }).click()
    await page.getByText(t.booking.booked).waitFor()
    await page.getByRole("heading", { level: 1, name: t.appointment.title }).waitFor()
    expect(await page.locator("dl.details").innerText()).toContain(
      language === "en" ? "9:00 a.m." : "09 h 00"
    )
    await look(page, "appointment-booked")

    // The questionnaire: per-item messages, then filed in the chart.
    const form = page.locator("form.questionnaire")
    await form.getByRole("button", { name: t.questionnaire.submit }).click()
    await form.getByText(t.questionnaire.summary(2)).waitFor()
    expect(await form.locator(".field-error").allInnerTexts()).toEqual([
      t.questionnaire.errors.required,
      t.questionnaire.errors.required
    ])
    await form
      .getByLabel(language === "en" ? "Hours of sleep a night" : "Heures de sommeil par nuit")
      .fill("30")
    await form.getByRole("button", { name: t.questionnaire.submit }).click()
    await form.getByText(t.questionnaire.errors.max(24)).waitFor()
    await look(page, "questionnaire-invalid")
    await form.getByLabel(t.questionnaire.no).check()
    await form
      .getByLabel(language === "en" ? "Hours of sleep a night" : "Heures de sommeil par nuit")
      .fill("8")
    await form.getByRole("button", { name: t.questionnaire.submit }).click()
    await page.getByText(t.questionnaire.sent).waitFor()
    await page.getByText(t.appointment.taskDone).waitFor()
    await look(page, "questionnaire-done")
    const chart = await run(seeded.desk.staffPatients.chart({ params: { id: seeded.patient.id } }))
    expect(JSON.stringify(chart)).toContain('"fever"')

    // Change the time, then cancel (well over 24 h ahead: allowed).
    await page.getByRole("button", { name: t.appointment.change }).click()
    await page.getByRole("button", { name: t.booking.nextWeek }).click()
    const moveDay = page.locator(".day").first()
    await moveDay.waitFor()
    await moveDay.getByRole("button", { name: language === "en" ? /at 10:00 a\.m\.$/ : /à 10 h 00$/ }).click()
    await page.getByRole("button", { name: new RegExp(t.booking.confirmMove("").trim()) }).click()
    await page.getByText(t.booking.moved).waitFor()
    expect(await page.locator("dl.details").innerText()).toContain(
      language === "en" ? "10:00 a.m." : "10 h 00"
    )
    await page.getByRole("button", { name: t.appointment.cancel }).click()
    await look(page, "appointment-cancel-confirm")
    await page.getByRole("button", { name: t.appointment.cancelYes }).click()
    await page.getByText(t.appointment.cancelled).waitFor()
    expect(await page.locator("dl.details").innerText()).toContain(
      t.appointments.status.cancelled ?? "cancelled"
    )

    // One the clinic booked for three hours from now: too late to cancel online, and the page says why.
    const rounded = Math.ceil((Date.now() + 3 * 3600_000) / 300_000) * 300_000
    const near = await run(
      seeded.desk.staffAppointments.book({
        payload: {
          patientId: seeded.patient.id,
          providerId: seeded.provider.id,
          typeId: seeded.checkup.id,
          start: DateTime.makeUnsafe(rounded)
        }
      })
    )
    await page.goto(url("/appointments"))
    await page.locator(`a[href$="/appointments/${near.id}"]`).click()
    await page.getByRole("button", { name: t.appointment.cancel }).click()
    await page.getByRole("button", { name: t.appointment.cancelYes }).click()
    const refusal = page.getByRole("alert")
    await refusal.waitFor()
    expect(await refusal.innerText()).toMatch(/24/)
    expect(await refusal.innerText()).not.toMatch(/ChangeWindowClosed/)
    await look(page, "appointment-cancel-refused")
    // A type the clinic confirms: requested, not booked.
    await page.goto(url("/appointments/new"))
    await page.getByLabel(t.booking.type).selectOption({ index: 2 })
    await page.getByLabel(t.booking.provider).selectOption({ label: "Dr. Okafor" })
    await page.getByRole("button", { name: t.booking.nextWeek }).click()
    await page.locator(".day").first().locator("button.slot").nth(22).click()
    await page.getByText(t.booking.requestNote).waitFor()
    await page.getByRole("button", { name: t.booking.request, exact: true }).click()
    await page.getByText(t.booking.requested).waitFor()
    await page.goto(url("/appointments"))
    await page
      .getByText(t.appointments.status.requested ?? "requested")
      .first()
      .waitFor()
    await look(page, "appointments")
  })

  it("6. virtual visit: the preparation tips, a wrong-case code refused with what to do, the right one says how to join", async () => {
    // 9.5 to 14.5 minutes from now: open to join (from 15 minutes before), while the code the
    // booking queues for 5 minutes before is not due yet, so the resent one is the only code.
    const start = Math.ceil((Date.now() + 570_000) / 300_000) * 300_000
    const visit = await run(
      seeded.desk.staffAppointments.book({
        payload: {
          patientId: seeded.patient.id,
          providerId: seeded.provider.id,
          typeId: seeded.video.id,
          start: DateTime.makeUnsafe(start)
        }
      })
    )
    const since = inboxSize(portal, seeded.patient.email)
    await run(seeded.desk.staffAppointments.resendVisitCode({ params: { id: visit.id } }))
    const accessCode = await awaitMessage(
      portal,
      seeded.patient.email,
      since,
      (text) => /(?:Access code|Code d'accès) ?: ([A-Za-z0-9]{8})/.exec(text)?.[1]
    )
    const { page } = await open()
    await page.goto(url("/visit"))
    await page.getByRole("heading", { level: 1, name: t.visit.title }).waitFor()
    for (const tip of t.visit.tips) await page.getByText(tip).waitFor()
    await look(page, "visit")
    const flipped = [...accessCode]
      .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
      .join("")
    if (flipped !== accessCode) {
      await page.getByLabel(t.visit.code).fill(flipped)
      await page.getByRole("button", { name: t.visit.submit }).click()
      await page.locator("#accessCode-error").waitFor()
      await page.getByText(t.visit.failedHelp).waitFor()
      await look(page, "visit-code-refused")
    }
    await page.getByLabel(t.visit.code).fill(accessCode)
    await page.getByRole("button", { name: t.visit.submit }).click()
    const join = page.getByRole("link", { name: t.visit.open })
    await join.waitFor()
    expect(await join.getAttribute("href")).toBe("https://meet.example.org/okafor")
    await look(page, "visit-open")
  })

  it("7. a photo through a secure link: refusals before anything is stored, a progress bar, then in the record", async () => {
    const requested = await run(
      seeded.desk.staffCare.requestUpload({
        payload: {
          patientId: seeded.patient.id,
          note: language === "en" ? "The rash on your arm" : "L'éruption sur votre bras"
        }
      })
    )
    const { link, code } = await awaitMessage(portal, seeded.patient.email, 0, (text) =>
      text.includes(requested.link.linkId) ? linkIn(text) : undefined
    )
    const { page } = await open()
    await page.goto(link)
    await page.getByText(t.link.waiting.upload(seeded.clinic.name)).waitFor()
    await page.getByLabel(t.link.code).fill(code)
    await page.getByLabel(t.link.dateOfBirth).fill(seeded.patient.dateOfBirth)
    await page.getByRole("button", { name: t.link.submit }).click()
    await page.getByRole("heading", { level: 1, name: t.upload.title }).waitFor()
    await look(page, "upload")
    const chartSize = async () =>
      JSON.stringify(await run(seeded.desk.staffPatients.chart({ params: { id: seeded.patient.id } }))).split(
        '"photo"'
      ).length
    const before = await chartSize()
    const input = page.getByLabel(t.upload.file)
    await input.setInputFiles({
      name: "notes.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from("%PDF-1.7 not a photo")
    })
    await page.getByRole("button", { name: t.upload.submit }).click()
    await page.getByText(t.upload.errors.notAPhoto).waitFor()
    const big = Buffer.alloc(11 * 1024 * 1024)
    big.set([0xff, 0xd8, 0xff, 0xe0])
    await input.setInputFiles({ name: "big.jpg", mimeType: "image/jpeg", buffer: big })
    await page.getByRole("button", { name: t.upload.submit }).click()
    await page.getByText(t.upload.errors.tooLarge(language === "fr" ? "11,0" : "11.0")).waitFor()
    await look(page, "upload-refused")
    expect(await chartSize()).toBe(before)
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64"
    )
    await input.setInputFiles({ name: "rash.png", mimeType: "image/png", buffer: png })
    await page.getByRole("button", { name: t.upload.submit }).click()
    await page.getByText(t.upload.done).waitFor()
    await look(page, "upload-done")
    expect(await chartSize()).toBe(before + 1)
  })

  it("8. my information: update the address at once, a new email confirmed by its code, devices, logout", async () => {
    const { page: other } = await open()
    await logIn(other)
    const { page } = await open()
    await logIn(page)
    await page.getByRole("navigation").getByRole("link", { name: t.nav.me }).click()
    await page.getByRole("heading", { level: 1, name: t.me.title }).waitFor()
    expect(await page.locator("dl.details").innerText()).toContain(seeded.patient.email)
    await look(page, "me")
    await page.getByLabel(t.me.city).fill("Mississauga")
    await page.getByRole("button", { name: t.me.update }).click()
    await page.getByText(t.me.updated).waitFor()
    const me = await run(seeded.desk.staffPatients.read({ params: { id: seeded.patient.id } }))
    expect(JSON.stringify(me)).toContain("Mississauga")

    // Devices: this one and the other; log the other out from here.
    await page.getByRole("heading", { level: 2, name: t.me.sessions }).waitFor()
    await page.getByText(t.me.current, { exact: true }).waitFor()
    const ends = page.getByRole("button", { name: t.me.end })
    const devices = await ends.count()
    expect(devices).toBeGreaterThan(0)
    await look(page, "me-sessions")
    await ends.first().click()
    await page.getByText(t.me.ended).waitFor()
    await expect.poll(() => page.getByRole("button", { name: t.me.end }).count()).toBe(devices - 1)

    // A new email is used only once the code sent to it is entered.
    const newEmail = `new.${seeded.patient.email}`
    await page.getByLabel(t.me.newEmail).fill(newEmail)
    const since = inboxSize(portal, newEmail)
    await page.getByRole("button", { name: t.me.sendCode }).first().click()
    const code = await awaitMessage(portal, newEmail, since, confirmationCodeIn)
    await page.locator("#new-email-code").fill(code)
    await look(page, "me-contact-code")
    await page.getByRole("button", { name: t.me.verify }).click()
    await page.getByText(t.me.verified).waitFor()
    expect(await page.locator("dl.details").innerText()).toContain(newEmail)

    await page.getByRole("button", { name: t.nav.logout }).last().click()
    await page.getByText(t.logout.done).waitFor()
    await page.getByRole("heading", { level: 1, name: t.login.title }).waitFor()
    await look(page, "logged-out")
    // Logged out: a page of the patient's sends them to the login.
    await page.goto(url("/me"))
    await page.getByRole("heading", { level: 1, name: t.login.title }).waitFor()
  })

  it("a session that ends while a page is open sends the patient to the login, and back after it", async () => {
    const short = await startPortal({ AUTH_SESSION_IDLE_TIMEOUT: "3 seconds" })
    try {
      const other = await seedClinic(short, language)
      const { page } = await open()
      const at = (path: string) => `${short.baseUrl}/${other.clinic.slug}${path}`
      await page.goto(at("/login"))
      await page.getByLabel(t.login.cardNumber).fill(other.patient.card)
      await page.getByLabel(t.login.email).fill(other.patient.email)
      const since = inboxSize(short, other.patient.email)
      await page.getByRole("button", { name: t.login.next }).click()
      await page
        .getByLabel(t.login.code)
        .fill(await awaitMessage(short, other.patient.email, since, loginCodeIn))
      await page.getByRole("button", { name: t.login.submit }).click()
      await page.getByRole("heading", { level: 1, name: t.home.title(other.patient.given) }).waitFor()
      await page.waitForTimeout(4000)
      await page.getByRole("navigation").getByRole("link", { name: t.nav.messages }).click()
      await page.getByText(t.login.sessionEnded).waitFor()
      expect(new URL(page.url()).searchParams.get("next")).toBe("/messages")
      await look(page, "session-ended")
    } finally {
      await short.stop()
    }
  })

  it("has no serious or critical accessibility violation and no sideways scroll on any page, at either width", () => {
    expect(problems).toEqual([])
  })
})

afterAll(async () => {
  await browser?.close()
})
