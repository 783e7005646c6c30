// Provider sign-in through the real Workers entry over D1: the Worker's own fetch talks to a real
// OpenID provider (started by the suite's global setup) for discovery and the code exchange.
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import worker from "../../src/worker/index.js";

const PUBLIC = "https://auth.tessera.test";
const SPA = "https://app.tessera.test";

// Its own env object, so the entry builds an app with providers configured for this file only.
const providerEnv = {
  ...env,
  PUBLIC_URL: PUBLIC,
  ALLOWED_ORIGINS: SPA,
  FRONTEND_URL: `${SPA}/signed-in`,
  GOOGLE_CLIENT_ID: "tessera-google",
  GOOGLE_CLIENT_SECRET: "google-secret",
  GOOGLE_ISSUER: inject("oidcIssuer"),
};

async function request(path: string, headers: Record<string, string> = {}, method = "GET") {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(PUBLIC + path, { method, headers: { "CF-Connecting-IP": "203.0.113.7", ...headers } }), providerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function cookieNamed(headers: Headers, name: string): string | undefined {
  // workers-types' Headers has no getSetCookie(); getAll() is its way to read each Set-Cookie.
  for (const line of (headers as unknown as { getAll(name: string): string[] }).getAll("Set-Cookie")) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

describe("provider sign-in on Workers", () => {
  it("start → provider → callback → refresh cookie → /users/me; a replay is refused", async () => {
    expect(await (await request("/auth/providers")).json()).toEqual({ providers: [{ id: "google", label: "Google" }] });
    const started = await request("/auth/oauth/google/start?redirect_to=/home");
    expect(started.status).toBe(302);
    const oauthCookie = cookieNamed(started.headers, "__Host-tessera_oauth")!;
    const authorized = await fetch(started.headers.get("Location")!, { redirect: "manual" });
    const callback = new URL(authorized.headers.get("Location")!);
    const cookieHeader = { Cookie: `__Host-tessera_oauth=${oauthCookie}` };
    const done = await request(callback.pathname + callback.search, cookieHeader);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe(`${SPA}/home`);
    const refreshCookie = cookieNamed(done.headers, "__Host-tessera_rt")!;
    expect(refreshCookie).toMatch(/^rt_/);

    const refreshed = await request("/auth/session/refresh", { "X-Requested-With": "tessera", Cookie: `__Host-tessera_rt=${refreshCookie}` }, "POST");
    expect(refreshed.status).toBe(200);
    const { access_token } = (await refreshed.json()) as { access_token: string };
    const me = await request("/users/me", { Authorization: `Bearer ${access_token}` });
    expect(await me.json()).toMatchObject({ email: "worker.user@example.com", name: "Worker User", email_verified: true });

    const replay = await request(callback.pathname + callback.search, cookieHeader);
    expect(replay.status).toBe(400);
  });
});
