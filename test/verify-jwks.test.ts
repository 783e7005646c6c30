// tessera/verify with public keys: a JWKS given in the options (`jwks`) or fetched from a real
// HTTP server on 127.0.0.1 (`jwksUrl`), other issuers' tokens, and what a dead key set does.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { base64url, exportJWK, exportSPKI, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AccessTokenError,
  createAccessTokenVerifier,
  requireAuth,
  verifyAccessToken,
  type VerifyOptions,
} from "../src/verify/index.js";
import { createVerificationRing } from "../src/verify/key-ring.js";
import { toVerifiedToken } from "../src/verify/verified-token.js";
import { createCachingVerifier } from "../src/verify/verify-access-token.js";
import { downJwksUrl, issuerKey, signWith, startJwksServer, type IssuerKey, type JwksServer } from "./support/public-keys.js";
import { rawSignedToken, unsecuredToken, verdict } from "./support/tokens.js";

const checks = { issuer: "tessera", audience: "tessera" } as const;

const servers: JwksServer[] = [];
async function serve(keys: IssuerKey[]): Promise<JwksServer> {
  const server = await startJwksServer({ keys: keys.map((k) => k.jwk) });
  servers.push(server);
  return server;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

let ed25519: IssuerKey;
let p256: IssuerKey;
beforeAll(async () => {
  [ed25519, p256] = await Promise.all([issuerKey("EdDSA"), issuerKey("ES256")]);
});

describe("EdDSA and ES256 tokens verify against a JWKS, given or fetched", () => {
  it.each(["EdDSA", "ES256"])("accepts %s tokens with jwks", async (alg) => {
    const key = alg === "EdDSA" ? ed25519 : p256;
    const options: VerifyOptions = { jwks: { keys: [ed25519.jwk, p256.jwk] }, ...checks };
    const claims = await verifyAccessToken(await signWith(key), options);
    expect(claims).toMatchObject({ sub: "user-1", role: "user", scope: "read write" });
  });

  it.each(["EdDSA", "ES256"])("accepts %s tokens with jwksUrl, fetching the set once for many tokens", async (alg) => {
    const key = alg === "EdDSA" ? ed25519 : p256;
    const server = await serve([ed25519, p256]);
    const options: VerifyOptions = { jwksUrl: server.url, ...checks };
    for (let i = 0; i < 3; i++) expect(await verdict(await signWith(key), options)).toBe("accepted");
    expect(server.requests).toBe(1);
  });

  it("takes jwksUrl as a URL object too", async () => {
    const server = await serve([ed25519]);
    expect(await verdict(await signWith(ed25519), { jwksUrl: new URL(server.url), ...checks })).toBe("accepted");
  });

  it("answers the sibling's requests through requireAuth, in both forms", async () => {
    const server = await serve([ed25519]);
    const auth = requireAuth({ jwksUrl: server.url, ...checks });
    const app = new Hono();
    app.use("/api/*", auth);
    app.get("/api/me", (c) => c.json(c.get("auth")));
    app.get("/direct/me", auth.protect((c) => c.json(c.get("auth"))));
    const token = await signWith(ed25519);
    for (const path of ["/api/me", "/direct/me"]) {
      const res = await app.request(path, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ sub: "user-1", scopes: ["read", "write"], sid: "session-1", clientId: "tessera" });
    }
  });

  it("verifies against a key ring of public keys, as the service's own asymmetric verifier will", async () => {
    const ring = createVerificationRing([
      { kid: ed25519.kid, alg: "EdDSA", key: ed25519.publicKey },
      { kid: p256.kid, alg: "ES256", key: p256.publicKey },
    ]);
    const verifier = createCachingVerifier({ keys: ring, ...checks, cacheSize: 0 }, toVerifiedToken);
    // The header Tessera writes (found by its bytes), and the same members in another order (by kid).
    const token = await signWith(ed25519);
    expect(ring.keyForToken(token)).toBe(ed25519.publicKey);
    expect((await verifier.verify(token)).claims.sub).toBe("user-1");
    const reordered = await signWith(p256, { header: { kid: p256.kid, typ: "at+jwt", alg: "ES256" } });
    expect((await verifier.verify(reordered)).claims.sub).toBe("user-1");
    // A key is used with its own algorithm only.
    const crossed = await signWith(p256, { header: { kid: ed25519.kid } });
    await expect(verifier.verify(crossed)).rejects.toMatchObject({ code: "ERR_TOKEN_ALG_NOT_ALLOWED" });
  });
});

