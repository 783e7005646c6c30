/**
 * SHA-256 and HMAC-SHA256 for refresh tokens and access-token signatures,
 * injectable because they sit on the refresh hot path: Web Crypto (the
 * default, any runtime) answers through a promise and a thread-pool hop per
 * call, which on Node costs far more than the hash itself; the Node entry
 * passes synchronous `node:crypto` versions. Both must give identical bytes.
 */
export interface TokenDigests {
  sha256(input: Uint8Array): Uint8Array | Promise<Uint8Array>;
  hmacSha256(key: Uint8Array, input: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/** Web Crypto digests: work on Node, Workers and browsers. */
export const webTokenDigests: TokenDigests = {
  async sha256(input) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", input as Uint8Array<ArrayBuffer>));
  },
  async hmacSha256(key, input) {
    let imported = hmacKeys.get(key);
    if (!imported) {
      imported = crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      hmacKeys.set(key, imported);
    }
    return new Uint8Array(await crypto.subtle.sign("HMAC", await imported, input as Uint8Array<ArrayBuffer>));
  },
};
