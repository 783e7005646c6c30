import { describe, expect, it } from "vitest";
import { createTestApp } from "./support/harness.js";

const sidOf = (token: string): string => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")).sid;
const revocations = (t: Awaited<ReturnType<typeof createTestApp>>) => t.audit.filter((e) => e.type === "session_revoked");

// Every way a session ends leaves the same audit event, written in one place (the session module).
describe("every revocation is audited", () => {
  it("/auth/revoke with an access token", async () => {
    const t = await createTestApp();
    const { user, access_token } = await t.register();
    expect((await t.call("POST", "/auth/revoke", { form: { token: access_token } })).status).toBe(200);
    expect(revocations(t)).toEqual([expect.objectContaining({ user_id: user.id, reason: "revoked_by_client" })]);
    expect((await t.call("GET", "/users/me", { token: access_token })).status).toBe(401);
  });

  it("/auth/revoke with a refresh token, once however often it is sent", async () => {
    const t = await createTestApp();
    const { user, refresh_token } = await t.register();
    await t.call("POST", "/auth/revoke", { form: { token: refresh_token } });
    await t.call("POST", "/auth/revoke", { form: { token: refresh_token } });
    expect(revocations(t)).toEqual([expect.objectContaining({ user_id: user.id, reason: "revoked_by_client" })]);
  });

  it("logout, ending one of one's own sessions, and logout-all", async () => {
    const t = await createTestApp();
    const { user, access_token: first } = await t.register();
    const second = (await t.login()).json.access_token as string;
    const third = (await t.login()).json.access_token as string;
    expect((await t.call("DELETE", `/users/me/sessions/${sidOf(third)}`, { token: first })).status).toBe(204);
    expect((await t.call("POST", "/auth/logout", { token: first })).status).toBe(204);
    expect((await t.call("POST", "/auth/logout-all", { token: second })).status).toBe(204);
    expect(revocations(t)).toEqual([
      expect.objectContaining({ user_id: user.id, session_id: sidOf(third), reason: "revoked_by_user" }),
      expect.objectContaining({ user_id: user.id, session_id: sidOf(first), reason: "logout" }),
      expect.objectContaining({ user_id: user.id, reason: "logout_all", count: 1 }),
    ]);
  });
});

describe("the password hash never leaves the users module", () => {
  it("neither the live-session lookup nor sign-in hands out a row with the hash", async () => {
    const t = await createTestApp();
    const { user, access_token } = await t.register();
    const live = await t.app.services.sessions.liveSessionUser(sidOf(access_token), user.id);
    expect(live?.id).toBe(user.id);
    expect(live).not.toHaveProperty("password_hash");
    const signed = await t.app.services.signIn.withPassword("alice@example.com", "correct horse battery staple", undefined, { ip: null, userAgent: null });
    expect(signed.user).not.toHaveProperty("password_hash");
    expect(await t.app.services.users.findById(user.id)).not.toHaveProperty("password_hash");
  });
});
