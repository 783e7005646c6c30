import { availableParallelism } from "node:os";
import { paramsDiffer, parseArgon2idParams, type Argon2Params, type PasswordHasher } from "../passwords/password-hasher.js";
import { createHashPool } from "./hash-pool.js";

export interface ClosablePasswordHasher extends PasswordHasher {
  close(): Promise<void>;
  /** Which implementation runs the hashes, for start-up logs. */
  readonly implementation: "native" | "hash-wasm-pool";
}

/** The part of `@node-rs/argon2` we use; injected so tests can simulate a missing binary. */
export interface NativeArgon2 {
  hash(password: string, options: Record<string, unknown>): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

export type NativeArgon2Loader = () => Promise<NativeArgon2>;

export interface NodePasswordHasherOptions {
  /** How the native binding is loaded (default: `import("@node-rs/argon2")`). */
  loadNative?: NativeArgon2Loader;
  /** Hashes allowed in flight at once (default: cores, at most 3). */
  concurrency?: number;
  /** Told which implementation was chosen; never given a password or hash. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

const HASH_BYTES = 32;
const SALT_BYTES = 16;
const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, unusable under isolatedModules)
const VERSION_0X13 = 1; // @node-rs/argon2 Version.V0x13

// The native binding runs on libuv's thread pool (4 threads by default), which
// WebCrypto (jose's verification of a first-seen token) and fs share: keep one free.
const defaultConcurrency = () => Math.max(1, Math.min(availableParallelism(), 3));

const loadNodeRsArgon2: NativeArgon2Loader = async () => (await import("@node-rs/argon2")) as unknown as NativeArgon2;

/** Runs at most `limit` tasks at once; the rest wait in FIFO order. */
function boundedQueue(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async function run(task) {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * argon2id through a native binding (off the event loop, on libuv's pool),
 * producing the same PHC strings as hash-wasm. In-flight hashes are bounded
 * because each holds `memoryKiB` of RAM.
 *
 * @example
 * const passwords = createNativePasswordHasher(await import("@node-rs/argon2"), config.argon2);
 */
export function createNativePasswordHasher(
  native: NativeArgon2,
  params: Argon2Params,
  concurrency = defaultConcurrency(),
): ClosablePasswordHasher {
  const run = boundedQueue(concurrency);
  const options = {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    outputLen: HASH_BYTES,
  };
  return {
    implementation: "native",
    hash: (password) => run(() => native.hash(password, { ...options, salt: crypto.getRandomValues(new Uint8Array(SALT_BYTES)) })),
    async verify(hash, password) {
      // Same contract as hash-wasm: a hash we cannot parse is a non-match, not an exception.
      if (parseArgon2idParams(hash) === null) return false;
      return run(() => native.verify(hash, password));
    },
    needsRehash: (hash) => paramsDiffer(hash, params),
    close: async () => {},
  };
}

/**
 * The Node hasher: the native argon2id binding when it loads, otherwise
 * hash-wasm on a bounded worker-thread pool. Both run off the event loop
 * and read and write the same PHC strings. Passwords arrive already
 * normalized (the user service applies NFC); nothing is changed here.
 *
 * @example
 * const passwords = await createNodePasswordHasher(config.argon2);
 * await passwords.close(); // on shutdown
 */
export async function createNodePasswordHasher(
  params: Argon2Params,
  options: NodePasswordHasherOptions = {},
): Promise<ClosablePasswordHasher> {
  const log = options.log ?? ((message, fields) => console.log(JSON.stringify({ level: "info", message, ...fields })));
  let native: NativeArgon2 | undefined;
  try {
    native = await (options.loadNative ?? loadNodeRsArgon2)();
    // A binding that loads but cannot hash (wrong libc, broken build) must fall back too.
    await native.hash("probe", { algorithm: ARGON2ID, version: VERSION_0X13, memoryCost: 8, timeCost: 1, parallelism: 1, outputLen: HASH_BYTES });
  } catch {
    native = undefined; // optional dependency: no binary for this platform, or not installed
  }
  if (native) {
    const hasher = createNativePasswordHasher(native, params, options.concurrency);
    log("password hasher", { implementation: hasher.implementation });
    return hasher;
  }
  const pool = createHashPool(params, options.concurrency);
  log("password hasher", { implementation: "hash-wasm-pool", reason: "native argon2 unavailable" });
  return Object.assign(pool, { implementation: "hash-wasm-pool" as const });
}
