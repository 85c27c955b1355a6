/**
 * The API's error messages in the caller's language. English is the domain's own message, as
 * the handlers and the HTTP layer write it; Canadian French is rendered here from the body's
 * tag and details, so that a French portal page never shows an English message.
 *
 * When to use: `localizeErrors` runs once, at the HTTP edge (`Server.ts`), on every response:
 * whatever produced an error body (a handler, a middleware, the router, schema validation), its
 * `message` is rewritten there, after the fact. Nothing upstream needs to know the language.
 *
 * Details:
 * - The language is chosen from `Accept-Language` (RFC 9110 §12.5.4, q-values): any `fr` range
 *   (`fr`, `fr-CA`, …) preferred over English gives French; anything else, or no header, English.
 * - Error bodies (status ≥ 400, JSON) then carry `Content-Language` and `Vary: Accept-Language`.
 * - In French only the human text changes: `message`, the nested `message` of each failing item
 *   or field, and a problem-details body's `title`, `detail` and `errors[].message`. The `error`
 *   tag, the status and every other detail stay as they are: code branches on those.
 * - English bodies are passed through byte for byte.
 *
 * Gotchas:
 * - The translation can never turn an answer into a 5xx. A tag without a French message (only
 *   possible for a body this module's types do not know), details of an unexpected shape, or a
 *   body that cannot be read keep the English body and answer `Content-Language: en`.
 * - A nested message whose English the domain does not write (see `frenchItemProblem` and its
 *   siblings) gets a generic French stand-in; a schema issue this module has no French for (a
 *   new annotation in the contract) stays as the schema wrote it inside a French problem.
 * - The French mirrors the domain's English sentence by sentence: a changed English message
 *   needs its French changed here too (test/I18n.test.ts renders both from the domain's errors).
 */

import { type DateTime, Effect, Result } from "effect"
import { HttpBody, HttpServerRequest, HttpServerResponse } from "effect/http"
import type { ApiError } from "./Contract.ts"

// ---------------------------------------------------------------------------------------------
// Choosing the language
// ---------------------------------------------------------------------------------------------

/** The languages the API answers in. */
export type Language = "en" | "fr"

/** The `Content-Language` of each: French is written for Ontario's portals, but tagged plainly. */
export const contentLanguage: Readonly<Record<Language, string>> = { en: "en", fr: "fr" }

const RANGE = /^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$/
const WEIGHT = /^[qQ]\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/

/** A header longer than this (or with more ranges) is read only this far: no browser sends as much. */
const MAX_HEADER_LENGTH = 1024
const MAX_RANGES = 32

/**
 * The language to answer in, from an `Accept-Language` header (RFC 9110 §12.5.4). Each of our
 * languages gets the highest weight of the ranges naming it by primary subtag (`fr-CA` names
 * French), else the weight of `*`; French wins only with a higher weight than English, or the
 * same weight named first. Malformed ranges are skipped; no header, or nothing acceptable, is
 * English.
 */
export const negotiate = (header: string | undefined): Language => {
  if (header === undefined) return "en"
  const explicit: Partial<Record<Language, { q: number; at: number }>> = {}
  let wildcard: { q: number; at: number } | undefined
  const entries = header.slice(0, MAX_HEADER_LENGTH).split(",").slice(0, MAX_RANGES)
  entries.forEach((entry, at) => {
    const [range = "", ...params] = entry.split(";").map((p) => p.trim())
    if (!RANGE.test(range)) return
    let q = 1
    for (const param of params) {
      const weight = WEIGHT.exec(param)
      if (weight === null) return
      q = Number(weight[1])
    }
    if (range === "*") {
      wildcard ??= { q, at }
      return
    }
    const primary = range.split("-")[0]?.toLowerCase()
    if (primary !== "en" && primary !== "fr") return
    const seen = explicit[primary]
    explicit[primary] = seen === undefined ? { q, at } : { q: Math.max(seen.q, q), at: seen.at }
  })
  const none = { q: 0, at: Number.POSITIVE_INFINITY }
  const en = explicit.en ?? wildcard ?? none
  const fr = explicit.fr ?? wildcard ?? none
  return fr.q > en.q || (fr.q > 0 && fr.q === en.q && fr.at < en.at) ? "fr" : "en"
}

// ---------------------------------------------------------------------------------------------
// The error bodies, as they travel
// ---------------------------------------------------------------------------------------------

/** A body as JSON carries it: instants are ISO strings, the rest as the contract types it. */
export type Wire<A> = A extends string | number | boolean | null | undefined
  ? A
  : A extends DateTime.DateTime
    ? string
    : A extends ReadonlyArray<infer E>
      ? ReadonlyArray<Wire<E>>
      : { readonly [K in keyof A]: Wire<A[K]> }

/** The refusals the HTTP layer makes itself, before any handler (`Server.ts`). */
export type HttpRefusal =
  | { readonly error: "RouteNotFound"; readonly message: string }
  | { readonly error: "UnsupportedMediaType"; readonly message: string }
  | { readonly error: "PayloadTooLarge"; readonly message: string; readonly maxBytes: number }

/** Every `{ error, message, ...details }` body the API can answer, as JSON carries it. */
export type ErrorBody = Wire<ApiError> | HttpRefusal

/** Every `error` tag the API can answer. */
export type ErrorTag = ErrorBody["error"]

/** The body of one tag. */
export type BodyOf<T extends ErrorTag> = Extract<ErrorBody, { readonly error: T }>

/**
 * A French message for every tag, from its body: a tag added to the contract without one here
 * does not compile.
 */
