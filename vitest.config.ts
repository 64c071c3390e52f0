import { defineConfig } from "vitest/config";

// `npm test` runs exactly these files; `.ci/run` runs the same set.
export default defineConfig({
  test: {
    include: ["spec-tests/**/*.test.ts", "property-tests/**/*.test.ts", "runtime/**/*.test.ts"],
    // The CLI tests build the project and spawn the compiler; spec tests will start servers.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
