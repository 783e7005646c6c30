import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashPool, type HashPool } from "../src/node/hash-pool.js";
import { createNodePasswordHasher, type ClosablePasswordHasher } from "../src/node/native-password-hasher.js";
import { createHashWasmHasher } from "../src/passwords/hash-wasm-hasher.js";
import type { Argon2Params, PasswordHasher } from "../src/passwords/password-hasher.js";

const PARAMS: Argon2Params = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const PASSWORD = "correct horse battery staple";
const UNICODE_PASSWORD = "p\u00e4ssw\u00f6rd \u{1F511} caf\u00e9";

// Made by hash-wasm (the Workers hasher) with fixed salts; pinned so a change in any
// implementation's encoding or parameters breaks here, not in production logins.
const WORKERS_HASH = "$argon2id$v=19$m=64,t=1,p=1$AQIDBAUGBwgJCgsMDQ4PEA$/NF1sLGqbpmV7FexoGePpIHEcfL4lOviBCbDJPb/eus";
const WORKERS_UNICODE_HASH = "$argon2id$v=19$m=256,t=2,p=1$BwcHBwcHBwcHBwcHBwcHBw$Q4+Sh24Y41QAs1rZQDELYJ2QQefNZXHYpU6MpLsaMKQ";

const PHC_SHAPE = /^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;
const quiet = () => {};

let native: ClosablePasswordHasher;
let pool: HashPool;
const inProcess = createHashWasmHasher(PARAMS);

beforeAll(async () => {
  native = await createNodePasswordHasher(PARAMS, { log: quiet });
  pool = createHashPool(PARAMS, 2);
});

afterAll(async () => {
  await native.close();
  await pool.close();
});

describe("the Node hasher prefers the native argon2id binding", () => {
  it("loads @node-rs/argon2 and makes argon2id v19 PHC strings with a 16-byte salt and 32-byte hash", async () => {
    expect(native.implementation).toBe("native");
    const hash = await native.hash(PASSWORD);
    expect(hash).toMatch(PHC_SHAPE);
    expect(await native.hash(PASSWORD)).not.toBe(hash); // a fresh salt each time
  });

  it("reports its choice without any secret", async () => {
    const lines: Array<{ message: string; fields: Record<string, unknown> }> = [];
    const hasher = await createNodePasswordHasher(PARAMS, { log: (message, fields) => lines.push({ message, fields }) });
    expect(lines).toEqual([{ message: "password hasher", fields: { implementation: "native" } }]);
    await hasher.close();
  });
});

describe("every Node and Workers hasher verifies the others' hashes", () => {
  const hashers = (): Array<[string, PasswordHasher]> => [
    ["native", native],
    ["hash-wasm pool", pool],
    ["in-process hash-wasm (Workers)", inProcess],
  ];

  it("accepts the right password and refuses a wrong one, in both directions for every pair", async () => {
    for (const [maker, makerHasher] of hashers()) {
      const hash = await makerHasher.hash(UNICODE_PASSWORD);
      expect(hash, maker).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
      for (const [checker, checkerHasher] of hashers()) {
        expect(await checkerHasher.verify(hash, UNICODE_PASSWORD), `${maker} -> ${checker}`).toBe(true);
        expect(await checkerHasher.verify(hash, `${UNICODE_PASSWORD}!`), `${maker} -> ${checker} (wrong)`).toBe(false);
      }
    }
  });

  it("verifies hashes made by hash-wasm on Workers, pinned as literals", async () => {
    for (const [name, hasher] of hashers()) {
      expect(await hasher.verify(WORKERS_HASH, PASSWORD), name).toBe(true);
      expect(await hasher.verify(WORKERS_HASH, "correct horse battery stapl"), name).toBe(false);
      expect(await hasher.verify(WORKERS_UNICODE_HASH, UNICODE_PASSWORD), name).toBe(true);
      // Not normalized here: NFD bytes differ from the NFC the user service hashes.
      expect(await hasher.verify(WORKERS_UNICODE_HASH, UNICODE_PASSWORD.normalize("NFD")), name).toBe(false);
    }
  });

  it("treats a hash it cannot parse as a non-match", async () => {
    for (const [name, hasher] of hashers()) {
      expect(await hasher.verify("not-a-hash", PASSWORD), name).toBe(false);
      expect(await hasher.verify(WORKERS_HASH.replace("argon2id", "argon2i"), PASSWORD), name).toBe(false);
    }
  });
});

describe("needsRehash compares the stored parameters with the configured ones", () => {
  it("is false for the current parameters and true for any other cost or a foreign hash", async () => {
    const current = await native.hash(PASSWORD);
    expect(native.needsRehash(current)).toBe(false);
    expect(native.needsRehash(WORKERS_UNICODE_HASH)).toBe(true); // m=256,t=2
    expect(native.needsRehash("$2b$10$abcdefghijklmnopqrstuv")).toBe(true);
    const stronger = await createNodePasswordHasher({ ...PARAMS, iterations: 2 }, { log: quiet });
    expect(stronger.needsRehash(current)).toBe(true);
    expect(stronger.needsRehash(await stronger.hash(PASSWORD))).toBe(false);
    await stronger.close();
  });
});

describe("without a usable native binding the Node hasher falls back to the hash-wasm pool", () => {
  it("falls back when the binding cannot be imported", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const hasher = await createNodePasswordHasher(PARAMS, {
      loadNative: () => Promise.reject(new Error("Cannot find module '@node-rs/argon2-linux-x64-gnu'")),
      log: (_m, fields) => lines.push(fields),
    });
    try {
      expect(hasher.implementation).toBe("hash-wasm-pool");
      expect(lines).toEqual([{ implementation: "hash-wasm-pool", reason: "native argon2 unavailable" }]);
      const hash = await hasher.hash(PASSWORD);
      expect(hash).toMatch(PHC_SHAPE);
      expect(await hasher.verify(hash, PASSWORD)).toBe(true);
      expect(await native.verify(hash, PASSWORD)).toBe(true);
      expect(await hasher.verify(WORKERS_HASH, PASSWORD)).toBe(true);
    } finally {
      await hasher.close();
    }
  });

  it("falls back when the binding loads but cannot hash", async () => {
    const hasher = await createNodePasswordHasher(PARAMS, {
      loadNative: async () => ({
        hash: () => Promise.reject(new Error("unsupported CPU")),
        verify: () => Promise.reject(new Error("unsupported CPU")),
      }),
      log: quiet,
    });
    try {
      expect(hasher.implementation).toBe("hash-wasm-pool");
      expect(await hasher.verify(await hasher.hash(PASSWORD), PASSWORD)).toBe(true);
    } finally {
      await hasher.close();
    }
  });
});

describe("the native hasher bounds the hashes in flight", () => {
  it("never runs more than its concurrency at once and finishes every queued job", async () => {
    let inFlight = 0;
    let peak = 0;
    const real = await import("@node-rs/argon2");
    const hasher = await createNodePasswordHasher(PARAMS, {
      concurrency: 2,
      log: quiet,
      loadNative: async () => ({
        async hash(password, options) {
          inFlight++;
          peak = Math.max(peak, inFlight);
          try {
            return await real.hash(password, options);
          } finally {
            inFlight--;
          }
        },
        verify: (hashed, password) => real.verify(hashed, password),
      }),
    });
    const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`${PASSWORD} ${i}`)));
    expect(peak).toBe(2);
    expect(inFlight).toBe(0);
    expect(new Set(hashes).size).toBe(8);
    expect(await inProcess.verify(hashes[7]!, `${PASSWORD} 7`)).toBe(true);
  });
});