describe("rotation: a previous key verifies while its key set holds it", () => {
  it("with jwks: accepted while listed, ERR_TOKEN_KEY_UNKNOWN once retired", async () => {
    const next = await issuerKey("EdDSA");
    const oldToken = await signWith(ed25519);
    const during: VerifyOptions = { jwks: { keys: [next.jwk, ed25519.jwk] }, ...checks };
    expect(await verdict(oldToken, during)).toBe("accepted");
    expect(await verdict(await signWith(next), during)).toBe("accepted");
    const after: VerifyOptions = { jwks: { keys: [next.jwk] }, ...checks };
    expect(await verdict(oldToken, after)).toBe("ERR_TOKEN_KEY_UNKNOWN");
  });

  it("with jwksUrl: a new key is fetched when a token names it, a retired one is refused once the set is fetched again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // jose times the key set's cooldown and age with Date.now
    const next = await issuerKey("EdDSA");
    const server = await serve([ed25519]);
    const options: VerifyOptions = { jwksUrl: server.url, ...checks, cacheSize: 0 };
    const hour = { exp: Math.floor(Date.now() / 1000) + 3600 };
    const oldToken = await signWith(ed25519, { claims: hour });
    expect(await verdict(oldToken, options)).toBe("accepted");

    // The issuer starts signing with a new key and publishes it before the old one.
    server.answer({ keys: [next.jwk, ed25519.jwk] });
    const newToken = await signWith(next, { claims: hour });
    // Within 30 s of the last fetch an unknown kid does not fetch again (jose's cooldown).
    expect(await verdict(newToken, options)).toBe("ERR_TOKEN_KEY_UNKNOWN");
    vi.setSystemTime(Date.now() + 31_000);
    expect(await verdict(newToken, options)).toBe("accepted");
    expect(await verdict(oldToken, options)).toBe("accepted");
    expect(server.requests).toBe(2);

    // The old key is retired; the set held is up to 10 minutes old before it is fetched again.
    server.answer({ keys: [next.jwk] });
    expect(await verdict(oldToken, options)).toBe("accepted");
    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect(await verdict(oldToken, options)).toBe("ERR_TOKEN_KEY_UNKNOWN");
    expect(await verdict(newToken, options)).toBe("accepted");
  });
});

describe("another issuer's tokens: RS256, typ JWT, no jti", () => {
  async function thirdParty() {
    const rsa = await issuerKey("RS256");
    const server = await serve([rsa]);
    const now = Math.floor(Date.now() / 1000);
    const token = await signWith(rsa, {
      header: { typ: "JWT" },
      claims: { iss: "https://issuer.example/", aud: "orders", sub: "auth0|42", azp: "spa", scope: "orders:read" },
      omit: ["jti", "sid", "role", "client_id"],
    });
    return { server, token, now, checks: { issuer: "https://issuer.example/", audience: "orders" } };
  }

  it("is accepted only with algorithms [RS256] and typ null", async () => {
    const { server, token, checks } = await thirdParty();
    expect(await verdict(token, { jwksUrl: server.url, ...checks })).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
    expect(await verdict(token, { jwksUrl: server.url, ...checks, algorithms: ["RS256"] })).toBe("ERR_TOKEN_TYPE_INVALID");
    // A typ of its own still asks for jti: only null drops the access-token profile.
    expect(await verdict(token, { jwksUrl: server.url, ...checks, algorithms: ["RS256"], typ: "JWT" })).toBe("ERR_TOKEN_CLAIM_INVALID");
    const claims = await verifyAccessToken(token, { jwksUrl: server.url, ...checks, algorithms: ["RS256"], typ: null });
    expect(claims).toMatchObject({ sub: "auth0|42", scope: "orders:read", azp: "spa" });
    expect(claims.jti).toBeUndefined();
  });

  it("with typ null keeps every other check: iss, aud, exp, iat, sub, and the type of jti", async () => {
    const { server, checks } = await thirdParty();
    const rsa = await issuerKey("RS256");
    server.answer({ keys: [rsa.jwk] });
    const options: VerifyOptions = { jwksUrl: server.url, ...checks, algorithms: ["RS256"], typ: null };
    const sign = (claims: Record<string, unknown>, omit: string[] = []) =>
      signWith(rsa, { header: { typ: "JWT" }, claims: { iss: checks.issuer, aud: "orders", jti: undefined, ...claims }, omit });
    expect(await verdict(await sign({}), options)).toBe("accepted");
    expect(await verdict(await sign({ iss: "https://evil.example/" }), options)).toBe("ERR_TOKEN_CLAIM_INVALID");
    expect(await verdict(await sign({ aud: "billing" }), options)).toBe("ERR_TOKEN_CLAIM_INVALID");
    expect(await verdict(await sign({ exp: Math.floor(Date.now() / 1000) - 60 }), options)).toBe("ERR_TOKEN_EXPIRED");
    expect(await verdict(await sign({}, ["iat"]), options)).toBe("ERR_TOKEN_CLAIM_INVALID");
    expect(await verdict(await sign({}, ["sub"]), options)).toBe("ERR_TOKEN_CLAIM_INVALID");
    expect(await verdict(await sign({ jti: 7 }), options)).toBe("ERR_TOKEN_CLAIM_INVALID");
    expect(await verdict(await signWith(rsa, { header: { typ: undefined }, claims: { iss: checks.issuer, aud: "orders" } }), options)).toBe("accepted");
  });

  it("refuses an RSA key under 2048 bits as unusable, not with a 500", async () => {
    // Made and used through Web Crypto: jose will neither make nor sign with such a key.
    const rsa = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const weak = await crypto.subtle.generateKey({ ...rsa, modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) }, true, ["sign", "verify"]);
    const server = await startJwksServer({ keys: [{ ...(await exportJWK(weak.publicKey)), kid: "weak", alg: "RS256" }] });
    servers.push(server);
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => base64url.encode(JSON.stringify(o));
    const input = `${part({ alg: "RS256", typ: "at+jwt", kid: "weak" })}.${part({ iss: "tessera", aud: "tessera", sub: "u", iat: now, exp: now + 60, jti: "j" })}`;
    const signature = new Uint8Array(await crypto.subtle.sign(rsa, weak.privateKey, new TextEncoder().encode(input)));
    const token = `${input}.${base64url.encode(signature)}`;
    expect(await verdict(token, { jwksUrl: server.url, ...checks, algorithms: ["RS256"] })).toBe("ERR_TOKEN_KEYS_UNAVAILABLE");
  });
});