export type Messages = { readonly [T in ErrorTag]: (body: BodyOf<T>) => string }

// ---------------------------------------------------------------------------------------------
// French, in small parts
// ---------------------------------------------------------------------------------------------

/** French spacing: a no-break space before a colon and inside guillemets. */
const typeset = (text: string): string =>
  text.replace(/ :/g, "\u00a0:").replace(/« /g, "«\u00a0").replace(/ »/g, "\u00a0»")

const numberFormat = new Intl.NumberFormat("fr-CA", { maximumFractionDigits: 3 })
/** A count or size as French writes it: `10 485 761`, `1,5`. */
const n = (value: number): string => numberFormat.format(value)
/** French plural: 0 and 1 take the singular. */
const plural = (count: number, one: string, many: string) => (Math.abs(count) < 2 ? one : many)

/** What to do next after a locked code, by what the code was for (as `AuthErrors.again`). */
const again = (purpose: string): string =>
  purpose === "login-otp"
    ? "Recommencez la connexion pour obtenir un nouveau code."
    : purpose === "contact-verify"
      ? "Demandez un nouveau code de vérification."
      : "Utilisez « Renvoyer le code d'accès rapide » sur la page du lien, ou connectez-vous avec votre carte santé."

/** Each kind of record `NotFound` names: the noun with its demonstrative, and its gender. */
const RECORDS: Readonly<Record<string, readonly [string, "m" | "f"]>> = {
  patient: ["Ce patient", "m"],
  message: ["Ce message", "m"],
  provider: ["Ce professionnel de la santé", "m"],
  "appointment-type": ["Ce type de rendez-vous", "m"],
  appointment: ["Ce rendez-vous", "m"],
  questionnaire: ["Ce questionnaire", "m"],
  task: ["Cette tâche", "f"],
  "upload-request": ["Cette demande de photo", "f"],
  "chart-entry": ["Cette entrée au dossier", "f"],
  clinic: ["Cette clinique", "f"],
  "virtual-visit": ["Cette consultation virtuelle", "f"],
  "api-key": ["Cette clé d'API", "f"]
}

const APPOINTMENT_STATUS: Readonly<Record<string, string>> = {
  requested: "demandé",
  booked: "réservé",
  cancelled: "annulé",
  completed: "terminé"
}

/** `Scheduling.spell`: whole hours as hours, else minutes. */
const spell = (minutes: number): string =>
  minutes % 60 === 0
    ? `${n(minutes / 60)} ${plural(minutes / 60, "heure", "heures")}`
    : `${n(minutes)} ${plural(minutes, "minute", "minutes")}`

const MIB = 1024 * 1024
/** `Upload.formatMiB`, in French units. */
const mib = (bytes: number) => `${n(Number((bytes / MIB).toFixed(1)))} Mio`
/** `Upload.formatSize`: MiB to one decimal, or bytes where the rounding would hide the excess. */
const size = (bytes: number, maxBytes: number) => {
  const mib = (bytes / MIB).toFixed(1)
  return Number(mib) * MIB > maxBytes
    ? `${mib.replace(".", ",")} Mio`
    : `${n(bytes)} ${plural(bytes, "octet", "octets")}`
}

