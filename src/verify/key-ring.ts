import { base64url, type JWSHeaderParameters } from "jose";
import { AccessTokenError } from "./access-token-error.js";
import type { KeySource } from "./key-source.js";

/**
 * The shortest HMAC key accepted anywhere, by the service's configuration and by `tessera/verify`:
 * a shorter one can be brute-forced offline from any captured token.
 */
export const MIN_KEY_BYTES = 32;

/** The token type every access token carries in its header (RFC 9068). */
export const ACCESS_TOKEN_TYPE = "at+jwt";

/** A key that verifies, with the one algorithm it may be used with. */
export interface VerificationKey {
  kid: string;
  alg: string;
  key: CryptoKey;
}

/** The key that signs new tokens. */
export interface SigningKey {
  kid: string;
  alg: string;
  /** The base64url protected header every token signed with this key carries. */
  encodedHeader: string;
  /** The base64url JWS signature of `input` (the encoded header, a dot, the encoded payload). */
  sign(input: string): string | Promise<string>;
}

/**
 * Keys imported once, each with its algorithm, as a key source: the key is chosen by `kid`, and
 * used only with its own algorithm. Nothing here assumes HMAC, so asymmetric public keys fit too.
 */
export interface VerificationRing extends KeySource {
  /** The algorithms a token may name: exactly those of the ring's keys. */
  algorithms: readonly string[];
  byKid: ReadonlyMap<string, VerificationKey>;
  /**
   * Each key with the start of every token signed with it: the encoded protected header and its
   * dot. A token that starts with it names that key, so the verifier can hand jose the key.
   */
  byHeader: readonly (readonly [prefix: string, key: CryptoKey])[];
}

/** Every key the service holds, imported once. The first key signs, all verify. */
export interface KeyRing extends VerificationRing {
  signing: SigningKey;
}

/** An HMAC-SHA256 over UTF-8 text answered as base64url; Node passes a synchronous `node:crypto` one. */
export type HmacSha256 = (key: Uint8Array, text: string) => string | Promise<string>;

const encoder = new TextEncoder();

function keyBytes(secret: unknown, label: string): Uint8Array {
  if (typeof secret !== "string") throw new TypeError(`${label} must be a string`);
  const bytes = encoder.encode(secret);
  if (bytes.byteLength < MIN_KEY_BYTES) throw new TypeError(`${label} must be at least ${MIN_KEY_BYTES} bytes`);
  return bytes;
}

/** Checks every secret synchronously, so construction fails fast on a short key. */
export function checkSecrets(secrets: string | readonly string[]): Uint8Array[] {
  const list = typeof secrets === "string" ? [secrets] : [...secrets];
  if (list.length === 0) throw new TypeError("at least one secret is required");
  return list.map((s, i) => keyBytes(s, i === 0 ? "secret" : `secret[${i}]`));
}

/**
 * The key id published in the JWS header: a truncated SHA-256 of the key, so
 * a verifier can pick the key without the header revealing anything about it.
 */
export async function keyId(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return base64url.encode(digest.subarray(0, 12));
}

/** The protected header of every access token signed with key `kid`, as JSON. */
export function accessTokenHeader(alg: string, kid: string): string {
  return JSON.stringify({ alg, typ: ACCESS_TOKEN_TYPE, kid });
}

const webHmacSha256 = (key: CryptoKey) => async (text: string) =>
  base64url.encode(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text))));

/**
 * Imports HS256 secrets once. The first signs (through `hmacSha256` when given, else Web Crypto),
 * every one verifies. Throws `TypeError` on a secret shorter than `MIN_KEY_BYTES`.
 *
 * @example
 * const ring = await createHmacKeyRing([current, previous]);
 * const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: ring.signing.kid }) …
 */
export async function createHmacKeyRing(
  secrets: string | readonly string[],
  options: { hmacSha256?: HmacSha256 } = {},
): Promise<KeyRing> {
  const all = checkSecrets(secrets);
  const alg = "HS256";
  const entries = await Promise.all(
    all.map(async (bytes) => {
      const key = await crypto.subtle.importKey(
        "raw",
        bytes as Uint8Array<ArrayBuffer>,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign", "verify"],
      );
      return { kid: await keyId(bytes), alg, key, bytes };
    }),
  );
  const first = entries[0]!;
  const { hmacSha256 } = options;
  const signing: SigningKey = {
    kid: first.kid,
    alg,
    encodedHeader: base64url.encode(accessTokenHeader(alg, first.kid)),
    sign: hmacSha256 ? (input) => hmacSha256(first.bytes, input) : webHmacSha256(first.key),
  };
  return { ...createVerificationRing(entries.map(({ kid, key }) => ({ kid, alg, key }))), signing };
}

function noKey(code: "ERR_TOKEN_KEY_UNKNOWN" | "ERR_TOKEN_ALG_NOT_ALLOWED", message: string): never {
  throw new AccessTokenError(code, message);
}

/**
 * A key source over keys already imported: HMAC keys, or public keys of any algorithm jose
 * verifies (the service's own Ed25519 or P-256 keys). The first key with a given `kid` wins.
 *
 * @example
 * const ring = createVerificationRing([{ kid: thumbprint, alg: "EdDSA", key: publicKey }]);
 * const verifier = createCachingVerifier({ keys: ring, issuer: "tessera", audience: "api" }, (c) => c);
 */
export function createVerificationRing(keys: readonly VerificationKey[]): VerificationRing {
  if (keys.length === 0) throw new TypeError("a key ring needs at least one key");
  const byKid = new Map<string, VerificationKey>();
  for (const { kid, alg, key } of keys) if (!byKid.has(kid)) byKid.set(kid, { kid, alg, key });
  const byHeader = [...byKid.values()].map(
    ({ kid, alg, key }) => [`${base64url.encode(accessTokenHeader(alg, kid))}.`, key] as const,
  );
  return {
    algorithms: [...new Set([...byKid.values()].map((k) => k.alg))],
    byKid,
    byHeader,
    keyForToken(token) {
      for (const [prefix, key] of byHeader) if (token.startsWith(prefix)) return key;
      return undefined;
    },
    keyForHeader(header: JWSHeaderParameters) {
      if (typeof header.kid !== "string") noKey("ERR_TOKEN_KEY_UNKNOWN", "token has no key id");
      const found = byKid.get(header.kid);
      if (!found) noKey("ERR_TOKEN_KEY_UNKNOWN", "unknown key id");
      // A key is used with its own algorithm only, whatever else the allow-list holds.
      if (found.alg !== header.alg) noKey("ERR_TOKEN_ALG_NOT_ALLOWED", "algorithm not allowed");
      return found.key;
    },
  };
}
