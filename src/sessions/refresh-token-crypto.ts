import { base64url } from "jose";
import { webTokenDigests, type TokenDigests } from "../tokens/token-digests.js";

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

async function deriveSuccessorKey(secret: string): Promise<Uint8Array> {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: SUCCESSOR_INFO },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * Refresh-token primitives keyed by an HKDF-derived key from `secret`.
 *
 * @example
 * const rt = createRefreshTokenCrypto(config.jwt.secret);
 * const next = await rt.successorOf(presented);
 */
export function createRefreshTokenCrypto(secret: string, digests: TokenDigests = webTokenDigests): RefreshTokenCrypto {
  const successorKey = deriveSuccessorKey(secret);
  successorKey.catch(() => {}); // surfaced on first use, not as an unhandled rejection
  return {
    random: () => PREFIX + base64url.encode(crypto.getRandomValues(new Uint8Array(32))),
    async successorOf(token) {
      return PREFIX + (await digests.hmacSha256(await successorKey, token));
    },
    async hash(token) {
      return digests.sha256(token);
    },
    isWellFormed: (token) => SHAPE.test(token),
  };
}
