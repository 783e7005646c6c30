import { argon2id } from "hash-wasm";

// A password hash made on Node with hash-wasm 4.13.0 (argon2id, OWASP cost, fixed salt), so both
// runtimes can prove they verify it and reproduce it byte for byte: hashes move freely between
// a Node and a Workers deployment sharing one database.
export const INTEROP_PASSWORD = "correct horse battery staple";
export const INTEROP_SALT = "tessera-interop-salt";
export const NODE_MADE_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$dGVzc2VyYS1pbnRlcm9wLXNhbHQ$pgJjygOA9LvovaMNY4g5hv89j/Y86+N736gCvz41mIw";

/** Recomputes the fixture with hash-wasm in whichever runtime runs the test. */
export function hashInteropPassword(): Promise<string> {
  return argon2id({
    password: INTEROP_PASSWORD,
    salt: new TextEncoder().encode(INTEROP_SALT),
    memorySize: 19456,
    iterations: 2,
    parallelism: 1,
    hashLength: 32,
    outputType: "encoded",
  });
}
