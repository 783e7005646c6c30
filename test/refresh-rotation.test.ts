import { describe, expect, it } from "vitest";
import { INVALID_GRANT_DESCRIPTION } from "../src/errors.js";
import { createTestApp } from "./support/harness.js";

describe("refresh rotation", () => {
  it("returns a new access token and a new refresh token, and the old one is spent", async () => {
    const t = await createTestApp();
    const { refresh_token } = await t.register();
    const first = await t.refresh(refresh_token);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "read write" });
    expect(first.json.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(first.json.refresh_token).not.toBe(refresh_token);
    expect(first.headers.get("Cache-Control")).toBe("no-store");
    expect(first.headers.get("Pragma")).toBe("no-cache");
    const second = await t.refresh(first.json.refresh_token);
    expect(second.status).toBe(200);
  });

  it("stores only SHA-256 hashes, never the token", async () => {
    const t = await createTestApp();
    const { refresh_token } = await t.register();
    const rows = await t.db.selectFrom("refresh_tokens").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(refresh_token.slice(3));
  });
});

describe("refresh reuse after the grace window revokes the whole session", () => {
  it("answers invalid_grant and kills the successor too", async () => {
    const t = await createTestApp();
    const { refresh_token: t0 } = await t.register();
    const r1 = await t.refresh(t0);
    expect(r1.status).toBe(200);
    t.clock.advance(11_000); // past REFRESH_REUSE_GRACE (10 s)
    const reuse = await t.refresh(t0);
    expect(reuse.status).toBe(400);
    expect(reuse.json).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
    expect(t.audit.some((e) => e.type === "refresh_reuse_detected")).toBe(true);
    const legit = await t.refresh(r1.json.refresh_token);
    expect(legit.status).toBe(400);
    const session = await t.db.selectFrom("sessions").selectAll().executeTakeFirstOrThrow();
    expect(session.revoked_at).not.toBeNull();
    expect(session.revoke_reason).toBe("refresh_token_reuse");
  });

  it("within the grace window, but after the successor was itself rotated, is reuse", async () => {
    const t = await createTestApp();
    const { refresh_token: t0 } = await t.register();
    const r1 = await t.refresh(t0);
    const r2 = await t.refresh(r1.json.refresh_token);
    expect(r2.status).toBe(200);
    const replay = await t.refresh(t0);
    expect(replay.status).toBe(400);
    expect((await t.refresh(r2.json.refresh_token)).status).toBe(400);
  });

  it("with REFRESH_REUSE_GRACE=0 any second presentation is reuse", async () => {
    const t = await createTestApp({ env: { REFRESH_REUSE_GRACE: "0" } });
    const { refresh_token: t0 } = await t.register();
    expect((await t.refresh(t0)).status).toBe(200);
    expect((await t.refresh(t0)).status).toBe(400);
    expect(t.audit.filter((e) => e.type === "refresh_reuse_detected")).toHaveLength(1);
  });
});

describe("a benign race: concurrent refreshes of one token get the same successor", () => {
  it("10 concurrent refreshes all succeed with one successor, and the session stays live", async () => {
    const t = await createTestApp();
    const { refresh_token: t0 } = await t.register();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.refresh(t0)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const successors = new Set(results.map((r) => r.json.refresh_token));
    expect(successors.size).toBe(1);
    const tokens = await t.db.selectFrom("refresh_tokens").selectAll().execute();
    expect(tokens).toHaveLength(2);
    expect(t.audit.some((e) => e.type === "refresh_reuse_detected")).toBe(false);
    const next = await t.refresh([...successors][0]!);
    expect(next.status).toBe(200);
  });

  it("a late duplicate within the grace window gets the same successor as the winner", async () => {
    const t = await createTestApp();
    const { refresh_token: t0 } = await t.register();
    const winner = await t.refresh(t0);
    t.clock.advance(5_000);
    const late = await t.refresh(t0);
    expect(late.status).toBe(200);
    expect(late.json.refresh_token).toBe(winner.json.refresh_token);
    expect(late.json.access_token).not.toBe(winner.json.access_token);
  });
});

describe("refresh tokens expire", () => {
  it("an idle token past REFRESH_TOKEN_TTL is invalid_grant without revoking anything", async () => {
    const t = await createTestApp({ env: { REFRESH_TOKEN_TTL: "3600" } });
    const { refresh_token } = await t.register();
    t.clock.advance(3600_000);
    const res = await t.refresh(refresh_token);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_grant");
    expect(t.audit.some((e) => e.type === "refresh_reuse_detected")).toBe(false);
  });

  it("a session past SESSION_MAX_AGE ends even when refreshed constantly", async () => {
    const t = await createTestApp({ env: { REFRESH_TOKEN_TTL: "3600", SESSION_MAX_AGE: "7200" } });
    let { refresh_token: token } = await t.register();
    for (let i = 0; i < 3; i++) {
      t.clock.advance(2_000_000);
      const res = await t.refresh(token);
      expect(res.status).toBe(200);
      token = res.json.refresh_token;
    }
    t.clock.advance(1_300_000); // 7.3e6 ms > 7200 s since the session began
    const res = await t.refresh(token);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_grant");
  });

  it("a successor never outlives its session", async () => {
    const t = await createTestApp({ env: { REFRESH_TOKEN_TTL: "3600", SESSION_MAX_AGE: "4000" } });
    const { refresh_token } = await t.register();
    t.clock.advance(3_000_000);
    await t.refresh(refresh_token);
    const session = await t.db.selectFrom("sessions").selectAll().executeTakeFirstOrThrow();
    const newest = await t.db.selectFrom("refresh_tokens").selectAll().orderBy("created_at", "desc").executeTakeFirstOrThrow();
    expect(newest.expires_at).toBe(session.expires_at);
  });
});

describe("refresh grant rejects", () => {
  it("unknown, malformed and empty tokens with the same invalid_grant", async () => {
    const t = await createTestApp();
    for (const token of ["rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "garbage", "x".repeat(500)]) {
      const res = await t.refresh(token);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
    }
  });

  it("a missing refresh_token parameter as invalid_request", async () => {
    const t = await createTestApp();
    const res = await t.call("POST", "/auth/token", { form: { grant_type: "refresh_token" } });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
  });

  it("another client_id as invalid_client", async () => {
    const t = await createTestApp();
    const { refresh_token } = await t.register();
    const res = await t.refresh(refresh_token, { client_id: "someone-else" });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe("invalid_client");
    expect((await t.refresh(refresh_token, { client_id: "tessera" })).status).toBe(200);
  });

  it("a disabled user's token", async () => {
    const t = await createTestApp();
    const { refresh_token, user } = await t.register();
    await t.db.updateTable("users").set({ disabled_at: t.clock.now() }).where("id", "=", user.id).execute();
    const res = await t.refresh(refresh_token);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
  });
});

describe("a refresh keeps the session's scope", () => {
  it("a session started with scope=read refreshes to scope read", async () => {
    const t = await createTestApp();
    await t.register();
    const login = await t.login(undefined, undefined, { scope: "read" });
    expect(login.json.scope).toBe("read");
    const res = await t.refresh(login.json.refresh_token);
    expect(res.json.scope).toBe("read");
  });
});
