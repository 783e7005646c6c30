import { Hono } from "hono";
import { calculateJwkThumbprint, decodeProtectedHeader, decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuerAlgorithm } from "../src/testing/index.js";
import { requireAuth, requireScope, verifyAccessToken } from "../src/verify/index.js";
import { verdict } from "./support/tokens.js";

describe("createTestIssuer signs tokens that its own options accept", () => {
  it.each<TestIssuerAlgorithm>(["EdDSA", "ES256", "HS256"])("%s: header, default claims, and the matching requireAuth options", async (algorithm) => {
    const issuer = await createTestIssuer({ algorithm, issuer: "https://auth.example", audience: "orders" });
    const token = await issuer.sign();
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: algorithm, typ: "at+jwt" });
    expect(Object.keys(header).sort()).toEqual(["alg", "kid", "typ"]);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: "https://auth.example", aud: "orders", sub: "test-user", client_id: "tessera", role: "user", scope: "read write" });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof claims.sid).toBe("string");
    expect(issuer.options).toMatchObject({ issuer: "https://auth.example", audience: "orders" });
    expect(await verdict(token, issuer.options)).toBe("accepted");
  });

  it("EdDSA by default, with a public key set whose kid is the key's RFC 7638 thumbprint", async () => {
    const issuer = await createTestIssuer();
    expect(issuer.options).toMatchObject({ issuer: "tessera", audience: "tessera" });
    const jwks = issuer.options.jwks!;
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys;
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(jwk).not.toHaveProperty("d"); // no private key in the options
    const { kid, alg, use, ...key } = jwk!;
    expect(kid).toBe(await calculateJwkThumbprint(key));
    expect(decodeProtectedHeader(await issuer.sign()).kid).toBe(kid);
  });

  it("HS256 gives a secret, and names it as Tessera does", async () => {
    const issuer = await createTestIssuer({ algorithm: "HS256" });
    expect(typeof issuer.options.secret).toBe("string");
    expect(new TextEncoder().encode(issuer.options.secret as string).byteLength).toBeGreaterThanOrEqual(32);
    expect(issuer.options.jwks).toBeUndefined();
  });

  it("replaces any default claim, and leaves out one given as undefined (a client_credentials token)", async () => {
    const issuer = await createTestIssuer();
    const token = await issuer.sign({ sub: "svc-1", client_id: "svc-1", scope: "orders:read", role: undefined, sid: undefined });
    const claims = await verifyAccessToken(token, issuer.options);
    expect(claims).toMatchObject({ sub: "svc-1", client_id: "svc-1", scope: "orders:read" });
    expect(claims).not.toHaveProperty("role");
    expect(claims).not.toHaveProperty("sid");
  });

  it("makes tokens a sibling refuses when they should be: expired, another audience, another issuer's keys", async () => {
    const issuer = await createTestIssuer({ audience: "orders" });
    const now = Math.floor(Date.now() / 1000);
    expect(await verdict(await issuer.sign({ exp: now - 60, iat: now - 400 }), issuer.options)).toBe("ERR_TOKEN_EXPIRED");
    expect(await verdict(await issuer.sign({ aud: "billing" }), issuer.options)).toBe("ERR_TOKEN_CLAIM_INVALID");
    const other = await createTestIssuer({ audience: "orders" });
    expect(await verdict(await other.sign(), issuer.options)).toBe("ERR_TOKEN_KEY_UNKNOWN");
  });

  it("drives a sibling's Hono app through requireAuth and requireScope", async () => {
    const issuer = await createTestIssuer({ audience: "orders" });
    const app = new Hono();
    app.use("/orders/*", requireAuth(issuer.options));
    app.delete("/orders/:id", requireScope("orders:write"), (c) => c.body(null, 204));
    const del = async (scope: string) =>
      (await app.request("/orders/1", { method: "DELETE", headers: { Authorization: `Bearer ${await issuer.sign({ scope })}` } })).status;
    expect(await del("orders:write")).toBe(204);
    expect(await del("orders:read")).toBe(403);
  });

  it("refuses an algorithm it cannot make keys for", async () => {
    await expect(createTestIssuer({ algorithm: "RS256" as never })).rejects.toThrow(TypeError);
  });
});