const WEEKDAYS = ["", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

const ADDRESS_FIELDS: Readonly<Record<string, string>> = {
  line1: "l'adresse municipale",
  line2: "la deuxième ligne d'adresse",
  city: "la ville",
  region: "la province ou l'État",
  postalCode: "le code postal",
  country: "le pays"
}

/** The names the registration's English gives a field, in French with their article. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  "given name": "le prénom",
  "family name": "le nom de famille",
  "street address": "l'adresse municipale",
  "second address line": "la deuxième ligne d'adresse",
  city: "la ville",
  "province or state": "la province ou l'État",
  "postal code": "le code postal",
  country: "le pays"
}

/** `de` + a label with its article: `du prénom`, `de la ville`, `de l'adresse`. */
const of = (label: string) => (label.startsWith("le ") ? `du ${label.slice(3)}` : `de ${label}`)

/**
 * English → French by the first pattern that matches and renders; `undefined` for English that
 * no pattern knows. A render answers `undefined` for a match it cannot put in French.
 */
type Rule = readonly [RegExp, (groups: ReadonlyArray<string>) => string | undefined]
const byRules =
  (rules: ReadonlyArray<Rule>) =>
  (english: string): string | undefined => {
    for (const [pattern, render] of rules) {
      const match = pattern.exec(english)
      const french = match === null ? undefined : render(match.slice(1).map((g) => g ?? ""))
      if (french !== undefined) return french
    }
    return undefined
  }

/** The value of `f`, or `undefined` when it throws (details of a shape the renderer did not expect). */
const attempt = <A>(f: () => A): A | undefined => Result.getOrUndefined(Result.try(f))

/**
 * A failing answer's message (`Questionnaire.checkResponse`) in French; `undefined` when the
 * English is none that the domain writes.
 */
export const frenchItemProblem = byRules([
  [/^must be text$/, () => "doit être du texte"],
  [/^must be at most (\d+) characters$/, ([max = ""]) => `doit compter au plus ${n(Number(max))} caractères`],
  [/^must be yes or no$/, () => "doit être oui ou non"],
  [/^must be one of (.*)$/s, ([options]) => `doit être l'une de ces options : ${options}`],
  [
    /^not one of the options: choose one of (.*)$/s,
    ([options]) => `ne fait pas partie des options : choisissez-en une parmi ${options}`
  ],
  [/^must be a list of options from (.*)$/s, ([options]) => `doit être une liste d'options parmi ${options}`],
  [
    /^not one of the options: choose from (.*)$/s,
    ([options]) => `ne fait pas partie des options : choisissez parmi ${options}`
  ],
  [/^choose each option at most once$/, () => "choisissez chaque option au plus une fois"],
  [/^must be a whole number$/, () => "doit être un nombre entier"],
  [/^must be between (-?\d+) and (-?\d+)$/, ([a = "", b = ""]) => `doit être entre ${n(+a)} et ${n(+b)}`],
  [/^must be at least (-?\d+)$/, ([a = ""]) => `doit valoir au moins ${n(+a)}`],
  [/^must be at most (-?\d+)$/, ([b = ""]) => `doit valoir au plus ${n(+b)}`],
  [/^must be a date written YYYY-MM-DD$/, () => "doit être une date écrite AAAA-MM-JJ"],
  [
    /^not a date: write a real calendar date as YYYY-MM-DD, e\.g\. (.+)$/,
    ([example]) =>
      `n'est pas une date : écrivez une date réelle du calendrier sous la forme AAAA-MM-JJ, p. ex. ${example}`
  ],
  [
    /^there is no such question in this questionnaire; leave it out$/,
    () => "ce questionnaire n'a pas cette question; retirez-la de vos réponses"
  ],
  [/^answer this question once$/, () => "répondez une seule fois à cette question"],
  [/^required: this question needs an answer$/, () => "obligatoire : cette question demande une réponse"]
])

/** A failing answer in French when its English is unknown: what its `problem` kind says. */
const ITEM_PROBLEMS: Readonly<Record<string, string>> = {
  "unknown-item": "ce questionnaire n'a pas cette question",
  "answered-twice": "répondez une seule fois à cette question",
  required: "obligatoire : cette question demande une réponse",
  "wrong-type": "cette réponse n'est pas du type attendu",
  "too-long": "cette réponse est trop longue",
  "not-an-option": "ne fait pas partie des options",
  "out-of-range": "cette valeur est hors des limites permises",
  "not-a-date": "n'est pas une date réelle écrite AAAA-MM-JJ"
}

const itemFrench = (item: { readonly problem: string; readonly message: string }) =>
  frenchItemProblem(item.message) ?? ITEM_PROBLEMS[item.problem] ?? "cette réponse est à revoir"

/**
 * A registration field's message (`Patients.checkRegistration`) in French; `undefined` when the
 * English is none that the domain writes.
 */
export const frenchFieldProblem = byRules([
  [
    /^a card type of (\d+) to (\d+) letters, digits or '-', e\.g\. (.+)$/,
    ([a, b, example]) => `un type de carte de ${a} à ${b} lettres, chiffres ou « - », p. ex. ${example}`
  ],
  [
    /^only the card's digits \(spaces and '-' allowed\), e\.g\. (.+)$/,
    ([example]) => `seulement les chiffres de la carte (espaces et « - » permis), p. ex. ${example}`
  ],
  [/^(\d+) to (\d+) digits$/, ([a, b]) => `de ${a} à ${b} chiffres`],
  [
    /^(\d+) to (\d+) letters, e\.g\. (.+), or leave it out$/,
    ([a, b, example]) => `de ${a} à ${b} lettres, p. ex. ${example}, ou laissez ce champ vide`
  ],
  [/^enter (?:the )?(.+)$/, ([label = ""]) => withLabel(label, (l) => `entrez ${l}`)],
  [
    /^shorten (?:the )?(.+) to at most (\d+) characters$/,
    ([label = "", max = ""]) => withLabel(label, (l) => `raccourcissez ${l} à ${n(+max)} caractères au plus`)
  ],
  [
    /^remove the control characters from (?:the )?(.+)$/,
    ([label = ""]) => withLabel(label, (l) => `retirez les caractères de contrôle ${of(l)}`)
  ],
  [
    /^a real calendar date as YYYY-MM-DD, e\.g\. (.+)$/,
    ([example]) => `une date réelle du calendrier sous la forme AAAA-MM-JJ, p. ex. ${example}`
  ],
  [
    /^a date of birth on or before today \((.+)\)$/,
    ([today]) => `une date de naissance au plus tard aujourd'hui (${today})`
  ],
  [/^a date of birth on or after (.+)$/, ([earliest]) => `une date de naissance à partir du ${earliest}`],
  [
    /^an email address such as (.+), or leave it out$/,
    ([example]) => `une adresse courriel comme ${example}, ou laissez ce champ vide`
  ],
  [
    /^a mobile number with its area code, e\.g\. (.+), or its country code, e\.g\. (.+)$/,
    ([local, international]) =>
      `un numéro de cellulaire avec son indicatif régional, p. ex. ${local}, ou son indicatif de pays, p. ex. ${international}`
  ],
  [/^one of email, sms or both$/, () => "l'une des valeurs email, sms ou both"],
  [
    /^(\S+) needs (an email address and a mobile number|an email address|a mobile number): add (?:them|it), or choose another preference$/,
    ([preference, needs]) =>
      needs === "an email address and a mobile number"
        ? `${preference} exige une adresse courriel et un numéro de cellulaire : ajoutez-les, ou choisissez une autre préférence`
        : needs === "an email address"
          ? `${preference} exige une adresse courriel : ajoutez-la, ou choisissez une autre préférence`
          : `${preference} exige un numéro de cellulaire : ajoutez-le, ou choisissez une autre préférence`
  ],
  [/^en or fr$/, () => "en ou fr"],
  [
    /^a postal code in the country's form, e\.g\. (.+) in Canada or (.+) in the US$/,
    ([canada, us]) => `un code postal de la forme du pays, p. ex. ${canada} au Canada ou ${us} aux États-Unis`
  ]
])

/** Renders with the French label of a field the English named; `undefined` for a name it does not know. */
const withLabel = (english: string, render: (label: string) => string) => {
  const label = FIELD_LABELS[english]
  return label === undefined ? undefined : render(label)
}

/**
 * A questionnaire definition's problem (`Questionnaire.checkDefinition`) in French; `undefined`
 * when the English is none that the domain writes.
 */
export const frenchDefinitionProblem = byRules([
  [/^give the questionnaire a title$/, () => "donnez un titre au questionnaire"],
  [/^add at least one question$/, () => "ajoutez au moins une question"],
  [
    /^a linkId is (\d+) to (\d+) letters, digits, '\.', '-' or '_', starting with a letter or digit$/,
    ([a, b]) =>
      `un linkId compte de ${a} à ${b} lettres, chiffres, « . », « - » ou « _ », et commence par une lettre ou un chiffre`
  ],
  [
    /^this linkId is used by more than one question; give each question its own$/,
    () => "ce linkId sert à plus d'une question; donnez à chaque question le sien"
  ],
  [/^give the question its text$/, () => "donnez un texte à la question"],
  [
    /^maxLength must be a whole number from (\d+) to (\d+)$/,
    ([a = "", b = ""]) => `maxLength doit être un nombre entier de ${n(+a)} à ${n(+b)}`
  ],
  [/^give at least one option$/, () => "donnez au moins une option"],
  [/^an option cannot be blank$/, () => "une option ne peut pas être vide"],
  [
    /^each option once: (.*) repeated$/s,
    ([options]) => `chaque option une seule fois; en double : ${options}`
  ],
  [/^(minValue|maxValue) must be a whole number$/, ([field]) => `${field} doit être un nombre entier`],
  [
    /^minValue \((.+)\) must not be greater than maxValue \((.+)\)$/,
    ([min, max]) => `minValue (${min}) ne doit pas dépasser maxValue (${max})`
  ]
])

/** The words of the schema's type descriptions (`Expected string | null`). */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "chaîne",
  number: "nombre",
  boolean: "booléen",
  object: "objet",
  array: "tableau",
  bigint: "grand entier",
  null: "null",
  undefined: "undefined"
}