describe("a key set that cannot be had: ERR_TOKEN_KEYS_UNAVAILABLE", () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ["the endpoint is down", () => downJwksUrl()],
    ["it answers 500", async () => (await startServer({ status: 500, body: '{"error":"oops"}' })).url],
    ["it answers 404", async () => (await startServer({ status: 404, body: "" })).url],
    ["it answers garbage", async () => (await startServer({ status: 200, body: "<html>not json" })).url],
    ["it answers JSON that is not a key set", async () => (await startServer({ status: 200, body: '{"keys":"none"}' })).url],
    ["it answers a private key", async () => (await startServer({ status: 200, body: JSON.stringify({ keys: [await privateJwk()] }) })).url],
  ];
  async function startServer(answer: { status: number; body: string }) {
    const server = await startJwksServer(answer);
    servers.push(server);
    return server;
  }
  async function privateJwk() {
    return { ...(await exportJWK(ed25519.privateKey)), kid: ed25519.kid, alg: "EdDSA" };
  }

  it.each(cases)("when %s", async (_what, url) => {
    expect(await verdict(await signWith(ed25519), { jwksUrl: await url(), ...checks })).toBe("ERR_TOKEN_KEYS_UNAVAILABLE");
  });

  it("when it does not answer within 5 s", async () => {
    const server = await startJwksServer("hang");
    servers.push(server);
    const started = Date.now();
    expect(await verdict(await signWith(ed25519), { jwksUrl: server.url, ...checks })).toBe("ERR_TOKEN_KEYS_UNAVAILABLE");
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
  }, 15_000);

  it("keeps the cause for the operator, and recovers as soon as the endpoint does", async () => {
    const server = await startJwksServer({ status: 503, body: "" });
    servers.push(server);
    const verifier = createAccessTokenVerifier({ jwksUrl: server.url, ...checks });
    const token = await signWith(ed25519);
    const error = await verifier.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).cause).toBeInstanceOf(Error);
    expect((error as AccessTokenError).message).not.toContain(token);
    server.answer({ keys: [ed25519.jwk] });
    expect((await verifier.verify(token)).sub).toBe("user-1");
  });

  it("requireAuth answers 401 invalid_token with the RFC 6750 challenge, never a 500", async () => {
    const app = new Hono();
    const seen: unknown[] = [];
    app.onError((err) => {
      seen.push(err instanceof HTTPException ? err.cause : err);
      return err instanceof HTTPException ? err.getResponse() : new Response("unexpected", { status: 500 });
    });
    const auth = requireAuth({ jwksUrl: await downJwksUrl(), ...checks });
    app.get("/api/me", auth, (c) => c.json(c.get("auth")));
    app.get("/direct/me", auth.protect((c) => c.json(c.get("auth"))));
    for (const path of ["/api/me", "/direct/me"]) {
      const res = await app.request(path, { headers: { Authorization: `Bearer ${await signWith(ed25519)}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
      expect(await res.json()).toEqual({ error: "invalid_token", error_description: "The access token is invalid or expired." });
    }
    // An onError can still tell an outage from a bad token, to log it or answer 503 instead.
    expect(seen.map((e) => (e as AccessTokenError).code)).toEqual(["ERR_TOKEN_KEYS_UNAVAILABLE", "ERR_TOKEN_KEYS_UNAVAILABLE"]);
  });
});

describe("a public key never verifies a token of another algorithm family", () => {
  const options = () => ({ jwks: { keys: [ed25519.jwk, p256.jwk] }, ...checks, cacheSize: 0 }) satisfies VerifyOptions;

  it("HS256 'signed' with the public key's bytes, in every form an attacker might try", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: "tessera", aud: "tessera", sub: "admin", iat: now, exp: now + 60, jti: "j", role: "admin" };
    const pem = await exportSPKI(p256.publicKey);
    const forms = [pem, JSON.stringify(p256.jwk), p256.jwk.x!, new TextDecoder("latin1").decode(base64url.decode(ed25519.jwk.x!))];
    for (const secret of forms) {
      for (const kid of [p256.kid, ed25519.kid]) {
        const token = await rawSignedToken({ alg: "HS256", typ: "at+jwt", kid }, claims, secret.padEnd(32, "\0"));
        expect(await verdict(token, options())).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
      }
    }
    const raw = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: ed25519.kid })
      .sign(base64url.decode(ed25519.jwk.x!));
    expect(await verdict(raw, options())).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
  });

  it("alg none, and an algorithm not on the list", async () => {
    const now = Math.floor(Date.now() / 1000);
    const none = unsecuredToken(
      { alg: "none", typ: "at+jwt", kid: ed25519.kid },
      { iss: "tessera", aud: "tessera", sub: "admin", iat: now, exp: now + 60, jti: "x" },
    );
    expect(await verdict(none, options())).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
    const p384 = await issuerKey("ES384");
    const wide = { jwks: { keys: [p384.jwk] }, ...checks };
    expect(await verdict(await signWith(p384), wide)).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
    expect(await verdict(await signWith(p384), { ...wide, algorithms: ["ES384"] })).toBe("accepted");
  });

  it("a key of the wrong type under a kid, another key's signature, no kid, an unknown kid", async () => {
    expect(await verdict(await signWith(ed25519, { header: { kid: p256.kid } }), options())).toBe("ERR_TOKEN_KEY_UNKNOWN");
    const impostor = await issuerKey("EdDSA");
    expect(await verdict(await signWith(impostor, { header: { kid: ed25519.kid } }), options())).toBe("ERR_TOKEN_SIGNATURE_INVALID");
    expect(await verdict(await signWith(ed25519, { header: { kid: undefined } }), options())).toBe("ERR_TOKEN_KEY_UNKNOWN");
    expect(await verdict(await signWith(impostor), options())).toBe("ERR_TOKEN_KEY_UNKNOWN");
    // Two keys under one kid (RFC 7517 asks for distinct ones): which one is meant cannot be told.
    const ambiguous = { jwks: { keys: [ed25519.jwk, { ...impostor.jwk, kid: ed25519.kid }] }, ...checks };
    expect(await verdict(await signWith(ed25519), ambiguous)).toBe("ERR_TOKEN_KEY_UNKNOWN");
  });

  it("an embedded jwk header is ignored: only the key set is trusted", async () => {
    const attacker = await issuerKey("EdDSA");
    const token = await signWith(attacker, { header: { kid: ed25519.kid, jwk: attacker.jwk as never } });
    expect(await verdict(token, options())).toBe("ERR_TOKEN_SIGNATURE_INVALID");
  });

  it("a wrong or missing typ by default", async () => {
    expect(await verdict(await signWith(ed25519, { header: { typ: "JWT" } }), options())).toBe("ERR_TOKEN_TYPE_INVALID");
    expect(await verdict(await signWith(ed25519, { header: { typ: undefined } }), options())).toBe("ERR_TOKEN_TYPE_INVALID");
  });
});

describe("construction refuses a missing, doubled or unsafe key source with TypeError", () => {
  const secret = "sibling-shared-secret-0123456789abcdef";
  const bad = (options: unknown) => () => createAccessTokenVerifier(options as VerifyOptions);

  it("no key source, or two", () => {
    expect(bad({ ...checks })).toThrow(/exactly one key source/);
    expect(bad({ secret, jwks: { keys: [ed25519.jwk] }, ...checks })).toThrow(TypeError);
    expect(bad({ jwks: { keys: [ed25519.jwk] }, jwksUrl: "https://tessera.example/.well-known/jwks.json", ...checks })).toThrow(TypeError);
    expect(() => requireAuth({ secret, jwksUrl: "https://x.example/jwks" as never, ...checks })).toThrow(TypeError);
  });

  it("an HS* algorithm beside a key set, an unknown one, or anything but HS256 beside a secret", () => {
    const jwks = { keys: [ed25519.jwk] };
    for (const algorithms of [["HS256"], ["EdDSA", "HS512"], ["none"], ["ES256K"], [], "EdDSA"]) {
      expect(bad({ jwks, ...checks, algorithms })).toThrow(TypeError);
      expect(bad({ jwksUrl: "https://tessera.example/jwks", ...checks, algorithms })).toThrow(TypeError);
    }
    expect(bad({ jwks, ...checks, algorithms: ["HS256"] })).toThrow(/shared secret/);
    expect(bad({ secret, ...checks, algorithms: ["EdDSA"] })).toThrow(TypeError);
    expect(bad({ secret, ...checks, algorithms: ["HS256", "HS512"] })).toThrow(TypeError);
    expect(bad({ secret, ...checks, algorithms: ["HS256"] })).not.toThrow();
  });

  it("a key set that is not one, is empty, or holds a secret, a private key or a key without kid", async () => {
    const privateKey = { ...(await exportJWK(ed25519.privateKey)), kid: "k" };
    const { kid: _kid, ...noKid } = ed25519.jwk;
    for (const jwks of [null, [], {}, { keys: [] }, { keys: [{}] }, { keys: [{ kty: "oct", k: "c2VjcmV0", kid: "k" }] }, { keys: [privateKey] }, { keys: [noKid] }]) {
      expect(bad({ jwks, ...checks })).toThrow(TypeError);
    }
  });

  it("a jwksUrl that is not an absolute https URL (http only to localhost)", () => {
    for (const jwksUrl of ["/.well-known/jwks.json", "ftp://tessera.example/jwks", "http://tessera.example/jwks", 42]) {
      expect(bad({ jwksUrl, ...checks })).toThrow(TypeError);
    }
    for (const jwksUrl of ["https://tessera.example/jwks", "http://localhost:3000/jwks", "http://127.0.0.1:3000/jwks", "http://[::1]:3000/jwks"]) {
      expect(bad({ jwksUrl, ...checks })).not.toThrow();
    }
  });

  it("a typ that is empty or not a string", () => {
    expect(bad({ jwks: { keys: [ed25519.jwk] }, ...checks, typ: "" })).toThrow(TypeError);
    expect(bad({ jwks: { keys: [ed25519.jwk] }, ...checks, typ: 1 })).toThrow(TypeError);
  });

  it("does not fetch anything at construction", async () => {
    const server = await serve([ed25519]);
    requireAuth({ jwksUrl: server.url, ...checks });
    createAccessTokenVerifier({ jwksUrl: server.url, ...checks });
    expect(server.requests).toBe(0);
  });
});

describe("the verified-token cache works the same for every key source", () => {
  // A hit returns the very claims object stored on first sight; a miss builds a new one.
  it("a reused token skips verification and the key set; a new one uses the set already fetched", async () => {
    const server = await serve([ed25519]);
    const verifier = createAccessTokenVerifier({ jwksUrl: server.url, ...checks });
    const token = await signWith(ed25519);
    const first = await verifier.verify(token);
    await server.close();
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const other = await signWith(ed25519);
    expect(await verifier.verify(other)).not.toBe(first);
    expect(server.requests).toBe(1);
  });

  it("a cached token is refused once its time is up", async () => {
    const clock = { ms: Date.now() };
    const exp = Math.floor(clock.ms / 1000) + 60;
    const verifier = createAccessTokenVerifier({ jwks: { keys: [ed25519.jwk] }, ...checks, clockToleranceSeconds: 0, now: () => clock.ms });
    const token = await signWith(ed25519, { claims: { exp } });
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first);
    clock.ms = exp * 1000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "ERR_TOKEN_EXPIRED" });
  });

  it("a changed byte is a miss, checked against the keys again", async () => {
    const verifier = createAccessTokenVerifier({ jwks: { keys: [ed25519.jwk] }, ...checks });
    const token = await signWith(ed25519);
    await verifier.verify(token);
    const [h, p, s] = token.split(".");
    const flipped = `${h}.${p}.${s![0] === "A" ? "B" : "A"}${s!.slice(1)}`;
    await expect(verifier.verify(flipped)).rejects.toMatchObject({ code: "ERR_TOKEN_SIGNATURE_INVALID" });
  });
});
