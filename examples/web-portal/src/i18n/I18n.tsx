/**
 * The portal's language as React state: `useI18n()` gives the words (`t`), the language and
 * the switch. Switching also sets `<html lang>` and the language the API answers errors in.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react"
import { setApiLanguage, setFallback } from "../api.ts"
import { en, type Messages } from "./en.ts"
import { fr } from "./fr.ts"
import { chooseLanguage, type Language, STORAGE_KEY } from "./language.ts"

const words: Record<Language, Messages> = { en, fr }

interface I18n {
  readonly language: Language
  readonly t: Messages
  /** The patient's switch: kept on this device. */
  readonly choose: (language: Language) => void
  /** The patient's preference on file, once known: applies unless they switched on this device. */
  readonly preferenceKnown: (preference: string) => void
}

const I18nContext = createContext<I18n | undefined>(undefined)

const storedChoice = (): string | null => {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null
  } catch {
    return null
  }
}

const apply = (language: Language) => {
  document.documentElement.lang = language
  setApiLanguage(language === "fr" ? "fr-CA, fr;q=0.9" : "en-CA, en;q=0.9")
  setFallback(words[language].fault)
}

/** Provides the language to the portal. */
export const I18nProvider = ({ children }: { readonly children: ReactNode }) => {
  const [language, setLanguage] = useState<Language>(() => {
    const initial = chooseLanguage({ chosen: storedChoice(), browser: navigator.languages })
    apply(initial)
    return initial
  })
  useEffect(() => apply(language), [language])
  const choose = useCallback((next: Language) => {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next)
    } catch {
      // Private browsing without storage: the switch still applies to this page.
    }
    setLanguage(next)
  }, [])
  const preferenceKnown = useCallback((preference: string) => {
    setLanguage(chooseLanguage({ chosen: storedChoice(), preference, browser: navigator.languages }))
  }, [])
  const value = useMemo(
    () => ({ language, t: words[language], choose, preferenceKnown }),
    [language, choose, preferenceKnown]
  )
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

/** The portal's words and language. */
export const useI18n = (): I18n => {
  const i18n = useContext(I18nContext)
  if (i18n === undefined) throw new Error("useI18n outside I18nProvider")
  return i18n
}
