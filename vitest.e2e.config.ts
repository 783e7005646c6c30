import { defineConfig } from "vitest/config";

// Browser tests: real Chromium against a real Node server, one file at a time in one fork
// (a Chromium per worker would be slow and fight over CPU).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/e2e.json" },
  },
});
