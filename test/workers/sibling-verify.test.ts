// tessera/verify in a sibling service on Workers: a Hono app inside workerd that checks the access
// tokens the real Workers entry issues, locally, in both of requireAuth's forms.
import { env, exports } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { uuidv7 } from "../../src/ids.js";
import { requireAuth } from "../../src/verify/index.js";
import { tamperSignature } from "../support/tokens.js";

async function issuedAccessToken(): Promise<{ sub: string; token: string }> {
  const res = await exports.default.fetch(
    new Request("https://tessera.test/auth/register", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "203.0.113.10" },
      body: JSON.stringify({ email: `${uuidv7(Date.now())}@example.com`, password: "correct horse battery staple" }),
    }),
  );
  expect(res.status).toBe(201);
  const body = (await res.json()) as { user: { id: string }; access_token: string };
  return { sub: body.user.id, token: body.access_token };
}

function sibling() {
  const auth = requireAuth({ secret: env.JWT_SECRET, issuer: "tessera", audience: "tessera" });
  const app = new Hono();
  app.use("/api/*", auth);
  app.get("/api/me", (c) => c.json({ sub: c.get("auth").sub }));
  app.get("/direct/me", auth.protect((c) => c.json({ sub: c.get("auth").sub })));
  return app;
}

describe("Workers: a sibling verifies Tessera's access tokens with tessera/verify", () => {
  it.each(["/api/me", "/direct/me"])("accepts an issued token and refuses it tampered or missing (%s)", async (path) => {
    const { sub, token } = await issuedAccessToken();
    const app = sibling();
    const get = (authorization?: string) =>
      app.request(path, { headers: authorization === undefined ? {} : { Authorization: authorization } });
    for (let i = 0; i < 2; i++) { // first sight, then from the cache
      const ok = await get(`Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub });
    }
    const refused = await get(`Bearer ${tamperSignature(token)}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    expect((await get()).headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
  });
});
