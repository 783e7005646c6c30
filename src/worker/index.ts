// Workers entry: `wrangler.toml` points here. Builds the runtime-agnostic app once per isolate
// from the bindings (D1 + vars/secrets) and purges expired rows on the cron trigger.
import { Kysely } from "kysely";
import { createApp } from "../app.js";
import { jsonLineAuditSink } from "../audit/audit-log.js";
import { bootstrapAdmin } from "../bootstrap-admin.js";
import { ConfigError, parseConfig, type Env } from "../config.js";
import type { Database } from "../db/schema.js";
import { createHashWasmHasher } from "../passwords/hash-wasm-hasher.js";
import { workersClientIp } from "./client-ip.js";
import { D1Dialect, d1Batch } from "./d1-dialect.js";
import argon2 from "./wasm/argon2.wasm";
import blake2b from "./wasm/blake2b.wasm";
import { installHashWasmShim } from "./wasm-shim.js";

// Before anything can hash: workerd refuses to compile hash-wasm's embedded wasm at run time.
installHashWasmShim({ argon2, blake2b });

/** The bindings of `wrangler.toml`: the D1 database, plus string vars and secrets read by `parseConfig`. */
export interface WorkerEnv {
  DB: D1Database;
}

type App = ReturnType<typeof createApp>;

// Keyed by the env object: one app per isolate (and a fresh one for a test that passes its own env).
const apps = new WeakMap<object, Promise<App>>();

/** Only string bindings are configuration; D1 and other bindings are not. */
function stringBindings(env: WorkerEnv): Env {
  const vars: Env = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === "string") vars[name] = value;
  return vars;
}

async function buildApp(env: WorkerEnv): Promise<App> {
  const config = parseConfig(stringBindings(env), { warn: (message) => console.warn(message) });
  const app = createApp({
    db: new Kysely<Database>({ dialect: new D1Dialect(env.DB) }),
    writeBatch: (queries) => d1Batch(env.DB, queries),
    config,
    passwords: createHashWasmHasher(config.argon2),
    clientIp: workersClientIp,
    audit: jsonLineAuditSink((line) => console.log(line)),
  });
  await app.services.keys; // a signing key that does not import is a configuration error, kept
  await bootstrapAdmin(app.services, config);
  return app;
}

function appFor(env: WorkerEnv): Promise<App> {
  let pending = apps.get(env);
  if (pending === undefined) {
    pending = buildApp(env);
    apps.set(env, pending);
    pending.catch((e: unknown) => {
      // One line per failed start. A bad configuration (a refused bootstrap admin included) stays
      // bad for this env, so its failure is kept: no log flood, no argon2id hash per request.
      // Anything else (a D1 hiccup during bootstrap) is retried next request.
      const config = e instanceof ConfigError;
      console.error(
        JSON.stringify({
          level: "error",
          message: config ? "tessera: configuration error" : "tessera: failed to start",
          name: (e as Error)?.name,
          // Start-up has no request input, and ConfigError names the variable, never its value.
          detail: (e as Error)?.message,
        }),
      );
      if (!config) apps.delete(env);
    });
  }
  return pending;
}

function serverError(): Response {
  return Response.json(
    { error: "server_error", error_description: "The server encountered an unexpected condition." },
    { status: 500, headers: { "Cache-Control": "no-store" } },
  );
}

/**
 * The Workers module: `fetch` serves the API, `scheduled` (cron) deletes
 * expired refresh tokens, sessions and rate-limit windows.
 *
 * @example
 * // wrangler.toml
 * main = "src/worker/index.ts"
 */
export default {
  async fetch(request, env, ctx) {
    let app: App;
    try {
      app = await appFor(env);
    } catch {
      return serverError(); // already logged once by appFor
    }
    return app.fetch(request, env, ctx);
  },

  async scheduled(_controller, env) {
    const app = await appFor(env);
    await app.services.sessions.purgeExpired();
    await app.services.limiter.purgeExpired();
    console.log(JSON.stringify({ level: "info", message: "expired rows purged" }));
  },
} satisfies ExportedHandler<WorkerEnv>;
