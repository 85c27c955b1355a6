import { describe, expect, it } from "@effect/vitest"
import { en } from "../src/i18n/en.ts"
import { fr } from "../src/i18n/fr.ts"
import { chooseLanguage } from "../src/i18n/language.ts"

describe("the portal's language", () => {
  it("is the patient's switch, then their preference on file, then the browser's, then English", () => {
    expect(chooseLanguage({ chosen: "en", preference: "fr", browser: ["fr-CA"] })).toBe("en")
    expect(chooseLanguage({ chosen: null, preference: "fr", browser: ["en-US"] })).toBe("fr")
    expect(chooseLanguage({ browser: ["de-DE", "fr-CA", "en"] })).toBe("fr")
    expect(chooseLanguage({ browser: ["de-DE"] })).toBe("en")
    expect(chooseLanguage({})).toBe("en")
  })

  it("has every English phrase in French too, and none left in English", () => {
    const leaves = (o: unknown, path = ""): Array<[string, unknown]> =>
      typeof o === "object" && o !== null && !Array.isArray(o)
        ? Object.entries(o).flatMap(([k, v]) => leaves(v, `${path}.${k}`))
        : [[path, o]]
    const english = new Map(leaves(en))
    const french = new Map(leaves(fr))
    expect([...french.keys()].sort()).toEqual([...english.keys()].sort())
    // Words spelled the same in both languages.
    const cognates = new Set([".login.identification"])
    const same = [...english].filter(
      ([k, v]) => typeof v === "string" && v === french.get(k) && v.length > 12 && !cognates.has(k)
    )
    // Long phrases identical in both languages would be untranslated text.
    expect(same).toEqual([])
  })
})
