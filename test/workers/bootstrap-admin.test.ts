// BOOTSTRAP_ADMIN_* that cannot be honoured, through the real Workers entry: the entry builds the
// app once per env object, so a refused bootstrap must fail that build once (a ConfigError) rather
// than be retried, logged and paid for (an argon2id hash) on every request.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { uuidv7 } from "../../src/ids.js";
import worker from "../../src/worker/index.js";

const SERVER_ERROR = { error: "server_error", error_description: "The server encountered an unexpected condition." };

/** env.DB, counting how often the app reaches for it. */
function countedD1(db: D1Database): { db: D1Database; uses: () => number } {
  let uses = 0;
  const counted = new Proxy(db, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      uses++;
      return value.bind(target);
    },
  });
  return { db: counted, uses: () => uses };
}

async function healthCheck(configured: object): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request("https://tessera.test/health"), configured as typeof env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function insertUser(email: string, role: string): Promise<void> {
  const now = Date.now();
  await env.DB.prepare("INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, NULL, NULL, ?, ?, ?)")
    .bind(uuidv7(now), email, role, now, now)
    .run();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Workers: a bootstrap admin that cannot be created fails the start once", () => {
  const taken = `${uuidv7(Date.now())}@example.com`;
  beforeAll(() => insertUser(taken, "user"));

  it.each([
    [
      "the email belongs to a non-admin account",
      { BOOTSTRAP_ADMIN_EMAIL: ` ${taken.toUpperCase()} `, BOOTSTRAP_ADMIN_PASSWORD: "a long enough passphrase" },
      "BOOTSTRAP_ADMIN_EMAIL belongs to an existing account that is not an enabled admin; fix it with `tessera set-role` or `tessera enable`",
    ],
    [
      "the password breaks the rules",
      { BOOTSTRAP_ADMIN_EMAIL: "root@example.com", BOOTSTRAP_ADMIN_PASSWORD: "password123" },
      "BOOTSTRAP_ADMIN_PASSWORD: The password is too common; choose a less guessable password.",
    ],
    [
      "the email is malformed",
      { BOOTSTRAP_ADMIN_EMAIL: "root@", BOOTSTRAP_ADMIN_PASSWORD: "a long enough passphrase" },
      "BOOTSTRAP_ADMIN_EMAIL: must be a valid email address",
    ],
  ])("%s: 500 on every request, one log line, no second attempt", async (_, bootstrap, detail) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { db, uses } = countedD1(env.DB);
    const configured = { ...env, DB: db, ...bootstrap };

    const first = await healthCheck(configured);
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual(SERVER_ERROR);
    const usesByTheFailedStart = uses();
    for (let i = 0; i < 2; i++) {
      const again = await healthCheck(configured);
      expect(again.status).toBe(500);
      expect(await again.json()).toEqual(SERVER_ERROR);
    }
    // The kept failure answers at once: no bootstrap (and no hash) is attempted again.
    expect(uses()).toBe(usesByTheFailedStart);
    expect(errors.mock.calls.map((args) => JSON.parse(String(args[0])))).toEqual([
      { level: "error", message: "tessera: configuration error", name: "ConfigError", detail },
    ]);
    const admins = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin'").first<{ n: number }>();
    expect(admins?.n).toBe(0);
    const row = await env.DB.prepare("SELECT role FROM users WHERE email = ?").bind(taken).first<{ role: string }>();
    expect(row?.role).toBe("user");
  });
});
