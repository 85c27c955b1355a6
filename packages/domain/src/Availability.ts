/**
 * Open slots, computed without any I/O: a provider's weekly hours (wall-clock times in the
 * clinic's IANA zone) cut into slots, minus what is busy, minus the past.
 *
 * How wall-clock hours become instants, also across daylight-saving changes:
 * - Each weekly-hours window `start–end` of a local date is cut into wall-clock starts
 *   `start`, `start + d`, `start + 2d`, … (d = the type's duration) while `start + k·d + d ≤ end`.
 * - A start becomes the first instant at which the clinic's wall clock shows that date and
 *   time. A time the clock never shows (skipped by a spring-forward change) gives no slot; a
 *   time it shows twice (fall-back) gives one slot, at its first showing (the earlier instant).
 * - A slot lasts d minutes of real time, and is offered only when the wall clock shows a time
 *   before the window's end throughout it. On a spring-forward day a window spanning the
 *   change is an hour shorter in real time, so a slot that would run past its end is dropped.
 *
 * E.g. in America/Toronto, 09:00–12:00 is 14:00–17:00Z in winter and 13:00–16:00Z in summer;
 * on 2026-03-08 a 01:00–04:00 window of 30-minute slots gives 06:00, 06:30, 07:00 and 07:30Z
 * (02:00 and 02:30 do not exist); on 2026-11-01 a 00:00–03:00 window of 60-minute slots gives
 * 04:00, 05:00 (01:00 EDT, the first 01:00) and 07:00Z (02:00 EST).
 */
import { DateTime, Option, Schema } from "effect"
import type { WeeklyHours } from "./Appointment.ts"

/** One bookable stretch of a provider's time, `[start, end)`. */
export class Slot extends Schema.Class<Slot>("Slot")({
  start: Schema.DateTimeUtc,
  end: Schema.DateTimeUtc
}) {}

/** A stretch of a provider's time that is not free: an active appointment or a blocked period. */
export interface Busy {
  readonly start: DateTime.Utc
  readonly end: DateTime.Utc
}

/** What the schedule's slots depend on. Slots starting in `[from, to)` are returned. */
export interface ScheduleQuery {
  readonly timeZone: DateTime.TimeZone
  readonly weeklyHours: ReadonlyArray<WeeklyHours>
  readonly durationMinutes: number
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
}

/** What open slots depend on: the schedule, what is busy, and the present. */
export interface OpenSlotsQuery extends ScheduleQuery {
  readonly now: DateTime.Utc
  readonly busy: ReadonlyArray<Busy>
}

const MINUTE = 60_000
const DAY = 86_400_000

/** `HH:MM` as minutes after midnight. */
export const minuteOfDay = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

interface LocalDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** The wall clock a zoned time shows, as milliseconds of a UTC calendar, so wall times compare. */
const wallMillis = (zoned: DateTime.Zoned): number =>
  DateTime.toEpochMillis(zoned) + DateTime.zonedOffset(zoned)

/** A local date and minute of the day on the same scale as `wallMillis`. */
const wallOf = (date: LocalDate, minute: number): number =>
  DateTime.toEpochMillis(DateTime.makeUnsafe({ year: date.year, month: date.month, day: date.day })) +
  minute * MINUTE

/**
 * The first instant at which the zone's wall clock shows `date` at `minute` after midnight;
 * `None` when it never does (a spring-forward gap).
 */
export const firstShowing = (
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
    // Inside a gap the zone answers with a shifted time: it is not what the clock shows.
    (zoned) =>
      wallMillis(zoned) === wallOf(date, minute) ? Option.some(DateTime.toUtc(zoned)) : Option.none()
  )

/** The local calendar dates to walk for `[from, to)`, with a day's margin on each side, consecutive. */
const localDates = (timeZone: DateTime.TimeZone, from: DateTime.Utc, to: DateTime.Utc) => {
  const dateOf = (instant: DateTime.Utc) => {
    const p = DateTime.toParts(DateTime.makeZonedUnsafe(instant, { timeZone }))
    return DateTime.toEpochMillis(DateTime.makeUnsafe({ year: p.year, month: p.month, day: p.day }))
  }
  const dates: Array<LocalDate & { readonly isoWeekday: number; readonly midnight: number }> = []
  // A fall-back change at midnight can make an instant's local date go back a day.
  for (let day = dateOf(from) - DAY; day <= dateOf(to) + DAY; day += DAY) {
    const p = DateTime.toPartsUtc(DateTime.makeUnsafe(day))
    dates.push({
      year: p.year,
      month: p.month,
      day: p.day,
      isoWeekday: p.weekDay === 0 ? 7 : p.weekDay,
      midnight: day
    })
  }
  return dates
}

/** The zone's offset (wall clock minus UTC) at an instant, in milliseconds. */
const offsetAt = (timeZone: DateTime.TimeZone, instant: number): number =>
  DateTime.zonedOffset(DateTime.makeZonedUnsafe(instant, { timeZone }))

/** The zone's offsets around a local date (see `scheduleSlots`). */
interface Near {
  /** One offset, in whole minutes, throughout: each wall time `W` of the date is shown once, at `W − low`. */
  readonly steady: boolean
  /** The least and greatest offset: a wall time `W` of the date is first shown in `[W − high, W − low]`. */
  readonly low: number
  readonly high: number
}

