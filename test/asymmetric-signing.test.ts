// The service signing with EdDSA or ES256: the published key set, tokens that verify with plain
// jose and with tessera/verify against a real listening server, rotation step by step, and the
// algorithm-confusion tokens that must never pass.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { calculateJwkThumbprint, createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, jwtVerify, type JWK } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createAccessTokenVerifier, type AccessTokenErrorCode } from "../src/verify/index.js";
import { keyId } from "../src/verify/key-ring.js";
import { createTestApp, createTestDatabase, TEST_SECRET, type TestApp } from "./support/harness.js";

const servers: ServerType[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** The app on a real port; its base URL. */
async function listen(t: TestApp): Promise<string> {
  return new Promise((resolve) => {
    servers.push(serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`)));
  });
}

async function newKey(alg: "EdDSA" | "ES256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, pem: await exportPKCS8(privateKey), publicJwk, spki: await exportSPKI(publicKey), kid: await calculateJwkThumbprint(publicJwk) };
}

async function rejection(promise: Promise<unknown>): Promise<AccessTokenErrorCode> {
  try {
    await promise;
  } catch (e) {
    return (e as { code: AccessTokenErrorCode }).code;
  }
  throw new Error("the token was accepted");
}

async function accessToken(t: TestApp): Promise<string> {
  const res = await t.login();
  expect(res.status).toBe(200);
  return res.json.access_token as string;
}

describe.each(["EdDSA", "ES256"] as const)("a service signing with %s", (alg) => {
  it("signs {alg, typ: at+jwt, kid: thumbprint} tokens that jose verifies with the published key set", async () => {
    const key = await newKey(alg);
    const t = await createTestApp({ env: { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: key.pem } });
    await t.register();
    const token = await accessToken(t);
    expect(decodeProtectedHeader(token)).toEqual({ alg, typ: "at+jwt", kid: key.kid });

    const res = await t.app.request("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const jwks = (await res.json()) as { keys: JWK[] };
    expect(jwks).toEqual({ keys: [{ ...key.publicJwk, kid: key.kid, alg, use: "sig" }] });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: "tessera", audience: "tessera", typ: "at+jwt", algorithms: [alg] });
    expect(payload.sub).toEqual(expect.any(String));

    // The service's own endpoints accept its tokens, and still refuse a changed one.
    expect((await t.call("GET", "/users/me", { token })).status).toBe(200);
    const [h, p, s] = token.split(".");
    const otherSignature = s!.startsWith("A") ? `B${s!.slice(1)}` : `A${s!.slice(1)}`;
    expect((await t.call("GET", "/users/me", { token: `${h}.${p}.${otherSignature}` })).status).toBe(401);
  });

  it("verifies through tessera/verify with jwksUrl, and through jose's remote key set, against a listening server", async () => {
    const key = await newKey(alg);
    const t = await createTestApp({ env: { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: key.pem } });
    const base = await listen(t);
    await t.register();
    const token = await accessToken(t);

    const metadata = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.jwks_uri).toBe(`${base}/.well-known/jwks.json`);
    const verifier = createAccessTokenVerifier({ jwksUrl: metadata.jwks_uri, issuer: "tessera", audience: "tessera" });
    expect((await verifier.verify(token)).client_id).toBe("tessera");
    const { protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(metadata.jwks_uri)), { issuer: "tessera", audience: "tessera" });
    expect(protectedHeader.kid).toBe(key.kid);
  });
});

describe("in HS256 mode nothing is published", () => {
  it("answers 404 with the error shape, and the metadata names no jwks_uri", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/.well-known/jwks.json");
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: "not_found", error_description: "No public keys: tokens are signed with HS256." });
    const metadata = await t.call("GET", "/.well-known/oauth-authorization-server");
    expect(metadata.json).not.toHaveProperty("jwks_uri");
  });
});

describe("rotating the signing key: publish the next key, switch, retire the old one", () => {
  it("keeps old tokens valid until the old key is retired, and publishes the current key first", async () => {
    const database = await createTestDatabase();
    const [oldKey, nextKey] = await Promise.all([newKey("EdDSA"), newKey("EdDSA")]);
    const published = (k: typeof oldKey) => ({ ...k.publicJwk, kid: k.kid, alg: "EdDSA", use: "sig" });
    const start = (pem: string, previous: JWK[]) =>
      createTestApp({ database, env: { JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: pem, JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify(previous) } });

    // Before: the old key signs.
    const before = await start(oldKey.pem, []);
    await before.register();
    const oldToken = await accessToken(before);

    // 1. Publish the next key ahead: siblings' caches learn it before any token needs it.
    const publishing = await start(oldKey.pem, [nextKey.publicJwk]);
    expect((await publishing.call("GET", "/.well-known/jwks.json")).json.keys).toEqual([published(oldKey), published(nextKey)]);
    expect(decodeProtectedHeader(await accessToken(publishing)).kid).toBe(oldKey.kid);

    // 2. Switch: the next key signs; the old one is still accepted and published.
    const switched = await start(nextKey.pem, [oldKey.publicJwk]);
    const base = await listen(switched);
    expect((await switched.call("GET", "/.well-known/jwks.json")).json.keys).toEqual([published(nextKey), published(oldKey)]);
    const newToken = await accessToken(switched);
    expect(decodeProtectedHeader(newToken).kid).toBe(nextKey.kid);
    expect((await switched.call("GET", "/users/me", { token: oldToken })).status).toBe(200);
    const sibling = createAccessTokenVerifier({ jwksUrl: `${base}/.well-known/jwks.json`, issuer: "tessera", audience: "tessera" });
    await expect(sibling.verify(oldToken)).resolves.toMatchObject({ jti: expect.any(String) });
    await expect(sibling.verify(newToken)).resolves.toMatchObject({ jti: expect.any(String) });

    // 3. Retire: the old key is gone from the set, and its tokens are refused everywhere.
    const retired = await start(nextKey.pem, []);
    const retiredBase = await listen(retired);
    expect((await retired.call("GET", "/.well-known/jwks.json")).json.keys).toEqual([published(nextKey)]);
    expect((await retired.call("GET", "/users/me", { token: oldToken })).status).toBe(401);
    expect((await retired.call("GET", "/users/me", { token: newToken })).status).toBe(200);
    const freshSibling = createAccessTokenVerifier({ jwksUrl: `${retiredBase}/.well-known/jwks.json`, issuer: "tessera", audience: "tessera" });
    expect(await rejection(freshSibling.verify(oldToken))).toBe("ERR_TOKEN_KEY_UNKNOWN");
  });
});

describe("algorithm confusion: an HS256 token is never accepted from an asymmetric service", () => {
  /** An HS256 token with the service's own claims and kid, its HMAC keyed with `secret`. */
  function hs256Token(template: string, kid: string, secret: string | Buffer): string {
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "at+jwt", kid })).toString("base64url");
    const payload = template.split(".")[1]!;
    const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
    return `${header}.${payload}.${signature}`;
  }

  it("refuses tokens 'signed' with the public key (JWK, x, PEM) or with JWT_SECRET under either kid, at the service and through tessera/verify", async () => {
    const key = await newKey("EdDSA");
    const t = await createTestApp({ env: { JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: key.pem } });
    const base = await listen(t);
    await t.register();
    const template = await accessToken(t);
    const jwks = (await t.call("GET", "/.well-known/jwks.json")).json;
    const sibling = createAccessTokenVerifier({ jwksUrl: `${base}/.well-known/jwks.json`, issuer: "tessera", audience: "tessera" });
    const secrets = [JSON.stringify(jwks.keys[0]), JSON.stringify(key.publicJwk), key.publicJwk.x!, Buffer.from(key.publicJwk.x!, "base64url"), key.spki, TEST_SECRET];
    // JWT_SECRET still keys refresh successors; a token it signs, under its own kid, is no access token here.
    const secretKid = await keyId(new TextEncoder().encode(TEST_SECRET));
    const forgeries = [...secrets.map((secret) => hs256Token(template, key.kid, secret)), hs256Token(template, secretKid, TEST_SECRET)];
    for (const forged of forgeries) {
      const res = await t.call("GET", "/users/me", { token: forged });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe("invalid_token");
      expect(await rejection(sibling.verify(forged))).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
    }
  });
});

describe("the service's other token paths follow the signing key", () => {
  it("introspection and machine-client tokens work with ES256", async () => {
    const key = await newKey("ES256");
    const t = await createTestApp({ env: { JWT_ALGORITHM: "ES256", JWT_PRIVATE_KEY: key.pem } });
    const client = await t.app.services.clients.create({ name: "reports", scopes: ["read"], audience: null });
    const basic = `Basic ${Buffer.from(`${client.client.id}:${client.secret}`).toString("base64")}`;
    const issued = await t.call("POST", "/auth/token", { form: { grant_type: "client_credentials" }, headers: { Authorization: basic } });
    expect(issued.status).toBe(200);
    expect(decodeProtectedHeader(issued.json.access_token)).toEqual({ alg: "ES256", typ: "at+jwt", kid: key.kid });
    const introspected = await t.call("POST", "/auth/introspect", { form: { token: issued.json.access_token }, headers: { Authorization: basic } });
    expect(introspected.json).toMatchObject({ active: true, token_type: "access_token", client_id: client.client.id });
  });
});
