/**
 * A `fetch` on XMLHttpRequest, for the one call whose progress the patient watches: the photo
 * upload. fetch cannot report upload progress; the derived client takes this in place of the
 * global fetch for that call only (`call(f, { fetchImpl })`), so the request is still the
 * contract's.
 */
export const fetchWithUploadProgress =
  (onProgress: (fraction: number) => void): typeof globalThis.fetch =>
  (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const request = input instanceof Request ? input : new Request(input, init)
      const xhr = new XMLHttpRequest()
      xhr.open(init?.method ?? request.method, request.url)
      xhr.withCredentials = false
      new Headers(init?.headers ?? request.headers).forEach((value, key) => {
        // The browser sets the multipart boundary itself for a FormData body.
        if (!(init?.body instanceof FormData && key === "content-type")) xhr.setRequestHeader(key, value)
      })
      xhr.responseType = "blob"
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total)
      }
      xhr.onload = () => {
        onProgress(1)
        const headers = new Headers()
        for (const line of xhr
          .getAllResponseHeaders()
          .trim()
          .split(/[\r\n]+/)) {
          const at = line.indexOf(":")
          if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim())
        }
        resolve(
          new Response(xhr.response as Blob, { status: xhr.status, statusText: xhr.statusText, headers })
        )
      }
      xhr.onerror = () => reject(new TypeError("Network request failed"))
      xhr.onabort = () => reject(new DOMException("Aborted", "AbortError"))
      init?.signal?.addEventListener("abort", () => xhr.abort())
      xhr.send((init?.body ?? null) as XMLHttpRequestBodyInit | null)
    })
