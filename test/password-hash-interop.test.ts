import { argon2id } from "hash-wasm";
import { describe, expect, it } from "vitest";
import { verifyWithHashWasm } from "../src/passwords/hash-wasm-hasher.js";
import { INTEROP_PASSWORD, INTEROP_SALT, NODE_MADE_HASH } from "./contract/password-hash-fixture.js";

// The Workers half of this check is in test/workers/endpoints.test.ts.
describe("password hashes are interchangeable with Workers", () => {
  it("the shared fixture is what hash-wasm makes on Node, byte for byte", async () => {
    const hash = await argon2id({
      password: INTEROP_PASSWORD,
      salt: new TextEncoder().encode(INTEROP_SALT),
      memorySize: 19456,
      iterations: 2,
      parallelism: 1,
      hashLength: 32,
      outputType: "encoded",
    });
    expect(hash).toBe(NODE_MADE_HASH);
  });

  it("verifies on Node, and a wrong password does not", async () => {
    expect(await verifyWithHashWasm(NODE_MADE_HASH, INTEROP_PASSWORD)).toBe(true);
    expect(await verifyWithHashWasm(NODE_MADE_HASH, `${INTEROP_PASSWORD}!`)).toBe(false);
  });
});
