/**
 * A provider's open times for one type of visit, a week at a time, grouped by the clinic's
 * calendar day (in the clinic's time zone, so a daylight-saving Sunday still shows 9:00 as 9:00).
 */

import type { Contract } from "@careportal/client"
import { DateTime } from "effect"
import { useState } from "react"
import { call } from "../api.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { useLoad, usePortal } from "../state.tsx"
import {
  addDays,
  dayOf,
  formatDateTime,
  formatDay,
  formatDayInText,
  formatTime,
  groupByDay,
  rangeOfDays
} from "../time.ts"
import { Problem } from "./Notice.tsx"

type Slot = Contract.Availability.Slot

const DAYS = 7

export const SlotPicker = ({
  providerId,
  typeId,
  chosen,
  onChoose
}: {
  readonly providerId: string
  readonly typeId: string
  readonly chosen: Slot | undefined
  readonly onChoose: (slot: Slot) => void
}) => {
  const { t, language } = useI18n()
  const { clinic } = usePortal()
  const today = dayOf(new Date(), clinic.timeZone)
  const [from, setFrom] = useState(today)
  const slots = useLoad(() => {
    const range = rangeOfDays(from, DAYS, clinic.timeZone)
    return call((api) =>
      api.availability.slots({
        params: { id: providerId as never },
        query: { type: typeId as never, from: range.from, to: range.to }
      })
    )
  }, `${providerId}/${typeId}/${from}`)
  const days = slots.value === undefined ? [] : groupByDay(slots.value, clinic.timeZone)
  const [day, setDay] = useState<string | undefined>(undefined)
  // The day the patient picked, else the week's first day with open times.
  const shown = days.find((d) => d.day === day) ?? days[0]
  const isChosen = (slot: Slot) =>
    chosen !== undefined && DateTime.toEpochMillis(chosen.start) === DateTime.toEpochMillis(slot.start)
  return (
    <section aria-labelledby="slots-heading" className="slots">
      <h2 id="slots-heading">{t.booking.slots}</h2>
      <p className="small">{t.appointments.timeZoneNote(clinic.timeZone)}</p>
      <div className="week-nav">
        <button type="button" onClick={() => setFrom(addDays(from, -DAYS))} disabled={from <= today}>
          {t.booking.previousWeek}
        </button>
        <p aria-live="polite">
          {t.booking.week(
            formatDayInText(from, language),
            formatDayInText(addDays(from, DAYS - 1), language)
          )}
        </p>
        <button type="button" onClick={() => setFrom(addDays(from, DAYS))}>
          {t.booking.nextWeek}
        </button>
      </div>
      <Problem problem={slots.problem} />
      {slots.value === undefined ? (
        slots.problem === undefined ? (
          <p>{t.loading}</p>
        ) : null
      ) : days.length === 0 ? (
        <p>{t.booking.noSlots}</p>
      ) : (
        <>
          {/* The week's days with open times; one day's times at a time, so a phone shows a short list. */}
          <ul className="day-tabs" aria-label={t.booking.days}>
            {days.map(({ day, items }) => (
              <li key={day}>
                <button
                  type="button"
                  className={day === shown?.day ? "day-tab chosen" : "day-tab"}
                  aria-pressed={day === shown?.day}
                  onClick={() => setDay(day)}
                >
                  <span className="day-name">{formatDay(day, language)}</span>
                  <span className="day-count">{t.booking.openCount(items.length)}</span>
                </button>
              </li>
            ))}
          </ul>
          {shown === undefined ? null : (
            <div key={shown.day} className="day">
              <h3 id={`day-${shown.day}`}>{formatDay(shown.day, language)}</h3>
              <ul className="slot-list" aria-labelledby={`day-${shown.day}`}>
                {shown.items.map((slot) => (
                  <li key={DateTime.formatIso(slot.start)}>
                    <button
                      type="button"
                      className={isChosen(slot) ? "slot chosen" : "slot"}
                      aria-pressed={isChosen(slot)}
                      aria-label={formatDateTime(slot.start, clinic.timeZone, language)}
                      onClick={() => onChoose(slot)}
                    >
                      {formatTime(slot.start, clinic.timeZone, language)}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  )
}
