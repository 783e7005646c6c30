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
  /**
   * The deterministic successor of `token` under the current secret, so a benign race can be
   * answered with the same successor without storing plaintext.
   */
  successorOf(token: string): Promise<string>;
  /**
   * What `successorOf` answered under each previous secret, newest first: a token rotated just
   * before a secret rotation has its successor stored under the old key.
   */
  previousSuccessorsOf(token: string): Promise<string[]>;
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
 * Refresh-token primitives keyed by HKDF-derived keys: one from the current secret, which
 * derives every new successor, and one from each previous secret, to recognise successors
 * derived before a rotation.
 *
 * @example
 * const rt = createRefreshTokenCrypto([config.jwt.secret, ...config.jwt.previousSecrets]);
 * const next = await rt.successorOf(presented);
 */
export function createRefreshTokenCrypto(
  secrets: string | readonly string[],
  digests: TokenDigests = webTokenDigests,
): RefreshTokenCrypto {
  const [current, ...previous] = typeof secrets === "string" ? [secrets] : secrets;
  if (current === undefined) throw new TypeError("at least one secret is required");
  const successorKey = deriveSuccessorKey(current);
  successorKey.catch(() => {}); // surfaced on first use, not as an unhandled rejection
  // Derived on first need: only a race or a reuse inside the grace window asks for them.
  let previousKeys: Promise<Uint8Array[]> | undefined;
  const successorUnder = async (key: Uint8Array, token: string) => PREFIX + (await digests.hmacSha256(key, token));
  return {
    random: () => PREFIX + base64url.encode(crypto.getRandomValues(new Uint8Array(32))),
    async successorOf(token) {
      return successorUnder(await successorKey, token);
    },
    async previousSuccessorsOf(token) {
      previousKeys ??= Promise.all(previous.map(deriveSuccessorKey));
      return Promise.all((await previousKeys).map((key) => successorUnder(key, token)));
    },
    async hash(token) {
      return digests.sha256(token);
    },
    isWellFormed: (token) => SHAPE.test(token),
  };
}