/** A member of a type description that is code rather than English: a literal, a name, a shape. */
const CODE_MEMBER = /^(?:"[^"]*"|-?\d+(?:\.\d+)?|[A-Z][A-Za-z0-9]*|\{.*\}|.+\[\])$/s

const frenchType = (description: string): string | undefined => {
  const members = description.split(" | ")
  if (!members.every((m) => TYPE_WORDS[m] !== undefined || CODE_MEMBER.test(m))) return undefined
  return members.map((m) => TYPE_WORDS[m] ?? m).join(" | ")
}

/**
 * A schema issue's message (a 400 problem's `errors[].message`: Effect's default messages and
 * the contract's own) in French; `undefined` for one it does not know, which then stays as the
 * schema wrote it.
 */
export const frenchIssue = byRules([
  [/^Missing key$/, () => "Champ manquant"],
  [/^Expected a valid JSON body$/, () => "Un corps JSON valide est attendu"],
  [/^Expected an integer$/, () => "Un nombre entier est attendu"],
  [/^Expected a valid UTC DateTime string$/, () => "Une date et heure UTC valide est attendue"],
  [
    /^Expected a string matching the RegExp (.+)$/s,
    ([pattern]) => `Une chaîne conforme à l'expression régulière ${pattern} est attendue`
  ],
  [/^Expected no excess property$/, () => "Aucune propriété supplémentaire n'est attendue"],
  [/^Unexpected key with value (.+)$/s, ([value]) => `Clé inattendue, de valeur ${value}`],
  [/^Expected a valid value$/, () => "Une valeur valide est attendue"],
  [/^Invalid data (.+)$/s, ([value]) => `Données non valides : ${value}`],
  [/^Forbidden operation$/, () => "Opération interdite"],
  [/^Expected exactly one member to match$/, () => "Exactement un membre doit correspondre"],
  [
    /^Expected exactly one member to match the input (.+)$/s,
    ([value]) => `Exactement un membre doit correspondre à l'entrée ${value}`
  ],
  [
    /^a staff id of (\d+) to (\d+) letters, digits, '\.', '_', '@' or '-', e\.g\. (.+)$/,
    ([a, b, example]) =>
      `un identifiant de membre du personnel de ${a} à ${b} lettres, chiffres, « . », « _ », « @ » ou « - », p. ex. ${example}`
  ],
  [/^a label of (\d+) to (\d+) characters$/, ([a, b]) => `un libellé de ${a} à ${b} caractères`],
  [/^an action such as (.+)$/, ([example]) => `une action comme ${example}`],
  [
    /^a mobile number in E\.164 form, e\.g\. (.+)$/,
    ([example]) => `un numéro de cellulaire au format E.164, p. ex. ${example}`
  ],
  [/^an email address, e\.g\. (.+)$/, ([example]) => `une adresse courriel, p. ex. ${example}`],
  [
    /^Expected (.+?)(?:, got (.+))?$/s,
    ([type = "", got = ""]) => {
      const french = frenchType(type)
      return french === undefined
        ? undefined
        : `Valeur attendue : ${french}${got === "" ? "" : `, reçu ${got}`}`
    }
  ]
])

