import { base64url } from "jose";

export const MIN_KEY_BYTES = 32;

export interface RingKey {
  kid: string;
  key: CryptoKey;
}

/** Keys imported once; the first signs, all verify. */
export interface KeyRing {
  signing: RingKey;
  byKid: ReadonlyMap<string, CryptoKey>;
  /**
   * Each key with the start of every token Tessera signs with it: the encoded header of
   * `accessTokenHeader(kid)` and its dot. A token that starts with it names that `kid`.
   */
  byHeader: readonly (readonly [prefix: string, key: CryptoKey])[];
}

const encoder = new TextEncoder();

function keyBytes(secret: unknown, label: string): Uint8Array {
  if (typeof secret !== "string") throw new TypeError(`${label} must be a string`);
  const bytes = encoder.encode(secret);
  // A short HMAC key can be brute-forced offline from any captured token.
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

/** The protected header of every Tessera access token signed with the key `kid`, as JSON. */
export function accessTokenHeader(kid: string): string {
  return JSON.stringify({ alg: "HS256", typ: "at+jwt", kid });
}

/**
 * Imports every secret once as an HMAC-SHA256 `CryptoKey`.
 *
 * @example
 * const ring = await createKeyRing([current, previous]);
 */
export async function createKeyRing(secrets: string | readonly string[]): Promise<KeyRing> {
  const all = checkSecrets(secrets);
  const entries = await Promise.all(
    all.map(async (bytes) => {
      const key = await crypto.subtle.importKey(
        "raw",
        bytes as Uint8Array<ArrayBuffer>,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign", "verify"],
      );
      return { kid: await keyId(bytes), key };
    }),
  );
  const byKid = new Map<string, CryptoKey>();
  for (const e of entries) if (!byKid.has(e.kid)) byKid.set(e.kid, e.key);
  const byHeader = [...byKid].map(([kid, key]) => [`${base64url.encode(accessTokenHeader(kid))}.`, key] as const);
  return { signing: entries[0]!, byKid, byHeader };
}
