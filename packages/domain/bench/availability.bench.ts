/**
 * Benchmarks of the slot computation (`scheduleSlots`), the CPU behind the availability and
 * booking routes. Prints figures; asserts nothing. Run with `pnpm bench`.
 *
 * The provider works every day 00:00–23:30 in America/Toronto, as in the HTTP benchmark.
 */
import { DateTime, type Duration } from "effect"
import { WeeklyHours } from "../src/Appointment.ts"
import { type ScheduleQuery, scheduleSlots } from "../src/Availability.ts"

const everyDay = [1, 2, 3, 4, 5, 6, 7].map(
  (weekday) => new WeeklyHours({ weekday, start: "00:00", end: "23:30" })
)
const toronto = DateTime.zoneMakeNamedUnsafe("America/Toronto")

const query = (from: string, to: Duration.Input | number, durationMinutes: number): ScheduleQuery => {
  const start = DateTime.makeUnsafe(from)
  return {
    timeZone: toronto,
    weeklyHours: everyDay,
    durationMinutes,
    from: start,
    to:
      typeof to === "number"
        ? DateTime.makeUnsafe(start.epochMilliseconds + to)
        : DateTime.addDuration(start, to)
  }
}

const measure = (name: string, iterations: number, q: ScheduleQuery) => {
  // Warm up, so the figures are of optimised code.
  let slots = 0
  for (let i = 0; i < Math.max(10, iterations / 10); i++) slots = scheduleSlots(q).length
  const start = performance.now()
  for (let i = 0; i < iterations; i++) slots = scheduleSlots(q).length
  const ms = performance.now() - start
  console.log(
    `${name.padEnd(62)} ${String(slots).padStart(5)} slots ${String(iterations).padStart(7)} ops  ${(
      ms / iterations
    )
      .toFixed(4)
      .padStart(9)} ms/op  ${Math.round((iterations * 1000) / ms)
      .toString()
      .padStart(8)} ops/s`
  )
}

measure("scheduleSlots: 7 days of 30-minute slots", 500, query("2026-01-05T10:07:00Z", "7 days", 30))
measure("scheduleSlots: 14 days of 5-minute slots", 50, query("2026-01-05T10:07:00Z", "14 days", 5))
measure("scheduleSlots: 1 ms, 30 minutes (the booking check)", 5_000, query("2026-01-07T15:00:00Z", 1, 30))
measure("scheduleSlots: 1 ms, 5 minutes (the booking check)", 5_000, query("2026-01-07T15:05:00Z", 1, 5))
measure(
  "scheduleSlots: 7 days of 30-minute slots over a DST change",
  500,
  query("2026-03-05T10:07:00Z", "7 days", 30)
)
measure("scheduleSlots: 1 ms on the day of a DST change", 5_000, query("2026-03-08T15:00:00Z", 1, 30))
