import { createLocalJWKSet, decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../src/config.js";
import { nodeTokenDigests } from "../src/node/node-crypto-digests.js";
import { createAccessTokenIssuer, type AccessTokenSubject } from "../src/tokens/access-token-issuer.js";
import { loadServiceKeys } from "../src/tokens/service-keys.js";
import { webTokenDigests } from "../src/tokens/token-digests.js";
import { createHmacKeyRing, type HmacSha256 } from "../src/verify/key-ring.js";
import { createAccessTokenVerifier } from "../src/verify/verify-access-token.js";

const SECRET = "issuer-test-secret-0123456789abcdefghij";
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const clock = { now: () => NOW };
const key = new TextEncoder().encode(SECRET);

/** What jose's SignJWT makes from the same claims: the reference the issuer must match byte for byte. */
async function joseReference(token: string, audience: string | string[], signingKey: Uint8Array | CryptoKey = key): Promise<string> {
  const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
  const { iss, aud, sub, iat, exp, jti, ...claims } = payload;
  expect(aud).toEqual(audience);
  return new SignJWT(claims)
    .setProtectedHeader(decodeProtectedHeader(token) as { alg: string })
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(signingKey);
}

function issuerFor(config: Config, hmacSha256?: HmacSha256) {
  const keys = createHmacKeyRing([config.jwt.secret, ...config.jwt.previousSecrets], { hmacSha256 });
  return createAccessTokenIssuer({ jwt: config.jwt, clock, keys, base64url: nodeTokenDigests.base64url });
}

const subjects: Array<[string, AccessTokenSubject]> = [
  ["with a session", { sub: "0193a0b0-0000-7000-8000-000000000001", clientId: "tessera", sid: "0193a0b0-0000-7000-8000-000000000002", role: "user", scope: "read write" }],
  ["without a session", { sub: "svc-1", clientId: "svc-1", role: "viewer", scope: "read" }],
];

describe("access tokens are signed with the key ring's signing key", () => {
  const signers = [
    ["node:crypto HMAC", nodeTokenDigests.hmacSha256],
    ["injected Web Crypto HMAC", webTokenDigests.hmacSha256],
    ["the ring's own Web Crypto key", undefined],
  ] as const;
  for (const [digestsName, hmacSha256] of signers) {
    for (const audience of ["tessera-api", "api-a,api-b"]) {
      for (const [subjectName, subject] of subjects) {
        it(`${digestsName}, audience ${audience}, ${subjectName}: the bytes jose's SignJWT makes, and they verify`, async () => {
          const config = parseConfig({ JWT_SECRET: SECRET, JWT_AUDIENCE: audience, ACCESS_TOKEN_TTL: "600" });
          const issue = issuerFor(config, hmacSha256);
          const { accessToken, expiresIn } = await issue(subject);
          const expectedAudience = audience.includes(",") ? audience.split(",") : audience;
          expect(accessToken).toBe(await joseReference(accessToken, expectedAudience));
          expect(expiresIn).toBe(600);

          const { payload, protectedHeader } = await jwtVerify(accessToken, key, {
            algorithms: ["HS256"],
            typ: "at+jwt",
            issuer: config.jwt.issuer,
            audience: config.jwt.audience,
            currentDate: new Date(NOW),
          });
          const ring = await createHmacKeyRing(SECRET);
          expect(protectedHeader).toEqual({ alg: "HS256", typ: "at+jwt", kid: ring.signing.kid });
          // Byte for byte the header verifiers recognise, so they hand jose the key directly.
          expect(accessToken.startsWith(ring.byHeader[0]![0])).toBe(true);
          expect(payload).toMatchObject({ sub: subject.sub, client_id: subject.clientId, role: subject.role, scope: subject.scope });
          expect(payload.sid).toBe(subject.sid);
          expect(payload.exp! - payload.iat!).toBe(600);

          const verifier = createAccessTokenVerifier({ secret: SECRET, issuer: config.jwt.issuer, audience: config.jwt.audience, now: () => NOW });
          expect((await verifier.verify(accessToken)).sub).toBe(subject.sub);
        });
      }
    }
  }

  it("a token signed with another key does not verify", async () => {
    const config = parseConfig({ JWT_SECRET: "another-secret-0123456789abcdefghijklmn" });
    const { accessToken } = await issuerFor(config, nodeTokenDigests.hmacSha256)(subjects[0]![1]);
    await expect(jwtVerify(accessToken, key, { currentDate: new Date(NOW) })).rejects.toThrow();
  });
});

describe("with an Ed25519 key, the issuer signs what jose's SignJWT signs", () => {
  it("byte for byte (Ed25519 signatures are deterministic), and the token verifies with the published key", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const config = parseConfig({ JWT_SECRET: SECRET, JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: await exportPKCS8(privateKey) });
    const { ring, jwks } = await loadServiceKeys({ ...config.jwt, secrets: [SECRET] });
    const issue = createAccessTokenIssuer({ jwt: config.jwt, clock, keys: Promise.resolve(ring), base64url: nodeTokenDigests.base64url });
    const { accessToken } = await issue(subjects[0]![1]);
    expect(decodeProtectedHeader(accessToken)).toEqual({ alg: "EdDSA", typ: "at+jwt", kid: ring.signing.kid });
    expect(accessToken).toBe(await joseReference(accessToken, "tessera", privateKey));
    await jwtVerify(accessToken, createLocalJWKSet(jwks!), { algorithms: ["EdDSA"], typ: "at+jwt", currentDate: new Date(NOW) });
  });
});
