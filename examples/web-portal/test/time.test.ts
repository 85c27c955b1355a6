import { describe, expect, it } from "@effect/vitest"
import { DateTime } from "effect"
import * as fc from "fast-check"
import { addDays, dayOf, formatDay, formatTime, groupByDay, rangeOfDays, startOfDay } from "../src/time.ts"

const TORONTO = "America/Toronto"
const iso = (d: DateTime.DateTime) => DateTime.formatIso(DateTime.toUtc(d))
const at = (s: string) => DateTime.makeUnsafe(s)

describe("the clinic's days across daylight-saving changes", () => {
  it("a spring-forward Sunday is 23 hours long, a fall-back Sunday 25", () => {
    // 2026-03-08: clocks go from 2:00 to 3:00 in Toronto; 2026-11-01: from 2:00 back to 1:00.
    expect(iso(startOfDay("2026-03-08", TORONTO))).toBe("2026-03-08T05:00:00.000Z")
    expect(iso(startOfDay("2026-03-09", TORONTO))).toBe("2026-03-09T04:00:00.000Z")
    const spring = rangeOfDays("2026-03-08", 1, TORONTO)
    expect(DateTime.toEpochMillis(spring.to) - DateTime.toEpochMillis(spring.from)).toBe(23 * 3600_000)
    const fall = rangeOfDays("2026-11-01", 1, TORONTO)
    expect(DateTime.toEpochMillis(fall.to) - DateTime.toEpochMillis(fall.from)).toBe(25 * 3600_000)
  })

  it("shows 9:00 at the clinic as 9:00 on both sides of the change, whatever the device's zone", () => {
    expect(formatTime(at("2026-03-06T14:00:00Z"), TORONTO, "en")).toBe("9:00 a.m.")
    expect(formatTime(at("2026-03-09T13:00:00Z"), TORONTO, "en")).toBe("9:00 a.m.")
    expect(formatTime(at("2026-03-09T13:00:00Z"), TORONTO, "fr")).toBe("09 h 00")
  })

  it("puts a slot late in the evening on the clinic's day, not UTC's", () => {
    const late = at("2026-03-08T03:30:00Z") // 22:30 on Saturday the 7th in Toronto
    expect(dayOf(late, TORONTO)).toBe("2026-03-07")
    const days = groupByDay(
      [{ start: at("2026-03-09T13:00:00Z") }, { start: late }, { start: at("2026-03-07T15:00:00Z") }],
      TORONTO
    )
    expect(days.map((d) => [d.day, d.items.length])).toEqual([
      ["2026-03-07", 2],
      ["2026-03-09", 1]
    ])
  })

  it("addDays crosses months and years", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01")
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28")
  })

  it("every instant lies within its own clinic day (property, several zones)", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("2000-01-01T00:00:00Z"),
          max: new Date("2040-01-01T00:00:00Z"),
          noInvalidDate: true
        }),
        fc.constantFrom(
          TORONTO,
          "America/Vancouver",
          "America/St_Johns",
          "Europe/Paris",
          "Australia/Lord_Howe"
        ),
        (date, zone) => {
          const day = dayOf(date, zone)
          const { from, to } = rangeOfDays(day, 1, zone)
          const t = date.getTime()
          return DateTime.toEpochMillis(from) <= t && t < DateTime.toEpochMillis(to)
        }
      )
    )
  })
})

describe("day headings", () => {
  it("start with a capital and keep the language's months", () => {
    expect(formatDay("2026-03-08", "en")).toBe("Sunday, March 8")
    expect(formatDay("2026-03-08", "fr")).toBe("Dimanche 8 mars")
  })
})
