/**
 * `scheduleSlots` converts between wall time and UTC only on the days around a change of the
 * zone's offset. Its answers must be those of the algorithm it replaced, which converted every
 * candidate slot: that algorithm is kept here, verbatim, as the reference, and the two are
 * compared over zones with unusual changes (30-minute DST, 45-minute offsets, a skipped day, a
 * change at midnight, an offset in seconds), random weekly hours, durations 5–480 and ranges of
 * 1 ms to 14 days around the changes. The booking check (a 1 ms range) must also stay cheap:
 * a fixed handful of zone conversions, however many slots the day has.
 */
import { assert, describe, it, vi } from "@effect/vitest"
import { DateTime, Option, Schema } from "effect"
import { WeeklyHours } from "../src/Appointment.ts"
import { type ScheduleQuery, Slot, scheduleSlots } from "../src/Availability.ts"

// ---------------------------------------------------------------------------------------------
// The reference: `scheduleSlots` as it was before it learned to skip conversions.
// ---------------------------------------------------------------------------------------------

const MINUTE = 60_000
const DAY = 86_400_000

const referenceMinuteOfDay = (time: string): number =>
  Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

interface LocalDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

const wallMillis = (zoned: DateTime.Zoned): number =>
  DateTime.toEpochMillis(zoned) + DateTime.zonedOffset(zoned)

const wallOf = (date: LocalDate, minute: number): number =>
  DateTime.toEpochMillis(DateTime.makeUnsafe({ year: date.year, month: date.month, day: date.day })) +
  minute * MINUTE

const referenceFirstShowing = (
  timeZone: DateTime.TimeZone,
  date: LocalDate,
  minute: number
): Option.Option<DateTime.Utc> =>
  Option.flatMap(
    DateTime.makeZoned(
      {
        year: date.year,
        month: date.month,
        day: date.day,
        hour: Math.floor(minute / 60),
        minute: minute % 60
      },
      { timeZone, adjustForTimeZone: true, disambiguation: "earlier" }
    ),
    (zoned) =>
      wallMillis(zoned) === wallOf(date, minute) ? Option.some(DateTime.toUtc(zoned)) : Option.none()
  )

const referenceLocalDates = (timeZone: DateTime.TimeZone, from: DateTime.Utc, to: DateTime.Utc) => {
  const dateOf = (instant: DateTime.Utc) => {
    const p = DateTime.toParts(DateTime.makeZonedUnsafe(instant, { timeZone }))
    return DateTime.toEpochMillis(DateTime.makeUnsafe({ year: p.year, month: p.month, day: p.day }))
  }
  const dates: Array<LocalDate & { readonly isoWeekday: number }> = []
  for (let day = dateOf(from) - DAY; day <= dateOf(to) + DAY; day += DAY) {
    const p = DateTime.toPartsUtc(DateTime.makeUnsafe(day))
    dates.push({ year: p.year, month: p.month, day: p.day, isoWeekday: p.weekDay === 0 ? 7 : p.weekDay })
  }
  return dates
}

const byStart = (a: Slot, b: Slot) => a.start.epochMilliseconds - b.start.epochMilliseconds

/** The old `scheduleSlots`: a zone conversion for every candidate slot. */
const referenceScheduleSlots = (query: ScheduleQuery): ReadonlyArray<Slot> => {
  const { timeZone, durationMinutes } = query
  const from = query.from.epochMilliseconds
  const to = query.to.epochMilliseconds
  const length = durationMinutes * MINUTE
  const slots = new Map<number, Slot>()
  for (const date of referenceLocalDates(timeZone, query.from, query.to)) {
    for (const hours of query.weeklyHours) {
      if (hours.weekday !== date.isoWeekday) continue
      const open = referenceMinuteOfDay(hours.start)
      const close = referenceMinuteOfDay(hours.end)
      const closeWall = wallOf(date, close)
      for (let minute = open; minute + durationMinutes <= close; minute += durationMinutes) {
        const start = referenceFirstShowing(timeZone, date, minute)
        if (Option.isNone(start)) continue
        const startMs = start.value.epochMilliseconds
        if (startMs < from || startMs >= to || slots.has(startMs)) continue
        const last = DateTime.makeZonedUnsafe(startMs + length - 1, { timeZone })
        if (wallMillis(last) >= closeWall) continue
        slots.set(startMs, new Slot({ start: start.value, end: DateTime.makeUnsafe(startMs + length) }))
      }
    }
  }
  return [...slots.values()].sort(byStart)
}

