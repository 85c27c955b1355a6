/**
 * What every page of a clinic's portal knows: the clinic (by the slug in the address) and the
 * signed-in patient, if any (read with `GET /v1/me`: the session is an HttpOnly cookie the page
 * cannot see, so the API says whether there is one).
 */

import type { Contract } from "@careportal/client"
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react"
import { useLocation } from "wouter"
import { type ApiProblem, call, onSessionEnded } from "./api.ts"
import { useI18n } from "./i18n/I18n.tsx"

/** The clinic's public face. */
export interface ClinicInfo {
  readonly slug: string
  readonly name: string
  readonly timeZone: string
  readonly languages: ReadonlyArray<string>
}

/** The signed-in patient, as `GET /v1/me` shows them. */
export type Me = Contract.Demographics.PatientDemographics

interface PortalState {
  readonly clinic: ClinicInfo
  /** undefined while unknown, null when nobody is signed in. */
  readonly me: Me | null | undefined
  /** The session ended on its own (idle or expired) while the patient was using the portal. */
  readonly sessionEnded: boolean
  readonly refreshMe: () => Promise<Me | null>
  readonly signedOut: () => void
}

const PortalContext = createContext<PortalState | undefined>(undefined)

/** The clinic and the session of the pages under `/{slug}/`. */
export const PortalProvider = ({
  clinic,
  children
}: {
  readonly clinic: ClinicInfo
  readonly children: ReactNode
}) => {
  const { preferenceKnown } = useI18n()
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const [sessionEnded, setSessionEnded] = useState(false)
  const refreshMe = useCallback(
    () =>
      call((api) => api.me.read()).then(
        (found) => {
          setMe(found)
          preferenceKnown(found.language)
          return found
        },
        (problem: ApiProblem) => {
          // Only "no session" means signed out; a fault keeps what the page knew.
          if (problem.tag === "SessionExpired") setMe(null)
          else setMe((known) => (known === undefined ? null : known))
          return null
        }
      ),
    [preferenceKnown]
  )
  useEffect(() => {
    void refreshMe()
  }, [refreshMe])
  // A session that ends while a page is open (30 minutes idle): back to the login, which says
  // why and returns to this page afterwards.
  useEffect(
    () =>
      onSessionEnded(() =>
        setMe((known) => {
          if (known !== null && known !== undefined) setSessionEnded(true)
          return null
        })
      ),
    []
  )
  const signedOut = useCallback(() => {
    setSessionEnded(false)
    setMe(null)
  }, [])
  return (
    <PortalContext.Provider value={{ clinic, me, sessionEnded, refreshMe, signedOut }}>
      {children}
    </PortalContext.Provider>
  )
}

/** The clinic and the signed-in patient. */
export const usePortal = (): PortalState => {
  const state = useContext(PortalContext)
  if (state === undefined) throw new Error("usePortal outside PortalProvider")
  return state
}

/** The clinic, loaded by slug: `undefined` while loading, a problem when there is none. */
export const useClinic = (slug: string) => {
  const [state, setState] = useState<ClinicInfo | ApiProblem | undefined>(undefined)
  useEffect(() => {
    let live = true
    setState(undefined)
    call((api) => api.clinics.read({ params: { slug } })).then(
      (clinic) => live && setState(clinic),
      (problem: ApiProblem) => live && setState(problem as ApiProblem)
    )
    return () => {
      live = false
    }
  }, [slug])
  return state
}

/**
 * One read for a page: its value, the problem if it failed, and `reload`. Re-reads when `key`
 * changes.
 */
export const useLoad = <A,>(load: () => Promise<A>, key: string) => {
  const [value, setValue] = useState<A | undefined>(undefined)
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined)
  const loadRef = useRef(load)
  loadRef.current = load
  // Only the newest read may set the value: an older one answering late (the patient moved to
  // the next week before this week's slots came) must not overwrite it.
  const latest = useRef(0)
  const reload = useCallback(() => {
    const mine = ++latest.current
    setProblem(undefined)
    return loadRef.current().then(
      (a) => {
        if (mine === latest.current) setValue(a)
        return a
      },
      (p: ApiProblem) => {
        if (mine === latest.current) setProblem(p)
        return undefined
      }
    )
  }, [])
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read when the page's key changes
  useEffect(() => {
    setValue(undefined)
    void reload()
  }, [key, reload])
  return { value, problem, reload, setValue }
}

/**
 * A page's title (the tab's too) and focus: on arrival the heading takes the focus, so a
 * screen reader announces the new page and Tab starts from it.
 */
export const usePageTitle = (title: string) => {
  const { clinic } = usePortal()
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${title} · ${clinic.name}`
  }, [title, clinic.name])
  useEffect(() => {
    ref.current?.focus()
  }, [])
  return ref
}

/**
 * Logout: ends the session, then says so on the login page. A logout that did not reach the
 * server says that instead, and the patient stays where they are (the cookie still works).
 */
export const useLogout = () => {
  const { signedOut } = usePortal()
  const [, navigate] = useLocation()
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined)
  const logout = useCallback(() => {
    setProblem(undefined)
    return call((api) => api.auth.logout()).then(
      () => {
        signedOut()
        navigate("/login?loggedOut=1")
      },
      (p: ApiProblem) => {
        if (p.tag === "SessionExpired") {
          signedOut()
          navigate("/login?loggedOut=1")
        } else setProblem(p)
      }
    )
  }, [signedOut, navigate])
  return { logout, problem }
}
