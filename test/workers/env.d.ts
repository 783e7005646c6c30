// Types for the workerd suite: the bindings it sees (wrangler.toml plus vitest.workers.config.ts)
// and the main module behind `exports.default`.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../../src/worker/index.js");
  }
  interface Env {
    DB: D1Database;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    JWT_SECRET: string;
    ENVIRONMENT: string;
    ARGON2_MEMORY_KIB: string;
    ARGON2_ITERATIONS: string;
    ARGON2_PARALLELISM: string;
    /** A JWKS endpoint on 127.0.0.1 (test/support/workers-jwks-server.ts) and its signing key, a private JWK. */
    JWKS_URL: string;
    JWKS_SIGNING_KEY: string;
  }
}