/** `frenchIssue`, keeping the English of an issue it does not know (a schema's own annotation). */
const issueFrench = (english: string): string => frenchIssue(english) ?? english

const staffPageItems: Readonly<Record<string, string>> = {
  entries: "entrées",
  "audit events": "événements du journal d'audit"
}

const HOURS_PROBLEM = (p: {
  readonly weekday: number
  readonly start: string
  readonly end: string
  readonly problem: string
  readonly other?: { readonly start: string; readonly end: string } | undefined
}) => {
  const stretch = `${WEEKDAYS[p.weekday] || `jour ${p.weekday}`} ${p.start}–${p.end}`
  return p.problem === "not-after-start"
    ? `${stretch} doit finir après son début`
    : `${stretch} chevauche ${p.other?.start ?? "?"}–${p.other?.end ?? "?"} du même jour`
}

const ADDRESS_PROBLEM = (p: { readonly field: string; readonly problem: string }) => {
  const name = ADDRESS_FIELDS[p.field] ?? `le champ ${p.field}`
  switch (p.problem) {
    case "empty":
      return `il manque ${name}`
    case "too-long":
      return `${name} dépasse la longueur permise`
    default:
      return p.field === "postalCode"
        ? "le code postal ne semble pas correct pour le pays (p. ex. M5H 2N2 au Canada, 10001 aux États-Unis)"
        : `${name} ne semble pas valide`
  }
}

/** A field's or a definition's problem whose English no pattern knows still reads as French. */
const fieldFrench = (english: string) => frenchFieldProblem(english) ?? "valeur à revoir"
const definitionFrench = (english: string) => frenchDefinitionProblem(english) ?? "élément à revoir"
const minutesBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 60_000)

// ---------------------------------------------------------------------------------------------
// The French message of every tag
// ---------------------------------------------------------------------------------------------

