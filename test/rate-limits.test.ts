import { describe, expect, it } from "vitest";
import { INVALID_GRANT_DESCRIPTION } from "../src/errors.js";
import { createTestApp, PASSWORD } from "./support/harness.js";

const WRONG = "definitely not it";

describe("failed logins are limited per account+IP", () => {
  it("the 6th attempt within the window is 429 even with rotating X-Forwarded-For and the right password", async () => {
    const t = await createTestApp();
    await t.register();
    for (let i = 0; i < 5; i++) {
      const res = await t.call("POST", "/auth/token", {
        form: { grant_type: "password", username: "alice@example.com", password: WRONG },
        headers: { "X-Forwarded-For": `198.51.100.${i}` },
      });
      expect(res.status).toBe(400);
    }
    const sixth = await t.call("POST", "/auth/token", {
      form: { grant_type: "password", username: "alice@example.com", password: PASSWORD },
      headers: { "X-Forwarded-For": "198.51.100.77" },
    });
    expect(sixth.status).toBe(429);
    expect(sixth.json.error).toBe("rate_limited");
    expect(sixth.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(Number(sixth.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(t.audit.some((e) => e.type === "rate_limited")).toBe(true);
  });

  it("the window passes, and then the right password works and resets the counter", async () => {
    const t = await createTestApp();
    await t.register();
    for (let i = 0; i < 5; i++) await t.login(undefined, WRONG);
    expect((await t.login()).status).toBe(429);
    t.clock.advance(61_000);
    expect((await t.login()).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await t.login(undefined, WRONG)).status).toBe(400);
    expect((await t.login()).status).toBe(200);
  });

  it("rate limits are checked before any password work", async () => {
    let verifies = 0;
    const base = await createTestApp();
    const t = await createTestApp({
      passwords: { ...base.passwords, verify: async (h, p) => (verifies++, base.passwords.verify(h, p)) },
    });
    await t.register();
    for (let i = 0; i < 5; i++) await t.login(undefined, WRONG);
    verifies = 0;
    expect((await t.login()).status).toBe(429);
    expect(verifies).toBe(0);
  });

  it("with TRUST_PROXY the X-Forwarded-For address separates clients", async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: "true" } });
    await t.register();
    const from = (ip: string, password: string) =>
      t.call("POST", "/auth/token", {
        form: { grant_type: "password", username: "alice@example.com", password },
        headers: { "X-Forwarded-For": ip },
      });
    for (let i = 0; i < 5; i++) await from("198.51.100.1", WRONG);
    expect((await from("198.51.100.1", PASSWORD)).status).toBe(429);
    expect((await from("198.51.100.2", PASSWORD)).status).toBe(200);
  });

  it("counters are shared by two app instances on one database", async () => {
    const a = await createTestApp();
    const b = await createTestApp({ database: a.database, clock: a.clock });
    await a.register();
    for (let i = 0; i < 3; i++) await a.login(undefined, WRONG);
    for (let i = 0; i < 2; i++) await b.login(undefined, WRONG);
    expect((await a.login()).status).toBe(429);
    expect((await b.login()).status).toBe(429);
  });

  it("unknown, wrong-password and disabled logins give byte-identical 400 bodies", async () => {
    const t = await createTestApp();
    await t.register();
    await t.register("off@example.com");
    await t.db.updateTable("users").set({ disabled_at: 1 }).where("email", "=", "off@example.com").execute();
    const bodies = [
      (await t.login("ghost@example.com", WRONG)).text,
      (await t.login("alice@example.com", WRONG)).text,
      (await t.login("off@example.com", PASSWORD)).text,
    ];
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
    // The client cannot tell the three apart, but they are three different failures: the disabled
    // account's right password was checked and matched (so its refusal costs a hash too), and
    // the audit log still tells an operator which case each was.
    const reasons = t.audit.flatMap((e) => (e.type === "login_failed" ? [e.reason] : []));
    expect(reasons).toEqual(["bad_credentials", "bad_credentials", "disabled"]);
  });
});

describe("failed logins are limited per account from any IP", () => {
  it("ACCOUNT_RATE_LIMIT applies across addresses", async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: "true", ACCOUNT_RATE_LIMIT: "3/3600" } });
    await t.register();
    for (let i = 0; i < 3; i++) {
      await t.call("POST", "/auth/token", {
        form: { grant_type: "password", username: "alice@example.com", password: WRONG },
        headers: { "X-Forwarded-For": `203.0.113.${i}` },
      });
    }
    const res = await t.call("POST", "/auth/token", {
      form: { grant_type: "password", username: "alice@example.com", password: PASSWORD },
      headers: { "X-Forwarded-For": "203.0.113.99" },
    });
    expect(res.status).toBe(429);
  });
});

describe("every /auth/* route has a per-IP budget", () => {
  it("register, token and revoke share AUTH_IP_RATE_LIMIT", async () => {
    const t = await createTestApp({ env: { AUTH_IP_RATE_LIMIT: "3/60" } });
    expect((await t.call("POST", "/auth/revoke", { form: { token: "x" } })).status).toBe(200);
    expect((await t.call("POST", "/auth/register", { json: { email: "r@example.com", password: PASSWORD } })).status).toBe(201);
    expect((await t.call("POST", "/auth/token", { form: { grant_type: "nope" } })).status).toBe(400);
    const limited = await t.call("POST", "/auth/register", { json: { email: "s@example.com", password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect((await t.call("GET", "/health")).status).toBe(200);
  });

  it("expired counters are purged", async () => {
    const t = await createTestApp();
    await t.login("x@example.com", WRONG);
    expect(await t.db.selectFrom("rate_limits").selectAll().execute()).not.toHaveLength(0);
    t.clock.advance(3_600_001);
    await t.app.services.limiter.purgeExpired();
    expect(await t.db.selectFrom("rate_limits").selectAll().execute()).toHaveLength(0);
  });
});
