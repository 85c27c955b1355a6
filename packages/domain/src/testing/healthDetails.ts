/**
 * The ways a patient's identifying details could be written, for tests that prove a message,
 * a log or a stored record carries none of them (notifications, raw emails, …).
 */

const MONTHS_EN = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]
const MONTHS_FR = [
  "janvier",
  "février",
  "mars",
  "avril",
  "mai",
  "juin",
  "juillet",
  "août",
  "septembre",
  "octobre",
  "novembre",
  "décembre"
]

/** The ways a date of birth could be written. Appointment times are years later, so none can match by chance. */
export const dateOfBirthForms = (year: number, month: number, day: number): ReadonlyArray<string> => {
  const yyyy = String(year)
  const mm = String(month).padStart(2, "0")
  const dd = String(day).padStart(2, "0")
  const en = MONTHS_EN[month - 1] ?? ""
  const fr = MONTHS_FR[month - 1] ?? ""
  return [
    `${yyyy}-${mm}-${dd}`,
    `${yyyy}/${mm}/${dd}`,
    `${dd}/${mm}/${yyyy}`,
    `${mm}/${dd}/${yyyy}`,
    `${dd}.${mm}.${yyyy}`,
    `${yyyy}${mm}${dd}`,
    `${en} ${day}, ${yyyy}`,
    `${day} ${en} ${yyyy}`,
    `${day} ${fr} ${yyyy}`,
    `${en} ${dd}, ${yyyy}`
  ]
}

/** The ways a health-card number could be written. */
export const cardForms = (number: string): ReadonlyArray<string> => [
  number,
  `${number.slice(0, 4)} ${number.slice(4, 7)} ${number.slice(7)}`,
  `${number.slice(0, 4)}-${number.slice(4, 7)}-${number.slice(7)}`
]
