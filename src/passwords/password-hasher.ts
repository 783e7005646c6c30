/** argon2id cost parameters (RFC 9106 names: m in KiB, t, p). */
export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * Hashes and verifies passwords as argon2id PHC strings. Injected into
 * `createApp`, so each runtime brings the implementation it can run well.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash it cannot parse. */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Reads the parameters of an argon2id PHC string, or `null` if it is not one. */
export function parseArgon2idParams(hash: string): Argon2Params | null {
  const m = PHC.exec(hash);
  if (!m) return null;
  return { memoryKiB: Number(m[1]), iterations: Number(m[2]), parallelism: Number(m[3]) };
}

export function paramsDiffer(hash: string, params: Argon2Params): boolean {
  const stored = parseArgon2idParams(hash);
  return (
    stored === null ||
    stored.memoryKiB !== params.memoryKiB ||
    stored.iterations !== params.iterations ||
    stored.parallelism !== params.parallelism
  );
}
