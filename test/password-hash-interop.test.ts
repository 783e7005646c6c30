import { describe, expect, it } from "vitest";
import { verifyWithHashWasm } from "../src/passwords/hash-wasm-hasher.js";
import { hashInteropPassword, INTEROP_PASSWORD, NODE_MADE_HASH } from "./contract/password-hash-fixture.js";

// The Workers half of this check is in test/workers/endpoints.test.ts.
describe("password hashes are interchangeable with Workers", () => {
  it("the shared fixture is what hash-wasm makes on Node, byte for byte", async () => {
    expect(await hashInteropPassword()).toBe(NODE_MADE_HASH);
  });

  it("verifies on Node, and a wrong password does not", async () => {
    expect(await verifyWithHashWasm(NODE_MADE_HASH, INTEROP_PASSWORD)).toBe(true);
    expect(await verifyWithHashWasm(NODE_MADE_HASH, `${INTEROP_PASSWORD}!`)).toBe(false);
  });
});
