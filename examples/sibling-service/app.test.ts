// The orders service's own tests: tokens from tessera/testing, signed in memory, checked by the
// very middleware production runs. No Tessera process, no shared secret in the fixtures.
import { createTestIssuer } from "tessera/testing";
import { describe, expect, it } from "vitest";
import { createOrdersApp } from "./app.js";

const issuer = await createTestIssuer({ issuer: "https://auth.example.com", audience: "orders" });
const app = createOrdersApp(issuer.options);

async function get(path: string, token?: string) {
  return app.request(path, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
}

describe("the orders service trusts Tessera's access tokens", () => {
  it("lists the caller's orders for a token with orders:read", async () => {
    const res = await get("/orders/mine", await issuer.sign({ sub: "user-42", scope: "orders:read" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ owner: "user-42", via: "tessera", orders: [] });
  });

  it("answers 403 insufficient_scope without orders:write", async () => {
    const token = await issuer.sign({ scope: "orders:read" });
    const res = await app.request("/orders/7", { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="insufficient_scope"');
  });

  it("answers 401 without a token, with an expired one, or with one meant for another service", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await get("/orders/mine")).status).toBe(401);
    expect((await get("/orders/mine", await issuer.sign({ scope: "orders:read", iat: now - 900, exp: now - 600 }))).status).toBe(401);
    const billing = await issuer.sign({ scope: "orders:read", aud: "billing" });
    const res = await get("/orders/mine", billing);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "invalid_token", error_description: "The access token is invalid or expired." });
  });

  it("accepts a machine client's token, which has no role and no session", async () => {
    const token = await issuer.sign({ sub: "reporting", client_id: "reporting", scope: "orders:read", role: undefined, sid: undefined });
    expect(await (await get("/orders/mine", token)).json()).toMatchObject({ owner: "reporting", via: "reporting" });
  });
});