// ---------------------------------------------------------------------------------------------
// Zones, their changes, and random queries around them.
// ---------------------------------------------------------------------------------------------

/** Each zone with the year whose changes the ranges are drawn around. */
const cases = {
  "America/Toronto": { zone: "America/Toronto", year: 2026 },
  // DST is 30 minutes: 02:00 → 02:30 in October, 02:00 → 01:30 in April.
  "Australia/Lord_Howe": { zone: "Australia/Lord_Howe", year: 2026 },
  "America/St_Johns": { zone: "America/St_Johns", year: 2026 },
  "Asia/Kolkata": { zone: "Asia/Kolkata", year: 2026 },
  // +12:45 / +13:45.
  "Pacific/Chatham": { zone: "Pacific/Chatham", year: 2026 },
  "Europe/London": { zone: "Europe/London", year: 2026 },
  UTC: { zone: "UTC", year: 2026 },
  // Changes at midnight: 00:00 does not exist in September, 23:00–24:00 repeats in April.
  "America/Santiago": { zone: "America/Santiago", year: 2026 },
  // Summer time is suspended for Ramadan.
  "Africa/Casablanca": { zone: "Africa/Casablanca", year: 2026 },
  // Changes at 01:00Z, late on a Saturday by its clock: 23:00–24:00 is skipped in March.
  "America/Nuuk": { zone: "America/Nuuk", year: 2026 },
  // A two-hour change (+00 ↔ +02).
  "Antarctica/Troll": { zone: "Antarctica/Troll", year: 2026 },
  // 2011-12-30 never happened: the clock jumped from the 29th to the 31st.
  "Pacific/Apia 2011": { zone: "Pacific/Apia", year: 2011 },
  // −00:44:30 until 1972-01-07: an offset that is not whole minutes.
  "Africa/Monrovia 1972": { zone: "Africa/Monrovia", year: 1972 },
  // +05:30 → +05:45 on 1986-01-01.
  "Asia/Kathmandu 1986": { zone: "Asia/Kathmandu", year: 1986 },
  // A fixed offset rather than a named zone.
  "fixed +05:45": { zone: "+05:45", year: 2026 }
} as const

type CaseName = keyof typeof cases

const zoneOf = (name: CaseName): DateTime.TimeZone => {
  const zone = cases[name].zone
  return zone === "+05:45" ? DateTime.zoneMakeOffset(5.75 * 3_600_000) : DateTime.zoneMakeNamedUnsafe(zone)
}

const offsetAt = (timeZone: DateTime.TimeZone, instant: number) =>
  DateTime.zonedOffset(DateTime.makeZonedUnsafe(instant, { timeZone }))

const changesCache = new Map<CaseName, ReadonlyArray<number>>()

/** The instants in the case's year at which the zone's offset changes, to the millisecond. */
const changesOf = (name: CaseName): ReadonlyArray<number> => {
  const cached = changesCache.get(name)
  if (cached !== undefined) return cached
  const timeZone = zoneOf(name)
  const step = 6 * 3_600_000
  const start = Date.UTC(cases[name].year, 0, 1)
  const end = Date.UTC(cases[name].year + 1, 0, 1)
  const changes: Array<number> = []
  for (let t = start; t < end; t += step) {
    const before = offsetAt(timeZone, t)
    if (offsetAt(timeZone, t + step) === before) continue
    // The first instant with the new offset.
    let low = t
    let high = t + step
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2)
      if (offsetAt(timeZone, mid) === before) low = mid
      else high = mid
    }
    changes.push(high)
  }
  changesCache.set(name, changes)
  return changes
}