const nearOffsets = (offsets: ReadonlyArray<number>): Near => {
  const low = Math.min(...offsets)
  const high = Math.max(...offsets)
  // Effect's conversion reads an offset as ±HH:MM and takes another route for one in seconds
  // (local mean time, before about 1972): leave such days wholly to the exact path.
  return offsets.every((o) => o % MINUTE === 0)
    ? { steady: low === high, low, high }
    : { steady: false, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY }
}

const byStart = (a: Slot, b: Slot) => a.start.epochMilliseconds - b.start.epochMilliseconds

/**
 * Every slot of the weekly hours that starts in `[from, to)`, ignoring bookings, blocks and the clock; by start.
 *
 * Converting between wall time and UTC is most of the cost, so it is done per local date, not
 * per candidate slot. For a wall time `W` of date D, `firstShowing` and the close check read the
 * zone's offset only at instants in `[midnight(D−1), midnight(D+2))` on `wallOf`'s scale (`W`
 * ± a day, the start, the slot's last millisecond). The offset is read at those four midnights;
 * no zone changes its offset twice within a day (in tzdb 1850–2100 the closest two changes of
 * any zone are four days apart), so in between it is one of the four.
 * - All four equal `o`: nothing changes near D, `W` is shown once, at `W − o`, and a slot that
 *   fits the window on the wall clock fits it in real time. Every grid start is a slot at
 *   `W − o`, without a conversion.
 * - Otherwise (a change near D) each candidate takes the exact path, but only when its start,
 *   `W − o` for `o` between the four, can fall in `[from, to)`: the booking check (a 1 ms range)
 *   converts a handful of candidates, not three days' worth.
 */
export const scheduleSlots = (query: ScheduleQuery): ReadonlyArray<Slot> => {
  const { timeZone, durationMinutes } = query
  const from = query.from.epochMilliseconds
  const to = query.to.epochMilliseconds
  const length = durationMinutes * MINUTE
  const slots = new Map<number, Slot>()
  const dates = localDates(timeZone, query.from, query.to)
  const first = dates[0]?.midnight ?? 0
  // offsets[i + 1] is the offset at the instant `first + i·DAY`, read when first needed.
  const offsets: Array<number | undefined> = []
  const offsetNear = (i: number): number => {
    const known = offsets[i + 1]
    if (known !== undefined) return known
    const offset = offsetAt(timeZone, first + i * DAY)
    offsets[i + 1] = offset
    return offset
  }
  for (let i = 0; i < dates.length; i++) {
    const date = dates[i] as (typeof dates)[number]
    let near: Near | undefined
    for (const hours of query.weeklyHours) {
      if (hours.weekday !== date.isoWeekday) continue
      near ??= nearOffsets([offsetNear(i - 1), offsetNear(i), offsetNear(i + 1), offsetNear(i + 2)])
      const { steady, low, high } = near
      const open = minuteOfDay(hours.start)
      const close = minuteOfDay(hours.end)
      const openWall = date.midnight + open * MINUTE
      // Grid starts open + k·d for k in [0, count) fit the window on the wall clock; of those,
      // only starts whose instant (W − o, o in [low, high]) can fall in [from, to) are walked.
      const count = Math.floor((close - open) / durationMinutes)
      const kFrom = Math.max(0, Math.ceil((from + low - openWall) / length))
      const kTo = Math.min(count, Math.ceil((to + high - openWall) / length))
      if (steady) {
        for (let k = kFrom; k < kTo; k++) {
          const startMs = openWall + k * length - low
          if (!slots.has(startMs)) {
            slots.set(
              startMs,
              new Slot({ start: DateTime.makeUnsafe(startMs), end: DateTime.makeUnsafe(startMs + length) })
            )
          }
        }
        continue
      }
      const closeWall = date.midnight + close * MINUTE
      for (let k = kFrom; k < kTo; k++) {
        const minute = open + k * durationMinutes
        const start = firstShowing(timeZone, date, minute)
        if (Option.isNone(start)) continue
        const startMs = start.value.epochMilliseconds
        if (startMs < from || startMs >= to || slots.has(startMs)) continue
        // The clock shows a time before the close through the slot's last millisecond.
        const last = DateTime.makeZonedUnsafe(startMs + length - 1, { timeZone })
        if (wallMillis(last) >= closeWall) continue
        slots.set(startMs, new Slot({ start: start.value, end: DateTime.makeUnsafe(startMs + length) }))
      }
    }
  }
  return [...slots.values()].sort(byStart)
}

/** Whether two half-open stretches of time share at least a millisecond. */
export const overlaps = (a: Busy, b: Busy): boolean =>
  a.start.epochMilliseconds < b.end.epochMilliseconds && b.start.epochMilliseconds < a.end.epochMilliseconds

/** Open slots: the schedule's slots in `[from, to)` that overlap nothing busy and do not start before `now`. */
export const openSlots = (query: OpenSlotsQuery): ReadonlyArray<Slot> =>
  scheduleSlots(query).filter(
    (slot) =>
      slot.start.epochMilliseconds >= query.now.epochMilliseconds &&
      !query.busy.some((busy) => overlaps(slot, busy))
  )
