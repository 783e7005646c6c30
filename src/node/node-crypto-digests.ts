import { createHmac, hash } from "node:crypto";
import type { TokenDigests } from "../tokens/token-digests.js";

/**
 * Synchronous `node:crypto` digests with native base64url: the same strings
 * as the Web Crypto versions, without a promise and a thread-pool hop per
 * hash and without encoding bytes in JavaScript, both of which weigh on
 * the refresh path (figures in bench/README.md).
 */
export const nodeTokenDigests: TokenDigests = {
  sha256: (text) => hash("sha256", text, "base64url"),
  hmacSha256: (key, text) => createHmac("sha256", key).update(text).digest("base64url"),
  base64url: (text) => Buffer.from(text).toString("base64url"),
};
