/**
 * The slot computation alone (property 2, its pure half): weekly hours in an IANA zone become
 * the right UTC instants in winter, in summer, in the weeks of a daylight-saving change and
 * inside the changed hour itself; and open slots are the schedule minus busy and past, exactly.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Schema } from "effect"
import { WeeklyHours } from "../src/Appointment.ts"
import { type Busy, openSlots, scheduleSlots } from "../src/Availability.ts"
import { at, modelSlotStarts, toWeeklyHours, Window } from "./SchedulingSupport.ts"

const toronto = DateTime.zoneMakeNamedUnsafe("America/Toronto")

const slotsOf = (
  hours: ReadonlyArray<WeeklyHours>,
  durationMinutes: number,
  from: string,
  to: string,
  timeZone: DateTime.TimeZone = toronto
) =>
  scheduleSlots({ timeZone, weeklyHours: hours, durationMinutes, from: at(from), to: at(to) }).map((s) => [
    DateTime.formatIso(s.start),
    DateTime.formatIso(s.end)
  ])

const startsOf = (hours: ReadonlyArray<WeeklyHours>, durationMinutes: number, from: string, to: string) =>
  slotsOf(hours, durationMinutes, from, to).map(([start]) => start)

const hoursOn = (weekday: number, start: string, end: string) => [new WeeklyHours({ weekday, start, end })]
const daily = (start: string, end: string) =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => new WeeklyHours({ weekday, start, end }))

const z = (s: string) => `${s}.000Z`

describe("Availability: wall-clock hours become UTC instants", () => {
  it("09:00–12:00 Toronto is 14:00–17:00Z in winter and 13:00–16:00Z in summer", () => {
    const monday = hoursOn(1, "09:00", "12:00")
    assert.deepStrictEqual(slotsOf(monday, 60, "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"), [
      [z("2026-01-05T14:00:00"), z("2026-01-05T15:00:00")],
      [z("2026-01-05T15:00:00"), z("2026-01-05T16:00:00")],
      [z("2026-01-05T16:00:00"), z("2026-01-05T17:00:00")]
    ])
    assert.deepStrictEqual(slotsOf(monday, 60, "2026-07-06T00:00:00Z", "2026-07-07T00:00:00Z"), [
      [z("2026-07-06T13:00:00"), z("2026-07-06T14:00:00")],
      [z("2026-07-06T14:00:00"), z("2026-07-06T15:00:00")],
      [z("2026-07-06T15:00:00"), z("2026-07-06T16:00:00")]
    ])
  })

  it("slots are cut from the start of each window; a remainder shorter than a slot is not offered", () => {
    assert.deepStrictEqual(
      startsOf(hoursOn(1, "09:10", "10:30"), 25, "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"),
      [z("2026-01-05T14:10:00"), z("2026-01-05T14:35:00"), z("2026-01-05T15:00:00")]
    )
  })

  it("the week of the spring change (2026-03-08) moves the same local hours an hour earlier in UTC", () => {
    assert.deepStrictEqual(
      startsOf(daily("09:00", "10:00"), 30, "2026-03-05T00:00:00Z", "2026-03-12T00:00:00Z"),
      [
        z("2026-03-05T14:00:00"),
        z("2026-03-05T14:30:00"),
        z("2026-03-06T14:00:00"),
        z("2026-03-06T14:30:00"),
        z("2026-03-07T14:00:00"),
        z("2026-03-07T14:30:00"),
        z("2026-03-08T13:00:00"),
        z("2026-03-08T13:30:00"),
        z("2026-03-09T13:00:00"),
        z("2026-03-09T13:30:00"),
        z("2026-03-10T13:00:00"),
        z("2026-03-10T13:30:00"),
        z("2026-03-11T13:00:00"),
        z("2026-03-11T13:30:00")
      ]
    )
  })

  it("the week of the fall change (2026-11-01) moves the same local hours an hour later in UTC", () => {
    assert.deepStrictEqual(
      startsOf(daily("09:00", "10:00"), 60, "2026-10-29T00:00:00Z", "2026-11-05T00:00:00Z"),
      [
        z("2026-10-29T13:00:00"),
        z("2026-10-30T13:00:00"),
        z("2026-10-31T13:00:00"),
        z("2026-11-01T14:00:00"),
        z("2026-11-02T14:00:00"),
        z("2026-11-03T14:00:00"),
        z("2026-11-04T14:00:00")
      ]
    )
  })

  it("spring forward: 02:00 and 02:30 do not exist on 2026-03-08, so they are skipped", () => {
    assert.deepStrictEqual(
      slotsOf(hoursOn(7, "01:00", "04:00"), 30, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"),
      [
        [z("2026-03-08T06:00:00"), z("2026-03-08T06:30:00")],
        [z("2026-03-08T06:30:00"), z("2026-03-08T07:00:00")],
        [z("2026-03-08T07:00:00"), z("2026-03-08T07:30:00")],
        [z("2026-03-08T07:30:00"), z("2026-03-08T08:00:00")]
      ]
    )
  })

  it("spring forward: a window that lost its hour keeps only the slots that fit in real time", () => {
    // 01:00–03:00 that day is one real hour (06:00–07:00Z).
    assert.deepStrictEqual(
      startsOf(hoursOn(7, "01:00", "03:00"), 60, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"),
      [z("2026-03-08T06:00:00")]
    )
    // 01:30–03:00 is half an hour of real time: no 60-minute slot fits.
    assert.deepStrictEqual(
      startsOf(hoursOn(7, "01:30", "03:00"), 60, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"),
      []
    )
  })

  it("fall back: the repeated 01:00 hour of 2026-11-01 is offered once, at its first showing (EDT)", () => {
    assert.deepStrictEqual(
      slotsOf(hoursOn(7, "00:00", "03:00"), 60, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
      [
        [z("2026-11-01T04:00:00"), z("2026-11-01T05:00:00")],
        [z("2026-11-01T05:00:00"), z("2026-11-01T06:00:00")],
        [z("2026-11-01T07:00:00"), z("2026-11-01T08:00:00")]
      ]
    )
    assert.deepStrictEqual(
      startsOf(hoursOn(7, "00:00", "03:00"), 30, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
      [
        z("2026-11-01T04:00:00"),
        z("2026-11-01T04:30:00"),
        z("2026-11-01T05:00:00"),
        z("2026-11-01T05:30:00"),
        z("2026-11-01T07:00:00"),
        z("2026-11-01T07:30:00")
      ]
    )
  })

  it("only slots starting in [from, to) are returned", () => {
    assert.deepStrictEqual(
      startsOf(hoursOn(1, "09:00", "12:00"), 60, "2026-01-05T15:00:00Z", "2026-01-05T16:00:00Z"),
      [z("2026-01-05T15:00:00")]
    )
  })

  it("open slots leave out what overlaps a busy stretch (by a millisecond too) and what starts before now", () => {
    const busy: ReadonlyArray<Busy> = [
      { start: at("2026-01-05T15:59:59.999Z"), end: at("2026-01-05T16:00:00.001Z") },
      { start: at("2026-01-05T17:00:00Z"), end: at("2026-01-05T18:00:00Z") }
    ]
    const query = {
      timeZone: toronto,
      weeklyHours: hoursOn(1, "09:00", "13:00"),
      durationMinutes: 60,
      from: at("2026-01-05T00:00:00Z"),
      to: at("2026-01-06T00:00:00Z"),
      busy
    }
    // 14:00 is past, 15:00 and 16:00 touch the first busy stretch, 17:00 is the second.
    assert.deepStrictEqual(
      openSlots({ ...query, now: at("2026-01-05T14:00:00.001Z") }).map((s) => DateTime.formatIso(s.start)),
      []
    )
    // Starting exactly now is still open.
    assert.deepStrictEqual(
      openSlots({ ...query, now: at("2026-01-05T14:00:00Z"), busy: [] }).map((s) =>
        DateTime.formatIso(s.start)
      ),
      [z("2026-01-05T14:00:00"), z("2026-01-05T15:00:00"), z("2026-01-05T16:00:00"), z("2026-01-05T17:00:00")]
    )
  })
})

/** Zones with their 2026 daylight-saving dates (southern zones change in April and October). */
const zones: Record<string, ReadonlyArray<string>> = {
  "America/Toronto": ["2026-03-08", "2026-11-01"],
  "America/St_Johns": ["2026-03-08", "2026-11-01"],
  "Europe/London": ["2026-03-29", "2026-10-25"],
  "Australia/Sydney": ["2026-04-05", "2026-10-04"],
  "Australia/Lord_Howe": ["2026-04-05", "2026-10-04"],
  "Asia/Kolkata": [],
  UTC: []
}

