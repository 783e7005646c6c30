import { base64url } from "jose";

const encoder = new TextEncoder();
const PREFIX = "rt_";
// rt_ + base64url(32 bytes) is 3 + 43 characters.
const SHAPE = /^rt_[A-Za-z0-9_-]{43}$/;
// Fixed HKDF label: the successor key is used for nothing else, never the signing key itself.
const SUCCESSOR_INFO = encoder.encode("tessera/refresh-token-successor/v1");

export interface RefreshTokenCrypto {
  /** A fresh random token: the first of a session. */
  random(): string;
  /** The deterministic successor of `token` (DESIGN §5), so a benign race can be answered without stored plaintext. */
  successorOf(token: string): Promise<string>;
  /** What is stored: SHA-256 of the token, base64url. */
  hash(token: string): Promise<string>;
  isWellFormed(token: string): boolean;
}

/**
 * Refresh-token primitives keyed by an HKDF-derived key from `secret`.
 *
 * @example
 * const rt = createRefreshTokenCrypto(config.jwt.secret);
 * const next = await rt.successorOf(presented);
 */
export function createRefreshTokenCrypto(secret: string): RefreshTokenCrypto {
  const successorKey = (async () => {
    const ikm = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: SUCCESSOR_INFO },
      ikm,
      { name: "HMAC", hash: "SHA-256", length: 256 },
      false,
      ["sign"],
    );
  })();
  return {
    random: () => PREFIX + base64url.encode(crypto.getRandomValues(new Uint8Array(32))),
    async successorOf(token) {
      const mac = await crypto.subtle.sign("HMAC", await successorKey, encoder.encode(token));
      return PREFIX + base64url.encode(new Uint8Array(mac));
    },
    async hash(token) {
      return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(token))));
    },
    isWellFormed: (token) => SHAPE.test(token),
  };
}
