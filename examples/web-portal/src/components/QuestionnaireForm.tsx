/**
 * A pre-visit questionnaire as a form: one field per item, each with its own validation
 * message (checked here first, then by the API, whose per-item problems land on the same
 * fields). Sending it files the answers into the chart.
 */

import type { Contract } from "@careportal/client"
import { type FormEvent, useRef, useState } from "react"
import { type ApiProblem, call } from "../api.ts"
import type { Messages } from "../i18n/en.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { answersOf, type Draft, type ItemProblem, questionnaireProblems } from "../validation.ts"
import { focusFirstInvalid, RadioGroup, TextArea, TextField } from "./Form.tsx"
import { Problem } from "./Notice.tsx"

type Item = Contract.Questionnaire.QuestionnaireItem
type TaskView = Contract.PreVisit.PreVisitTaskView

const wordProblem = (t: Messages, problem: ItemProblem): string => {
  switch (problem.kind) {
    case "required":
      return t.questionnaire.errors.required
    case "integer":
      return t.questionnaire.errors.integer
    case "date":
      return t.questionnaire.errors.date
    case "min":
      return t.questionnaire.errors.min(problem.limit)
    case "max":
      return t.questionnaire.errors.max(problem.limit)
    case "tooLong":
      return t.questionnaire.errors.tooLong(problem.limit)
  }
}

const ItemField = ({
  item,
  fieldId,
  draft,
  error,
  onChange
}: {
  readonly item: Item
  readonly fieldId: string
  readonly draft: Draft
  readonly error: string | undefined
  readonly onChange: (draft: Draft) => void
}) => {
  const { t } = useI18n()
  switch (item.type) {
    case "text":
      return (
        <TextArea
          id={fieldId}
          label={item.text}
          error={error}
          required={item.required}
          rows={3}
          maxLength={item.maxLength}
          value={typeof draft === "string" ? draft : ""}
          onChange={(e) => onChange(e.target.value)}
        />
      )
    case "integer":
      return (
        <TextField
          id={fieldId}
          label={item.text}
          error={error}
          required={item.required}
          inputMode="numeric"
          value={typeof draft === "string" ? draft : ""}
          onChange={(e) => onChange(e.target.value)}
        />
      )
    case "date":
      return (
        <TextField
          id={fieldId}
          label={item.text}
          error={error}
          required={item.required}
          type="date"
          value={typeof draft === "string" ? draft : ""}
          onChange={(e) => onChange(e.target.value)}
        />
      )
    case "boolean":
      return (
        <RadioGroup
          name={fieldId}
          legend={item.text}
          error={error}
          required={item.required}
          options={[
            { value: "yes", label: t.questionnaire.yes },
            { value: "no", label: t.questionnaire.no }
          ]}
          value={draft === true ? "yes" : draft === false ? "no" : undefined}
          onChange={(v) => onChange(v === "yes")}
        />
      )
    case "choice":
      return (
        <RadioGroup
          name={fieldId}
          legend={item.text}
          error={error}
          required={item.required}
          options={item.options.map((o) => ({ value: o, label: o }))}
          value={typeof draft === "string" ? draft : undefined}
          onChange={onChange}
        />
      )
    case "multiple-choice": {
      const chosen = Array.isArray(draft) ? draft : []
      return (
        <fieldset
          className={error === undefined ? "field radios" : "field radios invalid"}
          aria-describedby={error === undefined ? undefined : `${fieldId}-error`}
        >
          <legend>
            {item.text}
            {item.required ? <span className="required"> ({t.required})</span> : null}
          </legend>
          {error === undefined ? null : (
            <p className="field-error" id={`${fieldId}-error`}>
              {error}
            </p>
          )}
          {item.options.map((o, i) => (
            <div className="radio" key={o}>
              <input
                type="checkbox"
                id={`${fieldId}-${i}`}
                checked={chosen.includes(o)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, o] : chosen.filter((x) => x !== o))}
              />
              <label htmlFor={`${fieldId}-${i}`}>{o}</label>
            </div>
          ))}
        </fieldset>
      )
    }
  }
}

/** The form of one open task; `onDone` once it is filed. */
export const QuestionnaireForm = ({
  view,
  onDone
}: {
  readonly view: TaskView
  readonly onDone: () => void
}) => {
  const { t } = useI18n()
  const items = view.questionnaire.items
  const [drafts, setDrafts] = useState<Record<string, Draft>>({})
  const [errors, setErrors] = useState<ReadonlyMap<string, string>>(new Map())
  const [problem, setProblem] = useState<ApiProblem>()
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  const fieldId = (linkId: string) => `q-${view.task.id}-${linkId.replace(/[^A-Za-z0-9_-]/g, "_")}`
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setProblem(undefined)
    const local = questionnaireProblems(items, drafts)
    const worded = new Map([...local].map(([linkId, p]) => [linkId, wordProblem(t, p)]))
    setErrors(worded)
    if (worded.size > 0) return focusFirstInvalid(form.current)
    setBusy(true)
    call((api) =>
      api.tasks.respond({
        params: { id: view.task.id },
        payload: { answers: answersOf(items, drafts) as never }
      })
    )
      .then(onDone, (p: ApiProblem) => {
        const serverItems = (p.details as { items?: ReadonlyArray<{ linkId: string; message: string }> })
          .items
        if (p.tag === "QuestionnaireInvalid" && serverItems !== undefined) {
          setErrors(new Map(serverItems.map((i) => [i.linkId, i.message])))
          focusFirstInvalid(form.current)
        } else setProblem(p)
      })
      .finally(() => setBusy(false))
  }
  return (
    <form
      ref={form}
      onSubmit={submit}
      noValidate
      className="questionnaire"
      aria-labelledby={`${fieldId("title")}-h`}
    >
      <h3 id={`${fieldId("title")}-h`}>{view.questionnaire.title}</h3>
      {errors.size > 0 ? (
        <div className="notice problem" role="alert">
          <p>{t.questionnaire.summary(errors.size)}</p>
        </div>
      ) : null}
      <Problem problem={problem} />
      {items.map((item) => (
        <ItemField
          key={item.linkId}
          item={item}
          fieldId={fieldId(item.linkId)}
          draft={drafts[item.linkId]}
          error={errors.get(item.linkId)}
          onChange={(draft) => setDrafts((d) => ({ ...d, [item.linkId]: draft }))}
        />
      ))}
      <button type="submit" className="primary" disabled={busy}>
        {t.questionnaire.submit}
      </button>
    </form>
  )
}
