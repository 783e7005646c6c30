import { createApp } from "../../src/app.js";
import type { AuditEvent } from "../../src/audit/audit-log.js";
import { parseConfig, type Env } from "../../src/config.js";
import { migrateToLatest, openNodeDatabase, type NodeDatabase } from "../../src/node/database.js";
import { nodeClientIp } from "../../src/node/client-ip.js";
import { nodeTokenDigests } from "../../src/node/node-crypto-digests.js";
import { createHashWasmHasher } from "../../src/passwords/hash-wasm-hasher.js";
import type { PasswordHasher } from "../../src/passwords/password-hasher.js";
import { createPostgresTestDatabase } from "./postgres.js";

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";
export const PASSWORD = "correct horse battery staple";

/** Cheap argon2id parameters: real hashes, test-speed cost (only ever set through config). */
export const CHEAP_ARGON2: Env = { ARGON2_MEMORY_KIB: "64", ARGON2_ITERATIONS: "1", ARGON2_PARALLELISM: "1" };

export interface ManualClock {
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export interface TestAppOptions {
  env?: Env;
  /** Share one database between apps (processes sharing a file). */
  database?: NodeDatabase;
  clock?: ManualClock;
  passwords?: PasswordHasher;
  /** Wraps the hasher the app is given (the real one, at the configured cost), e.g. to record its work. */
  wrapPasswords?: (hasher: PasswordHasher) => PasswordHasher;
}

/** The password work an app asked for: each hash made, and the stored hash each verify checked. */
export interface PasswordWork {
  hashes: number;
  verified: string[];
}

/**
 * Passes every call on to `hasher`, so the real argon2 work still happens, and records it in `work`.
 *
 * @example
 * const work: PasswordWork = { hashes: 0, verified: [] };
 * const t = await createTestApp({ wrapPasswords: (real) => recordPasswordWork(real, work) });
 */
export function recordPasswordWork(hasher: PasswordHasher, work: PasswordWork): PasswordHasher {
  return {
    hash: (password) => (work.hashes++, hasher.hash(password)),
    verify: (hash, password) => (work.verified.push(hash), hasher.verify(hash, password)),
    needsRehash: (hash) => hasher.needsRehash(hash),
  };
}

/**
 * A migrated database with the write batch production uses with it: in-memory SQLite with
 * group commit, or, under vitest.postgres.config.ts, a PostgreSQL schema of its own with one
 * transaction per batch.
 */
export async function createTestDatabase(): Promise<NodeDatabase> {
  if (process.env.TESSERA_TEST_DATABASE === "postgres") return createPostgresTestDatabase();
  const database = openNodeDatabase(":memory:");
  await migrateToLatest(database.db);
  return database;
}

/**
 * A real app over a real database (see createTestDatabase) and real argon2id, with
 * a movable clock and the audit events and error logs captured.
 */
export async function createTestApp(options: TestAppOptions = {}) {
  const config = parseConfig({ JWT_SECRET: TEST_SECRET, ...CHEAP_ARGON2, ...options.env });
  const database = options.database ?? (await createTestDatabase());
  const { db } = database;
  const clock = options.clock ?? manualClock();
  const audit: AuditEvent[] = [];
  const errors: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const realPasswords = options.passwords ?? createHashWasmHasher(config.argon2);
  const passwords = options.wrapPasswords?.(realPasswords) ?? realPasswords;
  const app = createApp({
    db,
    writeBatch: database.writeBatch,
    config,
    clock,
    passwords,
    audit: (e) => audit.push(e),
    logError: (message, fields) => errors.push({ message, fields }),
    clientIp: nodeClientIp(config.trustProxy),
    tokenDigests: nodeTokenDigests,
  });

  async function call(method: string, path: string, init: { json?: unknown; form?: Record<string, string>; token?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["Content-Type"] ??= "application/json";
      body = JSON.stringify(init.json);
    } else if (init.form !== undefined) {
      headers["Content-Type"] ??= "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let json: any = undefined;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async function register(email = "alice@example.com", password = PASSWORD, name?: string) {
    const res = await call("POST", "/auth/register", { json: { email, password, name } });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
    return res.json as { user: { id: string; email: string }; access_token: string; refresh_token: string; expires_in: number };
  }

  function login(username = "alice@example.com", password = PASSWORD, extra: Record<string, string> = {}) {
    return call("POST", "/auth/token", { form: { grant_type: "password", username, password, ...extra } });
  }

  function refresh(refreshToken: string, extra: Record<string, string> = {}) {
    return call("POST", "/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken, ...extra } });
  }

  return { app, db, database, config, clock, audit, errors, passwords, call, register, login, refresh };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
