// Two real Tessera processes on one PostgreSQL database, as behind a load balancer: they start
// together on an empty database, and every rule that needs shared state holds across them.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyDatabase, startInstance, untilHealthy, type Instance } from "../support/instances.js";

const SECRET = "two-instances-secret-that-is-long-enough-0123";
const PASSWORD = "a long enough passphrase";

let a: Instance;
let b: Instance;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;

beforeAll(async () => {
  database = await createEmptyDatabase();
  const env = {
    JWT_SECRET: SECRET,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: "4",
    LOGIN_RATE_LIMIT: "3/600",
    // Both would create the first admin: the email's unique constraint lets one do it.
    BOOTSTRAP_ADMIN_EMAIL: "root@example.com",
    BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
  };
  // Started at the same moment on an empty database: both would create the schema.
  [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  await Promise.all([untilHealthy(a), untilHealthy(b)]);
});

afterAll(async () => {
  a?.kill();
  b?.kill();
  await Promise.all([a?.exited, b?.exited]);
  await database?.drop();
});

async function post(instance: Instance, path: string, body: Record<string, string>, token?: string) {
  const res = await fetch(`${instance.base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(token && { Authorization: `Bearer ${token}` }) },
    body: new URLSearchParams(body).toString(),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function signUp(email: string) {
  const res = await fetch(`${a.base}/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { access_token: string; refresh_token: string };
}

const refresh = (instance: Instance, token: string) => post(instance, "/auth/token", { grant_type: "refresh_token", refresh_token: token });

describe("two instances started at once on an empty database", () => {
  it("both come up, the migrations ran once, and there is one bootstrap admin", async () => {
    const applied = [a, b].filter((i) => i.output().includes('"migrations applied"'));
    expect(applied).toHaveLength(1);
    const client = new pg.Client(database.url);
    await client.connect();
    const { rows } = await client.query("SELECT name FROM kysely_migration ORDER BY name");
    const admins = await client.query("SELECT email FROM users WHERE role = 'admin'");
    await client.end();
    expect(admins.rows).toEqual([{ email: "root@example.com" }]);
    expect(rows.map((r) => r.name)).toEqual(["0001_init", "0002_rate_limits", "0003_clients", "0004_identities"]);
  });
});

describe("a refresh race split over two instances", () => {
  it("yields exactly one successor, and every racer gets it (the benign race of the grace window)", async () => {
    const { refresh_token } = await signUp("race@example.com");
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => refresh(i % 2 === 0 ? a : b, refresh_token)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    const successors = new Set(answers.map((r) => r.json.refresh_token));
    expect(successors.size).toBe(1);
    // One row was added for the whole race, and it is the session's live token on either instance.
    const client = new pg.Client(database.url);
    await client.connect();
    const { rows } = await client.query(
      "SELECT count(*)::int AS tokens, count(*) FILTER (WHERE rotated_at IS NULL)::int AS live FROM refresh_tokens WHERE session_id = (SELECT session_id FROM refresh_tokens ORDER BY created_at DESC LIMIT 1)",
    );
    await client.end();
    expect(rows[0]).toEqual({ tokens: 2, live: 1 });
    const [successor] = successors;
    expect((await refresh(b, successor!)).status).toBe(200);
  });
});

describe("state shared through the database", () => {
  it("a session revoked through one instance is refused by the other at once", async () => {
    const { access_token, refresh_token } = await signUp("revoke@example.com");
    expect((await fetch(`${b.base}/users/me`, { headers: { Authorization: `Bearer ${access_token}` } })).status).toBe(200);
    expect((await post(a, "/auth/logout", {}, access_token)).status).toBe(204);
    const me = await fetch(`${b.base}/users/me`, { headers: { Authorization: `Bearer ${access_token}` } });
    expect(me.status).toBe(401);
    expect((await me.json()).error).toBe("invalid_token");
    expect((await refresh(b, refresh_token)).json.error).toBe("invalid_grant");
  });

  it("failed-login counters are shared: attempts alternated over both hit one limit", async () => {
    await signUp("limit@example.com");
    const attempt = (instance: Instance) =>
      post(instance, "/auth/token", { grant_type: "password", username: "limit@example.com", password: "wrong password here" });
    const statuses = [];
    for (const instance of [a, b, a, b]) statuses.push((await attempt(instance)).status);
    // LOGIN_RATE_LIMIT=3/600: the fourth failure, whichever instance counts it, is over the limit.
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it("reuse detected on one instance revokes the session for the other", async () => {
    const { refresh_token: first } = await signUp("reuse@example.com");
    const second = await refresh(a, first);
    expect(second.status).toBe(200);
    const third = await refresh(b, second.json.refresh_token);
    expect(third.status).toBe(200);
    // `first` was spent on `a` and its successor spent on `b`: presenting it again is reuse, even
    // inside the grace window, and the session ends for both instances.
    expect((await refresh(b, first)).json.error).toBe("invalid_grant");
    const after = await refresh(a, third.json.refresh_token);
    expect(after.status).toBe(400);
    expect(after.json.error).toBe("invalid_grant");
    expect((await fetch(`${a.base}/users/me`, { headers: { Authorization: `Bearer ${third.json.access_token}` } })).status).toBe(401);
  });
});
