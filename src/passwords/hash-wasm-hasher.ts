import { argon2id, argon2Verify } from "hash-wasm";
import { paramsDiffer, parseArgon2idParams, type Argon2Params, type PasswordHasher } from "./password-hasher.js";

const HASH_BYTES = 32;
const SALT_BYTES = 16;

/** argon2id of an already-normalized password, as a PHC string. */
export async function hashWithHashWasm(password: string, params: Argon2Params): Promise<string> {
  return argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(SALT_BYTES)),
    iterations: params.iterations,
    parallelism: params.parallelism,
    memorySize: params.memoryKiB,
    hashLength: HASH_BYTES,
    outputType: "encoded",
  });
}

export async function verifyWithHashWasm(hash: string, password: string): Promise<boolean> {
  // A hash we cannot parse is a non-match, not an exception a caller could leak.
  if (parseArgon2idParams(hash) === null) return false;
  return argon2Verify({ password, hash });
}

/**
 * argon2id through hash-wasm on the calling thread. Right for Workers (one
 * request per isolate at a time) and for tests; on Node use the worker pool.
 *
 * @example
 * const passwords = createHashWasmHasher({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
 */
export function createHashWasmHasher(params: Argon2Params): PasswordHasher {
  return {
    hash: (password) => hashWithHashWasm(password, params),
    verify: verifyWithHashWasm,
    needsRehash: (hash) => paramsDiffer(hash, params),
  };
}
