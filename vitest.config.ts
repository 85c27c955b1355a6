import { defineConfig } from "vitest/config"

// One config, a project per package: `pnpm test` runs them all, `--project domain` one.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "domain",
          root: "packages/domain",
          include: ["test/**/*.test.ts"]
        }
      },
      {
        test: {
          name: "postgres",
          root: "packages/postgres",
          include: ["test/**/*.test.ts"],
          // Each file has its own schema; the database is shared, so keep timeouts generous.
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      },
      { test: { name: "sms", root: "packages/sms", include: ["test/**/*.test.ts"] } },
      { test: { name: "phone", root: "packages/phone", include: ["test/**/*.test.ts"] } },
      { test: { name: "email", root: "packages/email", include: ["test/**/*.test.ts"] } },
      { test: { name: "api", root: "packages/api", include: ["test/**/*.test.ts"] } },
      { test: { name: "client", root: "packages/client", include: ["test/**/*.test.ts"] } },
      { test: { name: "web-portal", root: "examples/web-portal", include: ["test/**/*.test.ts"] } },
      {
        test: {
          // The patient's journeys in Chromium against the composed reference server.
          name: "web-portal-browser",
          root: "examples/web-portal",
          include: ["browser/**/*.test.ts"],
          globalSetup: ["browser/globalSetup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000
        }
      },
      {
        test: {
          name: "reference-server",
          root: "examples/reference-server",
          include: ["test/**/*.test.ts"],
          testTimeout: 60_000
        }
      }
    ]
  }
})
