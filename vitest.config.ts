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
      }
    ]
  }
})
