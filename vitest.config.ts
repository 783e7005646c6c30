import { defineConfig } from "vitest/config";

export default defineConfig({
  // examples/ import the package by name, as a sibling service does; run them against the source.
  resolve: {
    alias: {
      "tessera/verify": new URL("./src/verify/index.ts", import.meta.url).pathname,
      "tessera/testing": new URL("./src/testing/index.ts", import.meta.url).pathname,
    },
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    // test/postgres/ needs a server: vitest.postgres.config.ts runs it.
    exclude: ["test/workers/**", "test/e2e/**", "test/postgres/**", "node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/node.json" },
  },
});