/** The French message of every error tag, from the body's details; says what the English says. */
export const french: Messages = {
  // Codes and sessions.
  PasscodeInvalid: ({ attemptsLeft }) =>
    `Ce code n'est pas le bon. Vérifiez le dernier message que nous vous avons envoyé et réessayez : il vous reste ${n(attemptsLeft)} ${plural(attemptsLeft, "essai", "essais")} avant que ce code soit bloqué.`,
  PasscodeLocked: ({ purpose }) => `Ce code est bloqué après trop d'entrées erronées. ${again(purpose)}`,
  PasscodeExpired: ({ purpose }) =>
    `Ce code est expiré. ${purpose === "login-otp" ? "Demandez un nouveau code ou recommencez la connexion." : again(purpose)}`,
  PasscodeUsed: ({ purpose }) =>
    purpose === "login-otp"
      ? "Ce code a déjà été utilisé. Recommencez la connexion pour obtenir un nouveau code."
      : "Ce lien a déjà été utilisé. Connectez-vous avec votre carte santé pour continuer.",
  PasscodeSuperseded: () =>
    "Un code plus récent a été envoyé après celui-ci, et seul le plus récent fonctionne. Utilisez le code du dernier message.",
  ResendTooSoon: ({ retryAfterSeconds: s }) =>
    `Un code vient d'être envoyé; il peut prendre une minute à arriver. Vous pourrez en demander un autre dans ${n(s)} ${plural(s, "seconde", "secondes")}.`,
  ResendLimitReached: ({ retryAfterSeconds }) => {
    const hours = Math.ceil(retryAfterSeconds / 3600)
    return `Nous avons envoyé autant de codes que possible pour l'instant. Réessayez dans ${n(hours)} ${plural(hours, "heure", "heures")}, ou appelez la clinique.`
  },
  TooManyAttempts: ({ retryAfterSeconds }) => {
    const minutes = Math.ceil(retryAfterSeconds / 60)
    return `Trop de codes erronés ont été entrés pour ce compte. Pour votre sécurité, réessayez dans ${n(minutes)} ${plural(minutes, "minute", "minutes")}, ou appelez la clinique.`
  },
  RateLimited: ({ retryAfterSeconds: s }) =>
    `Trop de tentatives à partir de votre réseau. Réessayez dans ${n(s)} ${plural(s, "seconde", "secondes")}.`,
  SessionExpired: () => "Votre session a pris fin. Veuillez vous reconnecter.",
  SessionNotFound: () => "Cette session ne figure pas parmi les vôtres. Actualisez la liste de vos sessions.",
  ChallengeNotFound: () => "Cette tentative de connexion est inconnue. Recommencez la connexion.",
  LinkNotFound: () =>
    "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier, ou connectez-vous avec votre carte santé.",
  ContactUnreadable: () =>
    "Entrez l'adresse courriel ou le numéro de cellulaire que la clinique a dans votre dossier, p. ex. nom@example.org ou 416 555 0100.",
  NoContactOnFile: () =>
    "Il n'y a ni adresse courriel ni numéro de cellulaire à votre dossier où envoyer un code. Demandez à la clinique d'en ajouter un.",
  OriginRefused: () => "Cette demande ne provient pas du portail. Ouvrez le portail et réessayez.",
  ApiKeyInvalid: () =>
    "La clé d'API est absente, inconnue ou révoquée : envoyez-la sous la forme `Authorization: Bearer cpk_…`, ou demandez-en une nouvelle à l'administrateur de la clinique.",

  // Records and listings.
  NotFound: ({ kind }) => {
    const [noun, gender] = RECORDS[kind] ?? ["Cet élément", "m"]
    return gender === "f"
      ? `${noun} ne figure pas parmi les vôtres. Elle a peut-être été supprimée; actualisez la page et réessayez.`
      : `${noun} ne figure pas parmi les vôtres. Il a peut-être été supprimé; actualisez la page et réessayez.`
  },
  InvalidCursor: () => "Ce lien de page n'est pas valide. Rechargez la liste à partir de sa première page.",
  InvalidPageSize: ({ limit, max, message }) => {
    const what = staffPageItems[/^A page holds 1 to \d+ (.+?); /.exec(message)?.[1] ?? "entries"] ?? "entrées"
    return `Une page contient de 1 à ${n(max)} ${what}; vous en avez demandé ${n(limit)}. Demandez un nombre entier dans cet intervalle.`
  },

  // Messages.
  ReplyNotAllowed: () =>
    "La clinique n'accepte pas de réponse à ce message. Pour joindre la clinique, appelez-la ou utilisez un autre message qui accepte les réponses.",
  MessageTextInvalid: ({ field, problem, length, maxLength }) => {
    const what = field === "subject" ? "L'objet" : field === "body" ? "Le texte" : `Le champ « ${field} »`
    return problem === "empty"
      ? `${what} est vide. Écrivez quelque chose avant d'envoyer.`
      : `${what} est trop long : ${n(length)} caractères, au plus ${n(maxLength)}. Raccourcissez-le et envoyez de nouveau.`
  },

  // Appointments.
  SlotTaken: () =>
    "Cette heure vient d'être prise. Choisissez une autre heure parmi les disponibilités actuelles du professionnel de la santé.",
  SlotUnavailable: () =>
    "Cette heure n'est pas offerte pour un rendez-vous. Choisissez une heure parmi les disponibilités actuelles du professionnel de la santé.",
  ChangeWindowClosed: ({ windowMinutes }) =>
    `Les rendez-vous peuvent être modifiés ou annulés en ligne jusqu'à ${spell(windowMinutes)} avant leur début. Veuillez appeler la clinique pour modifier ou annuler celui-ci.`,
  AppointmentNotChangeable: ({ status }) =>
    `Ce rendez-vous est ${APPOINTMENT_STATUS[status] ?? status} et ne peut pas être modifié de cette façon. Actualisez la page pour voir où il en est.`,
  AvailabilityRangeInvalid: ({ reason, maxDays }) =>
    reason === "empty"
      ? "La fin de la période doit venir après son début."
      : `Demandez au plus ${n(maxDays)} ${plural(maxDays, "jour", "jours")} de disponibilités à la fois.`,
  AppointmentRangeInvalid: () => "La fin de la période doit venir après son début.",

  // Pre-visit questionnaires.
  QuestionnaireInvalid: ({ items }) => {
    const count = items.length
    return `${n(count)} ${plural(count, "réponse demande", "réponses demandent")} votre attention avant que ce questionnaire puisse être soumis : ${items
      .map((i) => `${i.linkId} : ${itemFrench(i)}`)
      .join("; ")}.`
  },
  TaskAlreadyCompleted: () =>
    "Ce questionnaire a déjà été soumis et ne peut pas l'être de nouveau. Si une réponse doit être corrigée, envoyez un message à la clinique.",
  TaskCancelled: () =>
    "Ce questionnaire n'est plus nécessaire, car son rendez-vous a été annulé. Si vous prenez un nouveau rendez-vous, vous en recevrez un nouveau.",

  // Photo uploads.
  UploadRejected: (body) =>
    body.reason === "not-a-photo"
      ? "Ce fichier n'est pas une photo JPEG, PNG ou HEIC. Prenez une photo avec l'appareil photo de votre téléphone, ou choisissez une image JPEG, PNG ou HEIC, puis téléversez-la de nouveau."
      : `Cette photo dépasse ${mib(body.maxSize)} : ${size(body.size, body.maxSize)}. Reprenez-la à une résolution plus basse, ou recadrez-la, puis téléversez-la de nouveau.`,
  UploadRequestUsed: () =>
    "Ce lien de téléversement a déjà servi : la clinique a reçu votre photo. Pour en envoyer une autre, demandez un nouveau lien de téléversement à la clinique.",
  UploadRequestExpired: () =>
    "Ce lien de téléversement est expiré. Demandez un nouveau lien de téléversement à la clinique.",
  UploadRequestCancelled: () =>
    "La clinique n'a plus besoin de cette photo et a annulé la demande. Appelez la clinique si vous voulez tout de même en envoyer une.",
  UploadMalformed: ({ field, problem }) =>
    problem === "missing"
      ? `Choisissez une photo et envoyez-la comme fichier « ${field} » d'un formulaire multipart.`
      : problem === "too-many-parts"
        ? "Envoyez une seule photo à la fois."
        : "Le téléversement n'a pas pu être lu. Choisissez la photo de nouveau et envoyez-la.",

  // Virtual visits.
  AccessCodeInvalid: () =>
    "Ce code d'accès n'ouvre aucune consultation. Utilisez le code du plus récent message de la clinique (un nouveau code remplace les anciens) et tapez-le exactement, en respectant les majuscules et les minuscules.",
  VisitNotOpenYet: ({ opensAt, startsAt }) => {
    const minutes = minutesBetween(opensAt, startsAt)
    return `Votre consultation n'est pas encore ouverte. Vous pourrez la rejoindre à partir de ${opensAt}, ${n(minutes)} ${plural(minutes, "minute", "minutes")} avant son début; revenez à ce moment avec le même code.`
  },
  VisitEnded: () =>
    "Cette consultation est terminée. Si vous devez encore consulter, communiquez avec la clinique ou prenez un autre rendez-vous.",
  MeetingUrlMissing: () =>
    "La salle vidéo de cette consultation n'est pas encore prête. Veuillez appeler la clinique; on vous dira comment vous joindre à la consultation.",

  // Demographics.
  AddressInvalid: ({ problems }) => `Vérifiez votre adresse : ${problems.map(ADDRESS_PROBLEM).join("; ")}.`,
  PreferenceNeedsContact: ({ missing }) =>
    missing === "mobile"
      ? "Pour être avisé par texto, ajoutez d'abord un numéro de cellulaire et confirmez-le avec le code que nous y enverrons."
      : "Pour être avisé par courriel, ajoutez d'abord une adresse courriel et confirmez-la avec le code que nous y enverrons.",
  ContactInvalid: ({ channel }) =>
    channel === "email"
      ? "Entrez une adresse courriel comme nom@example.org."
      : "Entrez un numéro de cellulaire avec son indicatif régional, p. ex. 416 555 0100, ou avec son indicatif de pays, p. ex. +44 7400 123456.",
  ContactUnchanged: ({ channel }) =>
    channel === "email"
      ? "C'est déjà votre adresse courriel; il n'y a rien à changer."
      : "C'est déjà votre numéro de cellulaire; il n'y a rien à changer.",
  ContactChangeNotFound: () =>
    "Ce changement de coordonnées en attente ne figure pas parmi les vôtres. Entrez de nouveau la nouvelle adresse courriel ou le nouveau numéro de cellulaire pour obtenir un nouveau code.",

  // The clinic's side.
  PatientDetailsInvalid: ({ fields }) =>
    `Vérifiez les renseignements du patient et inscrivez-le de nouveau : ${fields
      .map((f) => `${f.field} : ${fieldFrench(f.message)}`)
      .join("; ")}.`,
  PatientAlreadyRegistered: ({ patientId }) =>
    `Un patient ayant cette carte santé est déjà inscrit à cette clinique (patient ${patientId}). Ouvrez son dossier et mettez-le à jour au lieu de l'inscrire de nouveau.`,
  NameInvalid: ({ of: what, maxLength }) =>
    `Donnez ${what === "provider" ? "au professionnel de la santé" : "au type de rendez-vous"} un nom de 1 à ${n(maxLength)} caractères.`,
  WeeklyHoursInvalid: ({ problems }) =>
    `Vérifiez l'horaire hebdomadaire : ${problems.map(HOURS_PROBLEM).join("; ")}. Les plages d'une même journée peuvent se toucher, mais pas se chevaucher.`,
  MeetingUrlInvalid: () =>
    "Le lien de la réunion doit être une adresse https:// complète, p. ex. https://meet.example.org/dr-chen.",
  DurationInvalid: ({ minutes, minimum, maximum }) =>
    `Un type de rendez-vous dure un nombre entier de minutes de ${n(minimum)} à ${n(maximum)}; ${n(minutes)} n'en est pas un.`,
  UnknownQuestionnaires: ({ questionnaireIds }) =>
    `Ces questionnaires ne font pas partie de ceux de votre clinique : ${questionnaireIds.join(", ")}. Définissez-les d'abord, ou retirez-les.`,
  BlockedPeriodInvalid: () => "La fin d'une période bloquée doit venir après son début.",
  BlockedPeriodNotFound: () =>
    "Cette période bloquée ne figure pas parmi celles de votre clinique. Elle a peut-être déjà été supprimée; actualisez l'horaire.",
  QuestionnaireDefinitionInvalid: ({ problems }) =>
    `Ce questionnaire ne peut pas encore être enregistré : ${problems
      .map((p) =>
        p.linkId === null ? definitionFrench(p.message) : `${p.linkId} : ${definitionFrench(p.message)}`
      )
      .join("; ")}.`,
  UploadNoteInvalid: ({ length, maxLength }) =>
    `La note est trop longue : ${n(length)} caractères, au plus ${n(maxLength)}. Raccourcissez-la et réessayez.`,
  VisitNotBooked: ({ status }) =>
    `Ce rendez-vous est ${APPOINTMENT_STATUS[status] ?? status}; un code d'accès ne peut être envoyé que pour une consultation virtuelle réservée. Confirmez-le ou fixez-le de nouveau d'abord.`,

  // The HTTP layer's own refusals.
  RouteNotFound: () => "Ce point de terminaison n'existe pas. Consultez /docs pour connaître l'API.",
  UnsupportedMediaType: () =>
    "Ce point de terminaison n'accepte pas de corps de ce type (Content-Type). Envoyez du JSON (Content-Type: application/json), ou du multipart/form-data pour le téléversement d'une photo; /docs indique ce que chaque point de terminaison accepte.",
  PayloadTooLarge: ({ maxBytes }) =>
    `Le corps d'une requête peut compter au plus ${mib(maxBytes)} de JSON (une photo : 10 Mio, en multipart/form-data). Envoyez moins de données.`
}

