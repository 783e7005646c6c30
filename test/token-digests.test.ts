import { describe, expect, it } from "vitest";
import { nodeTokenDigests } from "../src/node/token-digests.js";
import { createRefreshTokenCrypto } from "../src/sessions/refresh-token-crypto.js";
import { webTokenDigests } from "../src/tokens/token-digests.js";

const SECRET = "digest-test-secret-0123456789abcdef";
const bytes = (s: string) => new TextEncoder().encode(s);

describe("refresh-token digests are the same bytes on Node and Web Crypto", () => {
  it("SHA-256 and HMAC-SHA256 agree", async () => {
    const key = bytes("k".repeat(32));
    for (const input of ["", "rt_abc", "ünïcødé 🔑"]) {
      expect(Buffer.from(nodeTokenDigests.sha256(bytes(input)) as Uint8Array)).toEqual(Buffer.from(await webTokenDigests.sha256(bytes(input))));
      expect(Buffer.from(nodeTokenDigests.hmacSha256(key, bytes(input)) as Uint8Array)).toEqual(
        Buffer.from(await webTokenDigests.hmacSha256(key, bytes(input))),
      );
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

  it("matches a fixed vector (SHA-256 of 'abc')", async () => {
    expect(Buffer.from(await webTokenDigests.sha256(bytes("abc"))).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
