import { describe, expect, it } from "@effect/vitest"
import {
  accessCodeOf,
  answersOf,
  isAccessCode,
  isCalendarDate,
  loginProblems,
  photoProblem,
  questionnaireProblems,
  safeNext
} from "../src/validation.ts"

describe("the login form", () => {
  it("takes a 10-digit card with spaces or dashes, and an email or a phone", () => {
    expect(
      loginProblems({ cardNumber: "1234-567-890", contactKind: "email", contact: "ada@example.org" })
    ).toEqual({})
    expect(
      loginProblems({ cardNumber: "1234 567 890", contactKind: "mobile", contact: "(416) 555-0123" })
    ).toEqual({})
    // With the version code printed after the number; a stray letter elsewhere is refused.
    expect(
      loginProblems({ cardNumber: "1234-567-890-AB", contactKind: "email", contact: "ada@example.org" })
    ).toEqual({})
    expect(
      loginProblems({ cardNumber: "1234-5X7-890", contactKind: "email", contact: "ada@example.org" })
    ).toEqual({ cardNumber: "cardNumber" })
  })
  it("names each field that is wrong", () => {
    expect(loginProblems({ cardNumber: "12345", contactKind: "email", contact: "ada" })).toEqual({
      cardNumber: "cardNumber",
      contact: "email"
    })
    expect(loginProblems({ cardNumber: "1234567890", contactKind: "mobile", contact: "555" })).toEqual({
      contact: "mobile"
    })
  })
})

describe("codes", () => {
  it("keep their case (they are case-sensitive) and lose only blanks", () => {
    expect(accessCodeOf(" aB3d EfG9 ")).toBe("aB3dEfG9")
    expect(isAccessCode("aB3dEfG9")).toBe(true)
    expect(isAccessCode("aB3dEfG")).toBe(false)
    expect(isAccessCode("aB3d-fG9")).toBe(false)
  })
  it("a date of birth is a real calendar date", () => {
    expect(isCalendarDate("1815-12-10")).toBe(true)
    expect(isCalendarDate("2023-02-29")).toBe(false)
    expect(isCalendarDate("10/12/1815")).toBe(false)
  })
})

describe("a questionnaire", () => {
  const items = [
    { type: "boolean", linkId: "fever", text: "Fever?", required: true },
    { type: "integer", linkId: "age", text: "Age", required: false, minValue: 0, maxValue: 130 },
    { type: "text", linkId: "notes", text: "Notes", required: false, maxLength: 5 },
    { type: "date", linkId: "since", text: "Since", required: false },
    {
      type: "multiple-choice",
      linkId: "symptoms",
      text: "Symptoms",
      required: true,
      options: ["cough", "rash"]
    }
  ] as const

  it("names each failing item with its kind and limit", () => {
    const problems = questionnaireProblems(items, { age: "200", notes: "too long", since: "2026-13-01" })
    expect(Object.fromEntries(problems)).toEqual({
      fever: { kind: "required" },
      age: { kind: "max", limit: 130 },
      notes: { kind: "tooLong", limit: 5 },
      since: { kind: "date" },
      symptoms: { kind: "required" }
    })
    expect(questionnaireProblems(items, { fever: false, age: "4.5", symptoms: ["rash"] }).get("age")).toEqual(
      {
        kind: "integer"
      }
    )
  })

  it("sends answered items only, as their types want them", () => {
    expect(answersOf(items, { fever: false, age: " 42 ", notes: "  ", symptoms: ["cough"] })).toEqual([
      { linkId: "fever", answer: false },
      { linkId: "age", answer: 42 },
      { linkId: "symptoms", answer: ["cough"] }
    ])
  })
})

describe("a photo", () => {
  const bytes = (...b: ReadonlyArray<number>) => new Uint8Array(b)
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))
  it("is judged by its first bytes, not its name", () => {
    expect(photoProblem({ size: 10 }, bytes(0xff, 0xd8, 0xff, 0xe0))).toBeUndefined()
    expect(photoProblem({ size: 10 }, bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBeUndefined()
    expect(photoProblem({ size: 10 }, bytes(0, 0, 0, 24, ...ascii("ftypheic")))).toBeUndefined()
    expect(photoProblem({ size: 10 }, bytes(...ascii("%PDF-1.7 ...")))).toBe("notAPhoto")
  })
  it("is at most 10 MiB", () => {
    expect(photoProblem({ size: 10 * 1024 * 1024 }, bytes(0xff, 0xd8, 0xff))).toBeUndefined()
    expect(photoProblem({ size: 10 * 1024 * 1024 + 1 }, bytes(0xff, 0xd8, 0xff))).toBe("tooLarge")
  })
})

describe("after login", () => {
  it("goes back only to a path of this portal", () => {
    expect(safeNext("/messages/1?x=1")).toBe("/messages/1?x=1")
    expect(safeNext(null)).toBe("/")
    expect(safeNext("https://evil.example")).toBe("/")
    expect(safeNext("//evil.example")).toBe("/")
    expect(safeNext("/\\evil.example")).toBe("/")
    // Not out of the clinic's address either.
    expect(safeNext("/../other-clinic/login")).toBe("/")
    expect(safeNext("/%2e%2e/other-clinic/")).toBe("/")
    expect(safeNext("/a/%2F%2Fevil")).toBe("/")
    expect(safeNext("/messages/%E0%A4%A")).toBe("/")
  })
})