/**
 * The details of some tags carry a message of their own per failing item or field: in French,
 * those are rewritten too (each keeps its `linkId`, `field` and `problem`).
 */
const frenchDetails: { readonly [T in ErrorTag]?: (body: BodyOf<T>) => BodyOf<T> } = {
  QuestionnaireInvalid: (body) => ({
    ...body,
    items: body.items.map((i) => ({ ...i, message: typeset(itemFrench(i)) }))
  }),
  PatientDetailsInvalid: (body) => ({
    ...body,
    fields: body.fields.map((f) => ({ ...f, message: typeset(fieldFrench(f.message)) }))
  }),
  QuestionnaireDefinitionInvalid: (body) => ({
    ...body,
    problems: body.problems.map((p) => ({ ...p, message: typeset(definitionFrench(p.message)) }))
  })
}

// ---------------------------------------------------------------------------------------------
// Problem details (RFC 9457): the 400 of schema validation, the 500 of an unencodable answer
// ---------------------------------------------------------------------------------------------

const PROBLEM_TITLES: Readonly<Record<string, string>> = {
  "Bad Request": "Requête incorrecte",
  Unauthorized: "Non autorisé",
  Forbidden: "Interdit",
  "Not Found": "Introuvable",
  Conflict: "Conflit",
  "Payload Too Large": "Contenu trop volumineux",
  "Unsupported Media Type": "Type de média non pris en charge",
  "Unprocessable Entity": "Entité impossible à traiter",
  "Too Many Requests": "Trop de requêtes",
  "Internal Server Error": "Erreur interne du serveur",
  "Service Unavailable": "Service indisponible"
}

