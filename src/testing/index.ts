// tessera/testing: access tokens for a sibling service's own tests, signed with keys made in
// memory. Depends on jose only; the service never imports it.
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { keyId } from "../verify/key-ring.js";
import type { KeySourceOptions, VerifyOptions } from "../verify/verify-access-token.js";

export type TestIssuerAlgorithm = "EdDSA" | "ES256" | "HS256";

export interface TestIssuerOptions {
  /** `iss` of the tokens (default "tessera"). */
  issuer?: string;
  /** `aud` of the tokens (default "tessera"); a list names several services. */
  audience?: string | string[];
  /** Default "EdDSA" (Ed25519); "ES256" (P-256) or "HS256" (a random 32-byte secret). */
  algorithm?: TestIssuerAlgorithm;
}

export interface TestIssuer {
  /**
   * Signs an access token: header `{alg, typ: "at+jwt", kid}` and the claims a Tessera user token
   * carries (`iss`, `aud`, `sub`, `client_id`, `iat`, `exp` in 300 s, `jti`, `sid`, `role` "user",
   * `scope` "read write"), each replaced by `claims`; a claim given as `undefined` is left out.
   */
  sign(claims?: Record<string, unknown>): Promise<string>;
  /** The `requireAuth` / `verifyAccessToken` options that accept these tokens. */
  options: VerifyOptions;
}

interface Signer {
  key: CryptoKey | Uint8Array;
  kid: string;
  options: KeySourceOptions;
}

async function asymmetricSigner(alg: "EdDSA" | "ES256"): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwk = await exportJWK(publicKey);
  // The key id Tessera publishes for a public key: its RFC 7638 thumbprint.
  const kid = await calculateJwkThumbprint(jwk);
  const published: JWK = { ...jwk, kid, alg, use: "sig" };
  return { key: privateKey, kid, options: { jwks: { keys: [published] } } };
}

async function hmacSigner(): Promise<Signer> {
  const secret = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const key = new TextEncoder().encode(secret);
  // HS256 tokens name their key the way Tessera does, by a hash of the secret.
  return { key, kid: await keyId(key), options: { secret } };
}

/**
 * A stand-in for Tessera in a sibling service's tests: `sign` makes tokens, `options` accept them.
 *
 * @example
 * const issuer = await createTestIssuer({ audience: "orders" });
 * const app = createOrdersApp(issuer.options);
 * const res = await app.request("/orders", { headers: { Authorization: `Bearer ${await issuer.sign({ scope: "orders:read" })}` } });
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const { issuer = "tessera", audience = "tessera", algorithm = "EdDSA" } = options;
  if (algorithm !== "EdDSA" && algorithm !== "ES256" && algorithm !== "HS256") {
    throw new TypeError("algorithm must be EdDSA, ES256 or HS256");
  }
  const signer = algorithm === "HS256" ? await hmacSigner() : await asymmetricSigner(algorithm);
  return {
    options: { ...signer.options, issuer, audience },
    async sign(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: audience,
        sub: "test-user",
        client_id: "tessera",
        iat: now,
        exp: now + 300,
        jti: crypto.randomUUID(),
        sid: crypto.randomUUID(),
        role: "user",
        scope: "read write",
        ...claims,
      };
      return new SignJWT(payload).setProtectedHeader({ alg: algorithm, typ: "at+jwt", kid: signer.kid }).sign(signer.key);
    },
  };
}
