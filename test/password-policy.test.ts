import { describe, expect, it } from "vitest";
import { createHashWasmHasher } from "../src/passwords/hash-wasm-hasher.js";
import { parseArgon2idParams } from "../src/passwords/password-hasher.js";
import { passwordProblem } from "../src/passwords/password-policy.js";

describe("password rules (NIST SP 800-63B: length and a blocklist, no composition rules)", () => {
  it("counts code points, not UTF-16 units", () => {
    expect(passwordProblem("🔑🔑🔑🔑🔑🔑🔑", 8)).toMatch(/at least 8/);
    expect(passwordProblem("🔑🔑🔑🔑🔑🔑🔑🔑", 8)).toBeNull();
  });

  it("allows up to 256 code points and refuses 257", () => {
    expect(passwordProblem("ab".repeat(128), 8)).toBeNull();
    expect(passwordProblem("a".repeat(257), 8)).toMatch(/at most 256/);
  });

  it("refuses common passwords from the bundled list, in any letter case", () => {
    expect(passwordProblem("password123", 8)).toMatch(/too common/);
    expect(passwordProblem("BASEBALL", 8)).toMatch(/too common/);
  });

  it("honours a raised PASSWORD_MIN_LENGTH", () => {
    expect(passwordProblem("twelve chars", 15)).toMatch(/at least 15/);
  });

  it("imposes no composition rules", () => {
    expect(passwordProblem("all lower case words here", 8)).toBeNull();
  });
});

describe("argon2id through hash-wasm", () => {
  const params = { memoryKiB: 64, iterations: 1, parallelism: 1 };

  it("produces a PHC string with the configured parameters and a random salt", async () => {
    const hasher = createHashWasmHasher(params);
    const a = await hasher.hash("same password");
    const b = await hasher.hash("same password");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    expect(a).not.toBe(b);
    expect(parseArgon2idParams(a)).toEqual(params);
  });

  it("verifies the right password only, and treats a malformed hash as a mismatch", async () => {
    const hasher = createHashWasmHasher(params);
    const hash = await hasher.hash("right");
    expect(await hasher.verify(hash, "right")).toBe(true);
    expect(await hasher.verify(hash, "wrong")).toBe(false);
    expect(await hasher.verify("not a hash", "right")).toBe(false);
  });

  it("reports needsRehash when the parameters change", async () => {
    const hash = await createHashWasmHasher(params).hash("pw");
    expect(createHashWasmHasher(params).needsRehash(hash)).toBe(false);
    expect(createHashWasmHasher({ ...params, iterations: 2 }).needsRehash(hash)).toBe(true);
  });
});
