/**
 * Form pieces that keep a field's label, hint and error tied together: the error is in the
 * input's `aria-describedby`, the input is `aria-invalid`, so a screen reader reads the
 * problem with the field, and a keyboard user meets it where they type.
 */
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react"
import { useI18n } from "../i18n/I18n.tsx"

interface FieldProps {
  readonly id: string
  readonly label: string
  readonly hint?: string | undefined
  readonly error?: string | undefined
  readonly required?: boolean | undefined
}

const describedBy = (id: string, hint: string | undefined, error: string | undefined) =>
  [hint === undefined ? undefined : `${id}-hint`, error === undefined ? undefined : `${id}-error`]
    .filter((x) => x !== undefined)
    .join(" ") || undefined

const Label = ({ id, label, required }: Pick<FieldProps, "id" | "label" | "required">) => {
  const { t } = useI18n()
  return (
    <label htmlFor={id}>
      {label}
      {required === true ? <span className="required"> ({t.required})</span> : null}
    </label>
  )
}

const HintAndError = ({ id, hint, error }: Pick<FieldProps, "id" | "hint" | "error">) => (
  <>
    {hint === undefined ? null : (
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
    )}
    {error === undefined ? null : (
      <p className="field-error" id={`${id}-error`}>
        {error}
      </p>
    )}
  </>
)

/** A labelled input. */
export const TextField = ({
  id,
  label,
  hint,
  error,
  required,
  ...input
}: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "required">) => (
  <div className={error === undefined ? "field" : "field invalid"}>
    <Label id={id} label={label} required={required} />
    <HintAndError id={id} hint={hint} error={error} />
    <input
      id={id}
      name={id}
      aria-describedby={describedBy(id, hint, error)}
      aria-invalid={error === undefined ? undefined : true}
      aria-required={required === true ? true : undefined}
      {...input}
    />
  </div>
)

/** A labelled text area. */
export const TextArea = ({
  id,
  label,
  hint,
  error,
  required,
  ...area
}: FieldProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id" | "required">) => (
  <div className={error === undefined ? "field" : "field invalid"}>
    <Label id={id} label={label} required={required} />
    <HintAndError id={id} hint={hint} error={error} />
    <textarea
      id={id}
      name={id}
      aria-describedby={describedBy(id, hint, error)}
      aria-invalid={error === undefined ? undefined : true}
      aria-required={required === true ? true : undefined}
      {...area}
    />
  </div>
)

/** A labelled select. */
export const SelectField = ({
  id,
  label,
  hint,
  error,
  required,
  children,
  ...select
}: FieldProps & { readonly children: ReactNode } & Omit<
    SelectHTMLAttributes<HTMLSelectElement>,
    "id" | "required"
  >) => (
  <div className={error === undefined ? "field" : "field invalid"}>
    <Label id={id} label={label} required={required} />
    <HintAndError id={id} hint={hint} error={error} />
    <select
      id={id}
      name={id}
      aria-describedby={describedBy(id, hint, error)}
      aria-invalid={error === undefined ? undefined : true}
      aria-required={required === true ? true : undefined}
      {...select}
    >
      {children}
    </select>
  </div>
)

/** A checkbox with its label beside it. */
export const Checkbox = ({
  id,
  label,
  hint,
  ...input
}: Omit<FieldProps, "error" | "required"> & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "type">) => (
  <div className="field checkbox">
    <input id={id} name={id} type="checkbox" aria-describedby={describedBy(id, hint, undefined)} {...input} />
    <label htmlFor={id}>{label}</label>
    {hint === undefined ? null : (
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
    )}
  </div>
)

/** A group of radio buttons under a legend. */
export const RadioGroup = <V extends string>({
  name,
  legend,
  options,
  value,
  onChange,
  error,
  required
}: {
  readonly name: string
  readonly legend: string
  readonly options: ReadonlyArray<{ readonly value: V; readonly label: string }>
  readonly value: V | undefined
  readonly onChange: (value: V) => void
  readonly error?: string | undefined
  readonly required?: boolean | undefined
}) => {
  const { t } = useI18n()
  return (
    <fieldset
      className={error === undefined ? "field radios" : "field radios invalid"}
      aria-describedby={error === undefined ? undefined : `${name}-error`}
    >
      <legend>
        {legend}
        {required === true ? <span className="required"> ({t.required})</span> : null}
      </legend>
      {error === undefined ? null : (
        <p className="field-error" id={`${name}-error`}>
          {error}
        </p>
      )}
      {options.map((option) => (
        <div className="radio" key={option.value}>
          <input
            type="radio"
            id={`${name}-${option.value}`}
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          <label htmlFor={`${name}-${option.value}`}>{option.label}</label>
        </div>
      ))}
    </fieldset>
  )
}

/**
 * Moves the focus to the first invalid field of a form after a refused submit, so a keyboard or
 * screen-reader user lands on what to fix.
 */
export const focusFirstInvalid = (form: HTMLFormElement | null) => {
  requestAnimationFrame(() => {
    const first = form?.querySelector<HTMLElement>("[aria-invalid='true'], fieldset.invalid input")
    first?.focus()
  })
}

/** "Stay logged in", with what it means: the same box on the login and on a link's page. */
export const StayLoggedIn = ({
  checked,
  onChange
}: {
  readonly checked: boolean
  readonly onChange: (checked: boolean) => void
}) => {
  const { t } = useI18n()
  return (
    <Checkbox
      id="stayLoggedIn"
      label={t.login.stayLoggedIn}
      hint={t.login.stayHint}
      checked={checked}
      onChange={(e) => onChange(e.target.checked)}
    />
  )
}
