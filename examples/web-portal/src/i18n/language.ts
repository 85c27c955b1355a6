/** Which language the portal speaks: pure, so the rule is unit-tested. */

/** The languages of the portal. */
export type Language = "en" | "fr"

/** Where the patient's own choice on this device is kept (a language, never a token). */
export const STORAGE_KEY = "careportal.language"

const asLanguage = (tag: string | null | undefined): Language | undefined => {
  const base = tag?.trim().toLowerCase().split(/[-_]/)[0]
  return base === "fr" ? "fr" : base === "en" ? "en" : undefined
}

/**
 * The patient's choice on this device first (the switch), then their preference on file once
 * known, then the browser's languages in order, then English.
 */
export const chooseLanguage = (input: {
  readonly chosen?: string | null | undefined
  readonly preference?: string | null | undefined
  readonly browser?: ReadonlyArray<string> | undefined
}): Language =>
  asLanguage(input.chosen) ??
  asLanguage(input.preference) ??
  (input.browser ?? []).map(asLanguage).find((l) => l !== undefined) ??
  "en"
