/**
 * Times as the patient reads them: always in the clinic's time zone (not the device's), so
 * a 9:00 slot is 9:00 at the clinic whatever the phone's setting, across daylight-saving changes.
 * Pure functions over instants, unit-tested (test/time.test.ts).
 */
import { DateTime, Option } from "effect"
import type { Language } from "./i18n/language.ts"

/** A calendar day in the clinic's zone, `YYYY-MM-DD`. */
export type Day = string

const locale = (language: Language) => (language === "fr" ? "fr-CA" : "en-CA")

const toDate = (instant: DateTime.DateTime | Date): Date =>
  instant instanceof Date ? instant : DateTime.toDate(instant)

/** e.g. "Tuesday, March 10, 2026 at 9:00 a.m." / "mardi 10 mars 2026 à 9 h 00". */
export const formatDateTime = (instant: DateTime.DateTime | Date, timeZone: string, language: Language) =>
  new Intl.DateTimeFormat(locale(language), {
    timeZone,
    dateStyle: "full",
    timeStyle: "short"
  }).format(toDate(instant))

/** e.g. "9:00 a.m." / "9 h 00". */
export const formatTime = (instant: DateTime.DateTime | Date, timeZone: string, language: Language) =>
  new Intl.DateTimeFormat(locale(language), { timeZone, timeStyle: "short" }).format(toDate(instant))

/** A day in running text, e.g. "Sunday, March 8" / "dimanche 8 mars". */
export const formatDayInText = (day: Day, language: Language) =>
  new Intl.DateTimeFormat(locale(language), {
    timeZone: "UTC",
    weekday: "long",
    month: "long",
    day: "numeric"
  }).format(new Date(`${day}T12:00:00Z`))

/** A day heading, e.g. "Sunday, March 8" / "Dimanche 8 mars" (a capital to start, months as the language writes them). */
export const formatDay = (day: Day, language: Language) => {
  const text = formatDayInText(day, language)
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** A date of birth or other calendar date, e.g. "December 10, 1815". */
export const formatCalendarDate = (day: Day, language: Language) =>
  new Intl.DateTimeFormat(locale(language), { timeZone: "UTC", dateStyle: "long" }).format(
    new Date(`${day}T12:00:00Z`)
  )

/** The clinic's calendar day an instant falls on. */
export const dayOf = (instant: DateTime.DateTime | Date, timeZone: string): Day => {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit"
  }).formatToParts(toDate(instant))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ""
  return `${get("year")}-${get("month")}-${get("day")}`
}

/** `day` plus `n` calendar days. */
export const addDays = (day: Day, n: number): Day => {
  const [y, m, d] = day.split("-").map(Number)
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + n)).toISOString().slice(0, 10)
}

/** The instant the clinic's `day` begins (its local midnight, whatever its length that day). */
export const startOfDay = (day: Day, timeZone: string): DateTime.Utc => {
  const [year, month, date] = day.split("-").map(Number)
  const zoned = DateTime.makeZoned(
    { year: year ?? 1970, month: month ?? 1, day: date ?? 1, hour: 0, minute: 0, second: 0, millisecond: 0 },
    { timeZone, adjustForTimeZone: true, disambiguation: "earlier" }
  )
  return Option.match(zoned, {
    onNone: () => DateTime.makeUnsafe(`${day}T00:00:00Z`),
    onSome: DateTime.toUtc
  })
}

/** The instants bounding `days` clinic days from `from`: `[from's midnight, midnight after the last)`. */
export const rangeOfDays = (from: Day, days: number, timeZone: string) => ({
  from: startOfDay(from, timeZone),
  to: startOfDay(addDays(from, days), timeZone)
})

/** Items grouped under the clinic day they start on, days in order, each day's items in order. */
export const groupByDay = <A extends { readonly start: DateTime.DateTime }>(
  items: ReadonlyArray<A>,
  timeZone: string
): ReadonlyArray<{ readonly day: Day; readonly items: ReadonlyArray<A> }> => {
  const sorted = [...items].sort((a, b) => DateTime.toEpochMillis(a.start) - DateTime.toEpochMillis(b.start))
  const days: Array<{ day: Day; items: Array<A> }> = []
  for (const item of sorted) {
    const day = dayOf(item.start, timeZone)
    const last = days[days.length - 1]
    if (last !== undefined && last.day === day) last.items.push(item)
    else days.push({ day, items: [item] })
  }
  return days
}