/** The start of the random range: near one of the zone's changes, or any day of 2026. */
const rangeStart = (zone: string, pick: "spring" | "fall" | "any", day: number, minute: number) => {
  const change = zones[zone]?.[pick === "spring" ? 0 : 1]
  const base =
    pick !== "any" && change !== undefined
      ? DateTime.toEpochMillis(at(`${change}T00:00:00Z`)) - 3 * 86_400_000
      : DateTime.toEpochMillis(at("2026-01-01T00:00:00Z")) + day * 86_400_000
  return base + minute * 60_000
}

describe("Availability: the schedule's slots equal an independent model (property 2)", () => {
  it.effect.prop(
    "random weekly hours in random zones, also in the weeks of a clock change",
    {
      zone: Schema.Literals(Object.keys(zones) as ["America/Toronto"]),
      windows: Schema.Array(Window).check(Schema.isMaxLength(4)),
      durationSteps: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 36 })),
      pick: Schema.Literals(["spring", "fall", "any"]),
      day: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 355 })),
      startMinute: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1439 })),
      days: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 8 }))
    },
    ({ zone, windows, durationSteps, pick, day, startMinute, days }) =>
      Effect.sync(() => {
        const hours = toWeeklyHours(windows)
        const durationMinutes = durationSteps * 5
        const from = DateTime.makeUnsafe(rangeStart(zone, pick, day, startMinute))
        const to = DateTime.add(from, { days })
        const slots = scheduleSlots({
          timeZone: DateTime.zoneMakeNamedUnsafe(zone),
          weeklyHours: hours,
          durationMinutes,
          from,
          to
        })
        assert.deepStrictEqual(
          slots.map((s) => s.start.epochMilliseconds),
          modelSlotStarts(zone, hours, durationMinutes, from, to)
        )
        for (const s of slots) {
          assert.strictEqual(s.end.epochMilliseconds - s.start.epochMilliseconds, durationMinutes * 60_000)
        }
      }),
    { timeout: 60_000, arbitrary: { runs: 150 } }
  )

  it.effect.prop(
    "random windows on the Sunday of a change, around the changed hour, in zones that change at night",
    {
      zone: Schema.Literals([
        "America/Toronto",
        "America/St_Johns",
        "Europe/London",
        "Australia/Sydney",
        "Australia/Lord_Howe"
      ]),
      pick: Schema.Literals(["spring", "fall"]),
      windows: Schema.Array(
        Schema.Struct({
          a: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 60 })),
          b: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 60 }))
        })
      ).check(Schema.isMinLength(1), Schema.isMaxLength(3)),
      durationSteps: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 30 }))
    },
    ({ zone, pick, windows, durationSteps }) =>
      Effect.sync(() => {
        // Every zone here changes on a Sunday between 01:00 and 03:00 local time.
        const hours = toWeeklyHours(windows.map((w) => ({ weekday: 7, a: w.a, b: w.b })))
        const durationMinutes = durationSteps * 5
        const from = DateTime.makeUnsafe(rangeStart(zone, pick, 0, 0))
        const to = DateTime.add(from, { days: 6 })
        const slots = scheduleSlots({
          timeZone: DateTime.zoneMakeNamedUnsafe(zone),
          weeklyHours: hours,
          durationMinutes,
          from,
          to
        })
        assert.deepStrictEqual(
          slots.map((s) => s.start.epochMilliseconds),
          modelSlotStarts(zone, hours, durationMinutes, from, to)
        )
      }),
    { timeout: 60_000, arbitrary: { runs: 150 } }
  )

  it.effect.prop(
    "open slots are exactly the schedule's slots that overlap nothing busy and do not start before now",
    {
      windows: Schema.Array(Window).check(Schema.isMaxLength(3)),
      durationSteps: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 24 })),
      nowMinutes: Schema.Int.check(Schema.isBetween({ minimum: -1440, maximum: 8 * 1440 })),
      busy: Schema.Array(
        Schema.Struct({
          startMinutes: Schema.Int.check(Schema.isBetween({ minimum: -600, maximum: 7 * 1440 })),
          lengthMinutes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 600 }))
        })
      ).check(Schema.isMaxLength(8))
    },
    ({ windows, durationSteps, nowMinutes, busy }) =>
      Effect.sync(() => {
        const hours = toWeeklyHours(windows)
        const durationMinutes = durationSteps * 5
        const from = at("2026-03-05T00:00:00Z")
        const to = DateTime.add(from, { days: 7 })
        const busyTimes = busy.map((b) => {
          const start = DateTime.add(from, { minutes: b.startMinutes })
          return { start, end: DateTime.add(start, { minutes: b.lengthMinutes }) }
        })
        const now = DateTime.add(from, { minutes: nowMinutes })
        const open = openSlots({
          timeZone: toronto,
          weeklyHours: hours,
          durationMinutes,
          from,
          to,
          now,
          busy: busyTimes
        })
        const expected = modelSlotStarts("America/Toronto", hours, durationMinutes, from, to).filter((t) => {
          const end = t + durationMinutes * 60_000
          return (
            t >= now.epochMilliseconds &&
            !busyTimes.some((b) => b.start.epochMilliseconds < end && t < b.end.epochMilliseconds)
          )
        })
        assert.deepStrictEqual(
          open.map((s) => s.start.epochMilliseconds),
          expected
        )
      }),
    { timeout: 60_000, arbitrary: { runs: 100 } }
  )
})
