import { readdirSync, readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// The HTTP tests again, with the harness on PostgreSQL (test/support/harness.ts reads
// TESSERA_TEST_DATABASE), plus the PostgreSQL-only tests in test/postgres/. Needs a server:
// TESSERA_TEST_POSTGRES_URL, which scripts/with-postgres.sh provides.
const url = process.env.TESSERA_TEST_POSTGRES_URL;

// Files that build apps or databases through the harness; the rest have no database to vary or
// are SQLite by nature without using it: group-commit.test.ts (SQLite's group commit) and
// node-entry.test.ts (the entry on a SQLite file; test/postgres/node-entry.test.ts is its twin).
const harnessFiles = readdirSync("test")
  .filter((f) => f.endsWith(".test.ts") && readFileSync(`test/${f}`, "utf8").includes("./support/harness.js"))
  .map((f) => `test/${f}`);

// Inherently SQLite, each for one reason:
const SQLITE_ONLY = [
  "test/session-repository-contract.test.ts", // the contract on better-sqlite3; test/postgres/ runs it on PostgreSQL
  "test/cli.test.ts", // drives the CLI against SQLite files (DATABASE_PATH); test/postgres/cli.test.ts covers DATABASE_URL
];

if (!url) {
  console.log(
    "PostgreSQL tests skipped: TESSERA_TEST_POSTGRES_URL is not set. Run them with `scripts/with-postgres.sh npm test` (starts a throwaway server) or point it at a server of your own.",
  );
}

export default defineConfig({
  resolve: base.resolve,
  test: {
    include: url ? [...harnessFiles.filter((f) => !SQLITE_ONLY.includes(f)), "test/postgres/**/*.test.ts"] : [],
    passWithNoTests: true,
    env: { TESSERA_TEST_DATABASE: "postgres" },
    setupFiles: ["test/support/postgres-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/postgres.json" },
  },
});