const caseNames = Object.keys(cases) as Array<CaseName>
const changingCaseNames = caseNames.filter((name) => changesOf(name).length > 0)

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`

/** A random window: a weekday and two minutes of the day (any minute, not only five-minute marks). */
const Window = Schema.Struct({
  weekday: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 7 })),
  a: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1439 })),
  b: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1439 }))
})

const weeklyHoursOf = (windows: ReadonlyArray<typeof Window.Type>, everyDay: boolean) =>
  windows.flatMap((w) =>
    (everyDay ? [1, 2, 3, 4, 5, 6, 7] : [w.weekday]).map(
      (weekday) =>
        new WeeklyHours({ weekday, start: hhmm(Math.min(w.a, w.b)), end: hhmm(Math.max(w.a, w.b)) })
    )
  )

/** Short slots (5–30 minutes) often, so that the changed hour holds many candidates. */
const durationOf = (steps: number, short: boolean) => (short ? 5 + (steps % 26) : steps)

/** One of the case's changes, or any day of its year when the zone has none (or on request). */
const anchorOf = (name: CaseName, nearChange: boolean, changeIndex: number, day: number) => {
  const changes = changesOf(name)
  const change = changes[changeIndex % Math.max(1, changes.length)]
  return nearChange && change !== undefined ? change : Date.UTC(cases[name].year, 0, 1) + day * DAY
}

/**
 * The weekly hours, or, when `focus` is set, the windows moved to within two hours of the wall
 * time the clock showed just before `anchor`, on that weekday: where slots fall into a gap,
 * repeat, or lose real time before the close.
 */
const hoursAround = (
  name: CaseName,
  anchor: number,
  focus: boolean,
  windows: ReadonlyArray<typeof Window.Type>,
  everyDay: boolean
) => {
  if (!focus) return weeklyHoursOf(windows, everyDay)
  const wall = DateTime.toParts(DateTime.makeZonedUnsafe(anchor - 1, { timeZone: zoneOf(name) }))
  const minute = wall.hour * 60 + wall.minute
  const near = (x: number) => Math.min(1439, Math.max(0, minute + (x % 241) - 120))
  const weekday = wall.weekDay === 0 ? 7 : wall.weekDay
  return weeklyHoursOf(
    windows.map((w) => ({ weekday, a: near(w.a), b: near(w.b) })),
    everyDay
  )
}

const startsAndEnds = (slots: ReadonlyArray<Slot>) =>
  slots.map((s) => [s.start.epochMilliseconds, s.end.epochMilliseconds] as const)

const query = (
  name: CaseName,
  weeklyHours: ReadonlyArray<WeeklyHours>,
  durationMinutes: number,
  from: number,
  to: number
): ScheduleQuery => ({
  timeZone: zoneOf(name),
  weeklyHours,
  durationMinutes,
  from: DateTime.makeUnsafe(from),
  to: DateTime.makeUnsafe(to)
})

const assertSameAsReference = (q: ScheduleQuery) =>
  assert.deepStrictEqual(startsAndEnds(scheduleSlots(q)), startsAndEnds(referenceScheduleSlots(q)))

const common = {
  name: Schema.Literals(caseNames as [CaseName]),
  nearChange: Schema.Boolean,
  changeIndex: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 11 })),
  day: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 364 })),
  windows: Schema.Array(Window).check(Schema.isMinLength(1), Schema.isMaxLength(4)),
  everyDay: Schema.Boolean,
  focus: Schema.Boolean,
  steps: Schema.Int.check(Schema.isBetween({ minimum: 5, maximum: 480 })),
  short: Schema.Boolean
}

describe("AvailabilityFast: scheduleSlots answers as the per-slot algorithm did", () => {
  it("finds the changes the ranges are drawn around", () => {
    // Toronto 2026: 07:00Z on 03-08 (02:00 EST) and 06:00Z on 11-01 (02:00 EDT).
    assert.deepStrictEqual(changesOf("America/Toronto"), [Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6)])
    assert.deepStrictEqual(changesOf("Pacific/Apia 2011"), [
      Date.UTC(2011, 3, 2, 14),
      Date.UTC(2011, 8, 24, 14),
      Date.UTC(2011, 11, 30, 10)
    ])
    assert.strictEqual(changesOf("Africa/Monrovia 1972").length, 1)
    assert.deepStrictEqual(changesOf("UTC"), [])
  })

  it.prop(
    "random zones, weekly hours, durations 5–480 and ranges of 1 ms to 14 days around changes",
    {
      ...common,
      shiftMinutes: Schema.Int.check(Schema.isBetween({ minimum: -4 * 1440, maximum: 3 * 1440 })),
      jitterMs: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 59_999 })),
      aligned: Schema.Boolean,
      span: Schema.Literals(["1 ms", "hours", "days", "the two days around"]),
      spanMs: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 14 * DAY }))
    },
    ({
      name,
      nearChange,
      changeIndex,
      day,
      windows,
      everyDay,
      focus,
      steps,
      short,
      shiftMinutes,
      jitterMs,
      aligned,
      span,
      spanMs
    }) => {
      const anchor = anchorOf(name, nearChange, changeIndex, day)
      const hours = hoursAround(name, anchor, focus, windows, everyDay)
      const jitter = aligned ? 0 : jitterMs
      if (span === "the two days around") {
        assertSameAsReference(
          query(name, hours, durationOf(steps, short), anchor - DAY - jitter, anchor + DAY)
        )
        return
      }
      const from = anchor + shiftMinutes * MINUTE + jitter
      const length = span === "1 ms" ? 1 : span === "hours" ? 1 + (spanMs % (12 * 3_600_000)) : spanMs
      assertSameAsReference(query(name, hours, durationOf(steps, short), from, from + length))
    },
    { timeout: 120_000, arbitrary: { runs: 500 } }
  )

  it.prop(
    "the two days around a change, with hours near the changed wall time",
    {
      name: Schema.Literals(changingCaseNames as [CaseName]),
      changeIndex: common.changeIndex,
      windows: common.windows,
      everyDay: common.everyDay,
      steps: common.steps,
      short: common.short,
      jitterMs: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: DAY }))
    },
    ({ name, changeIndex, windows, everyDay, steps, short, jitterMs }) => {
      const anchor = anchorOf(name, true, changeIndex, 0)
      const hours = hoursAround(name, anchor, true, windows, everyDay)
      assertSameAsReference(
        query(name, hours, durationOf(steps, short), anchor - DAY - jitterMs, anchor + DAY)
      )
    },
    { timeout: 120_000, arbitrary: { runs: 300 } }
  )

  it.prop(
    "the booking check: a 1 ms range at, just before and just after each slot near a change",
    { ...common, pick: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000 })) },
    ({ name, nearChange, changeIndex, day, windows, everyDay, focus, steps, short, pick }) => {
      const anchor = anchorOf(name, nearChange, changeIndex, day)
      const hours = hoursAround(name, anchor, focus, windows, everyDay)
      const durationMinutes = durationOf(steps, short)
      const around = referenceScheduleSlots(query(name, hours, durationMinutes, anchor - DAY, anchor + DAY))
      // A few slots, spread over the two days, the first chosen at random.
      const chosen = around.filter((_, i) => (i + pick) % Math.max(1, Math.floor(around.length / 4)) === 0)
      for (const slot of chosen) {
        const start = slot.start.epochMilliseconds
        const q = query(name, hours, durationMinutes, start, start + 1)
        assert.deepStrictEqual(startsAndEnds(scheduleSlots(q)), startsAndEnds([slot]))
        assertSameAsReference(query(name, hours, durationMinutes, start - 1, start))
        assertSameAsReference(query(name, hours, durationMinutes, start + 1, start + 2))
      }
    },
    { timeout: 120_000, arbitrary: { runs: 150 } }
  )

  it("the DST examples of the module's documentation (Toronto, 2026)", () => {
    const toronto: CaseName = "America/Toronto"
    const sunday = (start: string, end: string) => [new WeeklyHours({ weekday: 7, start, end })]
    const iso = (q: ScheduleQuery) => scheduleSlots(q).map((s) => DateTime.formatIso(s.start))
    assert.deepStrictEqual(
      iso(query(toronto, sunday("01:00", "04:00"), 30, Date.UTC(2026, 2, 8), Date.UTC(2026, 2, 9))),
      [
        "2026-03-08T06:00:00.000Z",
        "2026-03-08T06:30:00.000Z",
        "2026-03-08T07:00:00.000Z",
        "2026-03-08T07:30:00.000Z"
      ]
    )
    assert.deepStrictEqual(
      iso(query(toronto, sunday("00:00", "03:00"), 60, Date.UTC(2026, 10, 1), Date.UTC(2026, 10, 2))),
      ["2026-11-01T04:00:00.000Z", "2026-11-01T05:00:00.000Z", "2026-11-01T07:00:00.000Z"]
    )
  })

  it("a change late on a Saturday by the local clock (Nuuk, at 01:00Z on Sunday)", () => {
    const nuuk: CaseName = "America/Nuuk"
    const saturday = [new WeeklyHours({ weekday: 6, start: "22:00", end: "23:59" })]
    const iso = (q: ScheduleQuery) => scheduleSlots(q).map((s) => DateTime.formatIso(s.start))
    // March: 23:00–24:00 is skipped (−02 → −01), so only 22:00 and 22:30 are offered.
    const spring = query(nuuk, saturday, 30, Date.UTC(2026, 2, 28), Date.UTC(2026, 2, 30))
    assert.deepStrictEqual(iso(spring), ["2026-03-29T00:00:00.000Z", "2026-03-29T00:30:00.000Z"])
    assertSameAsReference(spring)
    // October: 23:00–24:00 is shown twice (−01, then −02); its first showing is offered.
    const fall = query(nuuk, saturday, 30, Date.UTC(2026, 9, 24), Date.UTC(2026, 9, 26))
    assert.deepStrictEqual(iso(fall), [
      "2026-10-24T23:00:00.000Z",
      "2026-10-24T23:30:00.000Z",
      "2026-10-25T00:00:00.000Z"
    ])
    assertSameAsReference(fall)
  })
})

describe("AvailabilityFast: the booking check converts a fixed handful of times", () => {
  // Every conversion between UTC and a named zone's wall clock formats the instant once or more.
  const conversions = (q: ScheduleQuery, compute: typeof scheduleSlots = scheduleSlots) => {
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, "formatToParts")
    const slots = compute(q)
    const count = spy.mock.calls.length
    spy.mockRestore()
    return { slots: slots.length, count }
  }
  const everyDay = weeklyHoursOf([{ weekday: 1, a: 0, b: 1439 }], true)
  const toronto: CaseName = "America/Toronto"

  it("a 1 ms range on an ordinary day: the same few conversions for 5- and 480-minute slots", () => {
    const at = Date.UTC(2026, 0, 7, 15)
    const five = conversions(query(toronto, everyDay, 5, at, at + 1))
    const long = conversions(query(toronto, everyDay, 480, at, at + 1))
    assert.strictEqual(five.slots, 1)
    // A few for the range's dates, a few for the offsets around the three dates walked.
    assert.isAtMost(five.count, 16)
    assert.strictEqual(long.count, five.count)
    // Before, every candidate slot of the three dates was converted.
    const before = conversions(query(toronto, everyDay, 5, at, at + 1), referenceScheduleSlots)
    assert.strictEqual(before.slots, 1)
    assert.isAbove(before.count, 100 * five.count)
  })

  it("a 1 ms range on the day of a change converts only the slots within the change's hour of it", () => {
    const at = Date.UTC(2026, 2, 8, 15)
    const five = conversions(query(toronto, everyDay, 5, at, at + 1))
    assert.strictEqual(five.slots, 1)
    // At most the 5-minute starts within an hour (the change) of the range, a few conversions each.
    assert.isAtMost(five.count, 16 + 14 * 5)
  })

  it("14 days of 5-minute slots away from a change: conversions per day, not per slot", () => {
    const from = Date.UTC(2026, 0, 5)
    const result = conversions(query(toronto, everyDay, 5, from, from + 14 * DAY))
    assert.strictEqual(result.slots, 14 * 287)
    // A few per date walked (17 of them), none per slot.
    assert.isAtMost(result.count, 4 * 17)
  })
})
