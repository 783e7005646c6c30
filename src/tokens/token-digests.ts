import { base64url } from "jose";

/**
 * The byte work behind refresh tokens and access-token signatures, each
 * answered as base64url (no padding), the form every caller stores or
 * sends. Injectable because it sits on the refresh hot path: Web Crypto
 * (the default, any runtime) answers through a promise and a thread-pool
 * hop per call, and jose's portable base64url walks the bytes in
 * JavaScript; on Node both cost far more than the hash itself, so the Node
 * entry passes native `node:crypto` and `Buffer` versions. Every
 * implementation must give identical strings (test/token-digests.test.ts).
 */
export interface TokenDigests {
  /** SHA-256 of `text` (UTF-8). */
  sha256(text: string): string | Promise<string>;
  /** HMAC-SHA256 of `text` (UTF-8) under `key`. */
  hmacSha256(key: Uint8Array, text: string): string | Promise<string>;
  /** `text` (UTF-8) itself: a JWS header or payload segment. */
  base64url(text: string): string;
}

const encoder = new TextEncoder();
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/** Web Crypto digests: work on Node, Workers and browsers. */
export const webTokenDigests: TokenDigests = {
  async sha256(text) {
    return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
  },
  async hmacSha256(key, text) {
    let imported = hmacKeys.get(key);
    if (!imported) {
      imported = crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      hmacKeys.set(key, imported);
    }
    return base64url.encode(new Uint8Array(await crypto.subtle.sign("HMAC", await imported, encoder.encode(text))));
  },
  base64url: (text) => base64url.encode(text),
};
