import type { Argon2Params, PasswordHasher } from "../passwords/password-hasher.js";
import { createHashPool } from "./hash-pool.js";

export interface ClosablePasswordHasher extends PasswordHasher {
  close(): Promise<void>;
}

/**
 * The Node hasher: argon2id off the event loop on a bounded worker pool.
 *
 * @example
 * const passwords = await createNodePasswordHasher(config.argon2);
 */
export async function createNodePasswordHasher(params: Argon2Params): Promise<ClosablePasswordHasher> {
  return createHashPool(params);
}
