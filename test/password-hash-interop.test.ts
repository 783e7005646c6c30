import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { createNodePasswordHasher, type ClosablePasswordHasher } from "../src/node/native-password-hasher.js";
import { createHashWasmHasher, verifyWithHashWasm } from "../src/passwords/hash-wasm-hasher.js";
import type { Argon2Params } from "../src/passwords/password-hasher.js";
import { hashInteropPassword, INTEROP_PASSWORD, NODE_MADE_HASH } from "./contract/password-hash-fixture.js";

// Cheap cost for every hash made here; only the fixture keeps the OWASP cost it was made with.
const CHEAP: Argon2Params = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const WRONG = `${INTEROP_PASSWORD}!`;
const quiet = () => {};

// What the Workers entry hashes with: hash-wasm on the calling thread.
const workersHasher = createHashWasmHasher(CHEAP);

// The Node entry hashes with whatever createNodePasswordHasher picks at start-up: the native
// binding when it loads, else hash-wasm on worker threads. Both are built here the same way.
const nodeHashers = new Map<ClosablePasswordHasher["implementation"], ClosablePasswordHasher>();
const opened: ClosablePasswordHasher[] = [];

beforeAll(async () => {
  const preferred = await createNodePasswordHasher(CHEAP, { log: quiet });
  const fallback = await createNodePasswordHasher(CHEAP, {
    loadNative: () => Promise.reject(new Error("Cannot find module '@node-rs/argon2'")),
    log: quiet,
  });
  opened.push(preferred, fallback);
  nodeHashers.set(fallback.implementation, fallback);
  nodeHashers.set(preferred.implementation, preferred);
});

afterAll(async () => {
  await Promise.all(opened.map((hasher) => hasher.close()));
});

// The Workers half of this check is in test/workers/endpoints.test.ts.
describe("password hashes are interchangeable with Workers", () => {
  it("the shared fixture is what hash-wasm makes on Node, byte for byte", async () => {
    expect(await hashInteropPassword()).toBe(NODE_MADE_HASH);
  });

  it("hash-wasm verifies the fixture on Node, and a wrong password does not", async () => {
    expect(await verifyWithHashWasm(NODE_MADE_HASH, INTEROP_PASSWORD)).toBe(true);
    expect(await verifyWithHashWasm(NODE_MADE_HASH, WRONG)).toBe(false);
  });
});

describe.each(["native", "hash-wasm-pool"] as const)("the Node service's %s hasher shares hashes with Workers", (implementation) => {
  function nodeHasher(ctx: TestContext): ClosablePasswordHasher {
    const hasher = nodeHashers.get(implementation);
    // @node-rs/argon2 is an optional dependency: without a binary for this platform it is not in use.
    if (!hasher) ctx.skip(`${implementation} is not available here`);
    expect(hasher.implementation).toBe(implementation);
    return hasher;
  }

  it("verifies the shared fixture, which Workers verifies too, and refuses a wrong password", async (ctx) => {
    const hasher = nodeHasher(ctx);
    expect(await hasher.verify(NODE_MADE_HASH, INTEROP_PASSWORD)).toBe(true);
    expect(await hasher.verify(NODE_MADE_HASH, WRONG)).toBe(false);
  });

  it("makes hashes that hash-wasm (the Workers hasher) verifies", async (ctx) => {
    const hash = await nodeHasher(ctx).hash(INTEROP_PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    expect(await workersHasher.verify(hash, INTEROP_PASSWORD)).toBe(true);
    expect(await workersHasher.verify(hash, WRONG)).toBe(false);
  });

  it("verifies hashes that hash-wasm (the Workers hasher) makes", async (ctx) => {
    const hasher = nodeHasher(ctx);
    const hash = await workersHasher.hash(INTEROP_PASSWORD);
    expect(await hasher.verify(hash, INTEROP_PASSWORD)).toBe(true);
    expect(await hasher.verify(hash, WRONG)).toBe(false);
  });
});
