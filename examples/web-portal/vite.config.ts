/**
 * The portal's build: `pnpm --filter @careportal/web-portal build` writes `dist/`, which the
 * reference server serves at `/` on the API's origin. `pnpm --filter @careportal/web-portal dev`
 * serves the sources on :5173 and forwards the API's paths to the server on :3000 (start it with
 * `PORTAL_ORIGINS=http://localhost:5173,http://localhost:3000` so the dev page may post).
 */
import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

const api = process.env.CAREPORTAL_API ?? "http://localhost:3000"

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // effect is large; the warning says nothing a patient would notice on a portal's first load.
    chunkSizeWarningLimit: 1500
  },
  server: {
    proxy: { "/v1": api, "/health": api }
  }
})
