// EdDSA and ES256 signing inside workerd (Web Crypto's Ed25519 and P-256), through the real
// Workers entry over D1: the published key set, tokens that jose and tessera/verify accept, and a
// key that does not import failing the start once.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify, type JSONWebKeySet } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { uuidv7 } from "../../src/ids.js";
import { createAccessTokenVerifier } from "../../src/verify/index.js";
import worker from "../../src/worker/index.js";

const PASSWORD = "correct horse battery staple";

async function call(configured: object, method: string, path: string, init: { json?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = { "CF-Connecting-IP": "203.0.113.7" };
  if (init.json !== undefined) headers["Content-Type"] = "application/json";
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://tessera.test${path}`, { method, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) }),
    configured as typeof env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === "" ? undefined : JSON.parse(text) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(["EdDSA", "ES256"] as const)("Workers: signing with %s", (alg) => {
  it("publishes its key, and its tokens verify with jose and tessera/verify", async () => {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const configured = { ...env, JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: await exportPKCS8(privateKey) };
    const registered = await call(configured, "POST", "/auth/register", { json: { email: `${uuidv7(Date.now())}@example.com`, password: PASSWORD } });
    expect(registered.status).toBe(201);
    const token = registered.json.access_token as string;

    const published = await call(configured, "GET", "/.well-known/jwks.json");
    expect(published.status).toBe(200);
    expect(published.headers.get("cache-control")).toBe("public, max-age=300");
    const jwks = published.json as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(decodeProtectedHeader(token)).toEqual({ alg, typ: "at+jwt", kid: jwks.keys[0]!.kid });

    await jwtVerify(token, createLocalJWKSet(jwks), { issuer: "tessera", audience: "tessera", algorithms: [alg] });
    const sibling = createAccessTokenVerifier({ jwks, issuer: "tessera", audience: "tessera" });
    expect((await sibling.verify(token)).sub).toBe(registered.json.user.id);
    expect((await call(configured, "GET", "/users/me", { token })).status).toBe(200);
    const metadata = await call(configured, "GET", "/.well-known/oauth-authorization-server");
    expect(metadata.json.jwks_uri).toBe("https://tessera.test/.well-known/jwks.json");
  });
});

describe("Workers: a signing key that does not import", () => {
  it("fails the start once, as a configuration error", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const configured = { ...env, JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----" };
    for (let i = 0; i < 2; i++) expect((await call(configured, "GET", "/health")).status).toBe(500);
    expect(errors.mock.calls.map((args) => JSON.parse(String(args[0])))).toEqual([
      { level: "error", message: "tessera: configuration error", name: "ConfigError", detail: "JWT_PRIVATE_KEY: not a valid EdDSA private key" },
    ]);
  });
});
