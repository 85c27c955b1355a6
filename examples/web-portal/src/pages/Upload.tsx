/**
 * The photo a clinic asked for, through its secure link: pick a JPEG, PNG or HEIC of at most
 * 10 MiB, watch it go, and read that it is in the record. A file that is not a photo or is too
 * large is refused here before anything is sent (and by the API again, by its bytes).
 */
import { type FormEvent, useRef, useState } from "react"
import { type ApiProblem, call } from "../api.ts"
import { focusFirstInvalid } from "../components/Form.tsx"
import { Info, Problem, Status } from "../components/Notice.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { useLoad, usePageTitle } from "../state.tsx"
import { fetchWithUploadProgress } from "../upload.ts"
import { photoProblem } from "../validation.ts"

export const UploadPage = ({ id }: { readonly id: string }) => {
  const { t, language } = useI18n()
  const heading = usePageTitle(t.upload.title)
  const request = useLoad(() => call((api) => api.uploads.describe({ params: { id: id as never } })), id)
  const [file, setFile] = useState<File>()
  const [error, setError] = useState<string>()
  const [problem, setProblem] = useState<ApiProblem>()
  const [progress, setProgress] = useState<number>()
  const [done, setDone] = useState(false)
  const form = useRef<HTMLFormElement>(null)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setProblem(undefined)
    if (file === undefined) {
      setError(t.upload.errors.missing)
      return focusFirstInvalid(form.current)
    }
    const head = new Uint8Array(await file.slice(0, 16).arrayBuffer())
    const refused = photoProblem(file, head)
    if (refused !== undefined) {
      setError(
        refused === "tooLarge"
          ? t.upload.errors.tooLarge(
              new Intl.NumberFormat(language === "fr" ? "fr-CA" : "en-CA", {
                minimumFractionDigits: 1,
                maximumFractionDigits: 1
              }).format(file.size / (1024 * 1024))
            )
          : t.upload.errors.notAPhoto
      )
      return focusFirstInvalid(form.current)
    }
    setError(undefined)
    setProgress(0)
    const body = new FormData()
    body.append("photo", file, file.name)
    call((api) => api.uploads.upload({ params: { id: id as never }, payload: body as never }), {
      fetchImpl: fetchWithUploadProgress(setProgress)
    }).then(
      () => setDone(true),
      (p: ApiProblem) => {
        setProgress(undefined)
        if (p.tag === "UploadRejected") {
          setError(p.message)
          focusFirstInvalid(form.current)
        } else setProblem(p)
      }
    )
  }

  const state = request.value?.state
  return (
    <section>
      <h1 ref={heading} tabIndex={-1}>
        {t.upload.title}
      </h1>
      <Problem problem={request.problem} />
      {request.value === undefined ? (
        request.problem === undefined ? (
          <p>{t.loading}</p>
        ) : null
      ) : done ? (
        <Status>
          <p>{t.upload.done}</p>
        </Status>
      ) : state !== "open" ? (
        <Info>
          <p>
            {state === "used" ? t.upload.used : state === "cancelled" ? t.upload.cancelled : t.upload.expired}
          </p>
        </Info>
      ) : (
        <form ref={form} onSubmit={submit} noValidate className="card">
          <p>{t.upload.intro}</p>
          {request.value.note === null ? null : (
            <blockquote aria-label={t.upload.note}>{request.value.note}</blockquote>
          )}
          <Problem problem={problem} />
          <div className={error === undefined ? "field" : "field invalid"}>
            <label htmlFor="photo">{t.upload.file}</label>
            <p className="hint" id="photo-hint">
              {t.upload.fileHint}
            </p>
            {error === undefined ? null : (
              <p className="field-error" id="photo-error">
                {error}
              </p>
            )}
            <input
              id="photo"
              name="photo"
              type="file"
              accept="image/jpeg,image/png,image/heic,image/heif,.heic,.heif"
              aria-describedby={error === undefined ? "photo-hint" : "photo-hint photo-error"}
              aria-invalid={error === undefined ? undefined : true}
              onChange={(e) => {
                setFile(e.target.files?.[0])
                setError(undefined)
              }}
            />
          </div>
          {progress === undefined ? null : (
            <div className="field">
              <label htmlFor="upload-progress">{t.upload.progress}</label>
              <progress id="upload-progress" max={1} value={progress}>
                {Math.round(progress * 100)}%
              </progress>
            </div>
          )}
          <button type="submit" className="primary" disabled={progress !== undefined}>
            {t.upload.submit}
          </button>
        </form>
      )}
    </section>
  )
}
