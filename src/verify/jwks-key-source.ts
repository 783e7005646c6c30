import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters } from "jose";
import { AccessTokenError } from "./access-token-error.js";
import type { KeySource } from "./key-source.js";

/** The public-key algorithms a JWKS verifier may allow; anything else is a `TypeError`. */
export const JWKS_ALGORITHMS: readonly string[] = [
  "EdDSA",
  "Ed25519",
  "ES256",
  "ES384",
  "ES512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
];

/** What a JWKS verifier allows unless told otherwise: what Tessera signs with. */
export const DEFAULT_JWKS_ALGORITHMS: readonly string[] = ["EdDSA", "ES256"];

/** jose's key lookup over a JSON Web Key Set, local or remote. */
export type JwksLookup = (header: JWSHeaderParameters) => Promise<CryptoKey>;

/**
 * The allow-list of a JWKS verifier: `EdDSA` and `ES256` by default, others only when listed.
 * An `HS*` algorithm is a `TypeError`: a token "signed" with HMAC over the public key's bytes is
 * the classic algorithm-confusion forgery, so a public key never verifies one.
 */
export function jwksAlgorithms(algorithms: readonly string[] | undefined): string[] {
  if (algorithms === undefined) return [...DEFAULT_JWKS_ALGORITHMS];
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new TypeError("algorithms must be a non-empty list");
  for (const alg of algorithms as unknown[]) {
    if (typeof alg === "string" && /^HS/i.test(alg)) {
      throw new TypeError(`algorithms: ${alg} needs a shared secret; with jwks or jwksUrl only public-key algorithms are allowed`);
    }
    if (typeof alg !== "string" || !JWKS_ALGORITHMS.includes(alg)) {
      throw new TypeError(`algorithms: ${String(alg)} is not one of ${JWKS_ALGORITHMS.join(", ")}`);
    }
  }
  return [...new Set(algorithms)];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * jose's lookup over a key set given in the options, checked now so a mistake fails at
 * construction rather than on every request: only public keys, each with a `kid`.
 */
export function localJwks(jwks: unknown): JwksLookup {
  if (!isObject(jwks) || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw new TypeError("jwks must be a JSON Web Key Set with at least one key: { keys: [...] }");
  }
  jwks.keys.forEach((jwk: unknown, i) => {
    if (!isObject(jwk) || typeof jwk.kty !== "string") throw new TypeError(`jwks.keys[${i}] is not a JSON Web Key`);
    if (jwk.kty === "oct") throw new TypeError(`jwks.keys[${i}] is a shared secret; pass it as secret instead`);
    if ("d" in jwk) throw new TypeError(`jwks.keys[${i}] is a private key; pass only public keys`);
    if (typeof jwk.kid !== "string" || jwk.kid === "") throw new TypeError(`jwks.keys[${i}] has no kid; tokens choose their key by kid`);
  });
  try {
    return createLocalJWKSet(jwks as unknown as JSONWebKeySet);
  } catch (cause) {
    throw new TypeError("jwks is not a valid JSON Web Key Set", { cause });
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * jose's lookup over a key set fetched from `url`: fetched on first use, kept for 10 minutes,
 * fetched again early (at most every 30 s) when a token names a key it does not hold, 5 s timeout.
 * Plain `http:` only to a loopback host: whoever can change the key set can mint tokens.
 */
export function remoteJwks(url: unknown): JwksLookup {
  let parsed: URL;
  try {
    if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError();
    parsed = new URL(url);
  } catch {
    throw new TypeError("jwksUrl must be an absolute URL");
  }
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopback(parsed.hostname))) {
    throw new TypeError("jwksUrl must use https: (http: only for localhost)");
  }
  return createRemoteJWKSet(parsed);
}

function keyUnknown(message: string): AccessTokenError {
  return new AccessTokenError("ERR_TOKEN_KEY_UNKNOWN", message);
}

/**
 * What a failed lookup means for the token. Not finding its key is the token's problem; every
 * other failure is the key set's: the endpoint down or slow (a `TypeError` from fetch,
 * `JWKSTimeout`), a non-200 or non-JSON answer (`JOSEError`), not a key set or a key that will
 * not import (`JWKSInvalid`, `JOSENotSupported`, a `DOMException` from Web Crypto).
 */
function lookupError(e: unknown): AccessTokenError {
  if (e instanceof errors.JWKSNoMatchingKey) return keyUnknown("unknown key id");
  // RFC 7517 asks for distinct kids; a set that breaks that cannot say which key is meant.
  if (e instanceof errors.JWKSMultipleMatchingKeys) return keyUnknown("key id names more than one key");
  if (e instanceof errors.JOSEError || e instanceof TypeError || e instanceof DOMException) {
    return new AccessTokenError("ERR_TOKEN_KEYS_UNAVAILABLE", "verification keys unavailable", { cause: e });
  }
  throw e; // not a key-set failure: a bug, surfaced as one
}

/**
 * A key source over a JSON Web Key Set: each token's key is looked up by `kid` (and its
 * algorithm and key type) through jose's `createLocalJWKSet` / `createRemoteJWKSet`.
 *
 * @example
 * const keys = createJwksKeySource(remoteJwks("https://auth.example.com/.well-known/jwks.json"), ["EdDSA"]);
 * const verifier = createCachingVerifier({ keys, issuer: "tessera", audience: "orders" }, (c) => c);
 */
export function createJwksKeySource(lookup: JwksLookup, algorithms: readonly string[]): KeySource {
  return {
    algorithms,
    keyForToken: () => undefined,
    async keyForHeader(header) {
      // Without a kid jose would try any key of the right type; a Tessera token always names one.
      if (typeof header.kid !== "string") throw keyUnknown("token has no key id");
      try {
        return await lookup(header);
      } catch (e) {
        throw lookupError(e);
      }
    },
  };
}
