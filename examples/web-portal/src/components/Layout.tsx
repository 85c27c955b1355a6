/** The frame of every page: skip link, the clinic's name, the language switch, the menu, the content. */
import type { ReactNode } from "react"
import { Link, useLocation } from "wouter"
import { useI18n } from "../i18n/I18n.tsx"
import { useLogout, usePortal } from "../state.tsx"
import { Problem } from "./Notice.tsx"

const LanguageSwitch = ({ languages }: { readonly languages: ReadonlyArray<string> }) => {
  const { language, choose, t } = useI18n()
  const other = language === "fr" ? "en" : "fr"
  if (!languages.includes(other)) return null
  return (
    <button
      type="button"
      className="language"
      lang={other}
      aria-label={t.switchToLabel}
      onClick={() => choose(other)}
    >
      {t.switchTo}
    </button>
  )
}

const Menu = () => {
  const { t } = useI18n()
  const [location] = useLocation()
  const { logout, problem } = useLogout()
  const item = (href: string, label: string) => {
    // Whole segments: "/messages" is not under "/me".
    const current = href === "/" ? location === "/" : location === href || location.startsWith(`${href}/`)
    return (
      <li>
        <Link href={href} aria-current={current ? "page" : undefined}>
          {label}
        </Link>
      </li>
    )
  }
  return (
    <nav aria-label={t.nav.label} className="menu">
      <ul>
        {item("/", t.nav.home)}
        {item("/messages", t.nav.messages)}
        {item("/appointments", t.nav.appointments)}
        {item("/me", t.nav.me)}
        <li>
          <button type="button" className="link-button" onClick={() => void logout()}>
            {t.nav.logout}
          </button>
        </li>
      </ul>
      <Problem problem={problem} />
    </nav>
  )
}

/** Skip link, header (brand and language switch), an optional menu, the content. */
const Frame = ({
  brand,
  languages,
  menu,
  children
}: {
  readonly brand: ReactNode
  readonly languages: ReadonlyArray<string>
  readonly menu?: ReactNode
  readonly children: ReactNode
}) => {
  const { t } = useI18n()
  return (
    <>
      <a className="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header className="topbar">
        <div className="brand">{brand}</div>
        <LanguageSwitch languages={languages} />
      </header>
      {menu}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  )
}

/** The page frame of a clinic's portal: its name, its languages, the menu once signed in. */
export const Layout = ({ children }: { readonly children: ReactNode }) => {
  const { t } = useI18n()
  const { clinic, me } = usePortal()
  return (
    <Frame
      brand={
        <>
          <Link href="/">{clinic.name}</Link>
          <span className="portal-name">{t.portal}</span>
        </>
      }
      languages={clinic.languages}
      menu={me === null || me === undefined ? undefined : <Menu />}
    >
      {children}
    </Frame>
  )
}

/** A bare frame for pages outside a clinic (the address chooser, an unknown clinic). */
export const BareLayout = ({ children }: { readonly children: ReactNode }) => {
  const { t } = useI18n()
  return (
    <Frame brand={<span>{t.portal}</span>} languages={["en", "fr"]}>
      {children}
    </Frame>
  )
}
