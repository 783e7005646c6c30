// The workerd suite: test/workers/** runs inside workerd (miniflare) against D1, with the real
// Workers entry (src/worker/index.ts via wrangler.toml) behind `exports.default`.
// Run `node scripts/extract-wasm.mjs` first (`npm run test:workers` does): the entry imports
// src/worker/wasm/*.wasm, and the pool reads wrangler.toml without running its [build] command.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(new URL("./migrations", import.meta.url).pathname);
  return {
    plugins: [
      // A function, so the bindings can carry what the global setup's JWKS server provides.
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Override wrangler.toml's [vars]: a test key and cheap argon2id (real hashes, test speed).
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: "workers-test-secret-that-is-long-enough-0123",
            ARGON2_MEMORY_KIB: "64",
            ARGON2_ITERATIONS: "1",
            ARGON2_PARALLELISM: "1",
            JWKS_URL: inject("jwksUrl"),
            JWKS_SIGNING_KEY: inject("jwksSigningKey"),
          },
        },
      })),
    ],
    // As in wrangler.toml [alias]: the suite runs the slim hash-wasm that the bundle ships.
    resolve: { alias: { "hash-wasm": new URL("./src/worker/wasm/hash-wasm.mjs", import.meta.url).pathname } },
    test: {
      include: ["test/workers/**/*.test.ts"],
      setupFiles: ["./test/workers/apply-migrations.ts"],
      // Run in Node: a JWKS endpoint for the sibling tests' jwksUrl, and a real OpenID provider
      // for the provider sign-in test, both on 127.0.0.1.
      globalSetup: ["./test/support/workers-jwks-server.ts", "./test/workers/provider-global-setup.ts"],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      // Audit events are one JSON line each on stdout by design; keep them out of the test output.
      onConsoleLog: (log: string) => !log.includes('"audit":true'),
      reporters: ["default", "json"],
      outputFile: { json: "test-results/workers.json" },
    },
  };
});
