import { describe, expect, it } from "vitest";
import { nodeTokenDigests } from "../src/node/node-crypto-digests.js";
import { createRefreshTokenCrypto } from "../src/sessions/refresh-token-crypto.js";
import { webTokenDigests } from "../src/tokens/token-digests.js";

const SECRET = "digest-test-secret-0123456789abcdef";
describe("token digests are the same strings on Node and Web Crypto", () => {
  it("SHA-256, HMAC-SHA256 and base64url agree, as unpadded base64url", async () => {
    const key = new TextEncoder().encode("k".repeat(32));
    for (const input of ["", "rt_abc", "ünïcødé 🔑", "x".repeat(1000)]) {
      const node = [nodeTokenDigests.sha256(input), nodeTokenDigests.hmacSha256(key, input), nodeTokenDigests.base64url(input)];
      const web = [await webTokenDigests.sha256(input), await webTokenDigests.hmacSha256(key, input), webTokenDigests.base64url(input)];
      expect(node).toEqual(web);
      for (const value of node) expect(value).toMatch(/^[A-Za-z0-9_-]*$/);
    }
  });

  it("so a successor and a stored hash do not depend on the runtime", async () => {
    const node = createRefreshTokenCrypto(SECRET, nodeTokenDigests);
    const web = createRefreshTokenCrypto(SECRET);
    const token = node.random();
    expect(await node.successorOf(token)).toBe(await web.successorOf(token));
    expect(await node.hash(token)).toBe(await web.hash(token));
    expect(await node.successorOf(token)).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(await createRefreshTokenCrypto("another-secret-0123456789abcdefghij").successorOf(token)).not.toBe(await web.successorOf(token));
  });

  it("matches fixed vectors (SHA-256 of 'abc', RFC 4231 test case 2, RFC 4648 'foobar')", async () => {
    const hex = (b64: string) => Buffer.from(b64, "base64url").toString("hex");
    const key = new TextEncoder().encode("Jefe");
    for (const digests of [nodeTokenDigests, webTokenDigests]) {
      expect(hex(await digests.sha256("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      expect(hex(await digests.hmacSha256(key, "what do ya want for nothing?"))).toBe(
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      );
      expect(digests.base64url("foobar")).toBe("Zm9vYmFy");
    }
  });
});