const PROBLEM_DETAILS: Readonly<Record<string, string>> = {
  "Request validation failed": "La validation de la requête a échoué"
}

/** A problem-details body in French: `title`, `detail` and each `errors[].message`; `undefined` when none is known. */
export const frenchProblem = (
  body: Readonly<Record<string, unknown>>
): Readonly<Record<string, unknown>> | undefined => {
  const title = typeof body.title === "string" ? PROBLEM_TITLES[body.title] : undefined
  const detail = typeof body.detail === "string" ? PROBLEM_DETAILS[body.detail] : undefined
  if (title === undefined && detail === undefined) return undefined
  const errors = Array.isArray(body.errors)
    ? body.errors.map((e: unknown) =>
        typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string"
          ? { ...e, message: typeset(issueFrench((e as { message: string }).message)) }
          : e
      )
    : body.errors
  return {
    ...body,
    ...(title === undefined ? {} : { title }),
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors })
  }
}

// ---------------------------------------------------------------------------------------------
// Bodies and responses
// ---------------------------------------------------------------------------------------------

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Whether `tag` is one of ours (and not, say, `toString`). */
const isTag = (tag: string): tag is ErrorTag => Object.hasOwn(french, tag)

/**
 * An error body in `language`, and the language it ended up in: the same body in English, or
 * for a body this module cannot render (an unknown tag, details of another shape).
 */
export const localizeBody = (
  body: unknown,
  language: Language
): { readonly body: unknown; readonly language: Language } => {
  const english = { body, language: "en" } as const
  if (language === "en" || !isRecord(body)) return english
  const translated = attempt(() => {
    const tag = body.error
    if (typeof tag === "string" && typeof body.message === "string") {
      if (!isTag(tag)) return undefined
      // The body is our own server's, of this tag's contract schema; a shape that is not throws,
      // and the English stays.
      const render = french[tag] as (b: unknown) => string
      const message = render(body)
      if (typeof message !== "string" || message.trim() === "") return undefined
      const details = frenchDetails[tag] as ((b: unknown) => unknown) | undefined
      const rest = details === undefined ? body : details(body)
      return { ...(rest as Record<string, unknown>), message: typeset(message) }
    }
    return tag === undefined ? frenchProblem(body) : undefined
  })
  return translated === undefined ? english : { body: translated, language }
}

/** Error bodies are small; a larger one is passed through rather than parsed. */
const MAX_LOCALIZED_BYTES = 256 * 1024

const JSON_TYPE = /^application\/(?:problem\+)?json\s*(?:;|$)/i

const withVary = (vary: string | undefined) =>
  vary === undefined || vary.trim() === ""
    ? "Accept-Language"
    : /(?:^|,)\s*(?:\*|accept-language)\s*(?:,|$)/i.test(vary)
      ? vary
      : `${vary}, Accept-Language`

/**
 * A response with its error body in the language `Accept-Language` asks for, and
 * `Content-Language` and `Vary: Accept-Language` set. Anything but a JSON body of a status ≥ 400
 * is returned as it is; so is any body that cannot be read or rendered (never a 5xx from here).
 */
export const localizeResponse = (
  acceptLanguage: string | undefined,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  if (response.status < 400) return response
  const body = response.body
  if (body._tag !== "Uint8Array" || body.contentLength > MAX_LOCALIZED_BYTES) return response
  const contentType = response.headers["content-type"] ?? body.contentType
  if (!JSON_TYPE.test(contentType)) return response
  const localized = attempt(() => {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body.body))
    if (!isRecord(parsed)) return undefined
    const wanted = negotiate(acceptLanguage)
    const result = localizeBody(parsed, wanted)
    const rewritten =
      result.body === parsed
        ? response
        : HttpServerResponse.setBody(response, HttpBody.text(JSON.stringify(result.body), contentType))
    return HttpServerResponse.setHeaders(rewritten, {
      "content-language": contentLanguage[result.language],
      vary: withVary(response.headers.vary)
    })
  })
  return localized ?? response
}

/**
 * The HTTP edge's part: runs `self` (a route, with whatever middleware turned its failures into
 * responses) and localizes the error body it answers with.
 */
export const localizeErrors = <E, R>(
  self: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.map(self, (response) => localizeResponse(request.headers["accept-language"], response))
  )
