/**
 * What the portal checks before it sends a form, so a slip is pointed out at its field at
 * once. The API checks everything again and stays the authority: these rules only spare a
 * round trip, and name the problem as a kind the page words in the patient's language.
 */
import type { Contract } from "@careportal/client"

/** The digits of what was typed (spaces, dashes and dots dropped). */
export const digitsOf = (s: string) => s.replace(/[\s\-.()]/g, "")

/**
 * An Ontario health card number: 10 digits once spaces and dashes are dropped, with or without
 * the card's two-letter version code after them (the API matches on the digits only).
 */
export const isHealthCardNumber = (s: string) => /^\d{10}([A-Za-z]{1,2})?$/.test(digitsOf(s))

/** Looks like an email address (the server normalises and decides). */
export const isEmailAddress = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim())

/** Looks like a phone number: 10 to 15 digits, an optional leading + (the server decides). */
export const isPhoneNumber = (s: string) => /^\+?\d{10,15}$/.test(digitsOf(s))

/** The login form's problems, by field. */
export const loginProblems = (form: {
  readonly cardNumber: string
  readonly contactKind: "email" | "mobile"
  readonly contact: string
}): Partial<Record<"cardNumber" | "contact", "cardNumber" | "email" | "mobile">> => ({
  ...(isHealthCardNumber(form.cardNumber) ? {} : { cardNumber: "cardNumber" as const }),
  ...(form.contactKind === "email"
    ? isEmailAddress(form.contact)
      ? {}
      : { contact: "email" as const }
    : isPhoneNumber(form.contact)
      ? {}
      : { contact: "mobile" as const })
})

/** A 6-digit login code, as typed (spaces dropped). */
export const loginCodeOf = (s: string) => s.replace(/\s/g, "")
export const isLoginCode = (s: string) => /^\d{6}$/.test(loginCodeOf(s))

/** An 8-character link or access code: case-sensitive, so only blanks are dropped. */
export const accessCodeOf = (s: string) => s.replace(/\s/g, "")
export const isAccessCode = (s: string) => /^[A-Za-z0-9]{8}$/.test(accessCodeOf(s))

/** `YYYY-MM-DD`, a real calendar date. */
export const isCalendarDate = (s: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return date.toISOString().slice(0, 10) === s
}

type Item = Contract.Questionnaire.QuestionnaireItem

/** What the patient has typed or chosen for one item, before it becomes an answer. */
export type Draft = string | boolean | ReadonlyArray<string> | undefined

/** A problem of one item, as a kind and its number (the page words it). */
export type ItemProblem =
  | { readonly kind: "required" | "integer" | "date" }
  | { readonly kind: "min" | "max" | "tooLong"; readonly limit: number }

const isBlank = (draft: Draft) =>
  draft === undefined ||
  (typeof draft === "string" && draft.trim() === "") ||
  (Array.isArray(draft) && draft.length === 0)

/** One item's problem, if any. */
export const itemProblem = (item: Item, draft: Draft): ItemProblem | undefined => {
  if (isBlank(draft)) return item.required ? { kind: "required" } : undefined
  switch (item.type) {
    case "text":
      return typeof draft === "string" && [...draft].length > item.maxLength
        ? { kind: "tooLong", limit: item.maxLength }
        : undefined
    case "integer": {
      const text = typeof draft === "string" ? draft.trim() : ""
      if (!/^-?\d+$/.test(text)) return { kind: "integer" }
      const n = Number(text)
      if (item.minValue !== undefined && n < item.minValue) return { kind: "min", limit: item.minValue }
      if (item.maxValue !== undefined && n > item.maxValue) return { kind: "max", limit: item.maxValue }
      return undefined
    }
    case "date":
      return typeof draft === "string" && isCalendarDate(draft.trim()) ? undefined : { kind: "date" }
    default:
      return undefined
  }
}

/** Every item's problem, by linkId. */
export const questionnaireProblems = (
  items: ReadonlyArray<Item>,
  drafts: Readonly<Record<string, Draft>>
): ReadonlyMap<string, ItemProblem> => {
  const problems = new Map<string, ItemProblem>()
  for (const item of items) {
    const problem = itemProblem(item, drafts[item.linkId])
    if (problem !== undefined) problems.set(item.linkId, problem)
  }
  return problems
}

/** The answers to send: answered items only, each as its item's type wants it. */
export type Answer = {
  readonly linkId: string
  readonly answer: string | number | boolean | ReadonlyArray<string>
}

export const answersOf = (
  items: ReadonlyArray<Item>,
  drafts: Readonly<Record<string, Draft>>
): ReadonlyArray<Answer> =>
  items.flatMap((item): ReadonlyArray<Answer> => {
    const draft = drafts[item.linkId]
    if (isBlank(draft)) return []
    if (item.type === "integer" && typeof draft === "string")
      return [{ linkId: item.linkId, answer: Number(draft.trim()) }]
    if (typeof draft === "string") return [{ linkId: item.linkId, answer: draft.trim() }]
    return draft === undefined ? [] : [{ linkId: item.linkId, answer: draft }]
  })

/** The largest photo the clinic takes. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024

const startsWith = (bytes: Uint8Array, prefix: ReadonlyArray<number>, at = 0) =>
  prefix.every((b, i) => bytes[at + i] === b)

/**
 * Whether the first bytes of a file can be a JPEG, PNG or HEIC image. Lenient on HEIC (any
 * ISO-BMFF `ftyp` box passes): the server reads the brands and has the last word.
 */
export const looksLikePhoto = (head: Uint8Array): boolean => {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return true
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return true
  const ascii = (from: number, to: number) => String.fromCharCode(...head.slice(from, to))
  return head.length >= 12 && ascii(4, 8) === "ftyp"
}

/** Why a chosen file cannot be the photo, if it cannot. */
export const photoProblem = (file: { readonly size: number }, head: Uint8Array) =>
  file.size > MAX_PHOTO_BYTES
    ? ("tooLarge" as const)
    : looksLikePhoto(head)
      ? undefined
      : ("notAPhoto" as const)

/**
 * Where to go after login: a path of this clinic's portal only, never another site and never
 * out of the clinic's address (no `.` or `..` segment, plain or %-encoded, no backslash, no
 * control character).
 */
export const safeNext = (next: string | null): string => {
  if (next === null || !/^\/(?![/\\])/.test(next) || next.includes("\\")) return "/"
  if ([...next].some((c) => c.charCodeAt(0) < 0x20)) return "/"
  const path = next.split(/[?#]/)[0] ?? ""
  const segments = path.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment)
    } catch {
      return ".."
    }
  })
  return segments.some((segment) => segment === "." || segment === ".." || segment.includes("/")) ? "/" : next
}
