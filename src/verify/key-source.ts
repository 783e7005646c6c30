import type { JWSHeaderParameters } from "jose";

/**
 * Where a verifier finds the key for each token: a key ring imported once (`key-ring.ts`: HMAC
 * secrets, or the service's own asymmetric keys) or a JSON Web Key Set, given or fetched
 * (`jwks-key-source.ts`). The verifier asks it only after jose has checked the header's shape,
 * its `crit` and the algorithm allow-list.
 */
export interface KeySource {
  /** The algorithms a token may name: jose's allow-list, checked before any key is looked up. */
  readonly algorithms: readonly string[];
  /**
   * The key for a token whose header is byte for byte one this source's issuer writes, else
   * `undefined`. Handing jose a key instead of `keyForHeader` saves a first sight about a tenth
   * of its CPU (bench/README.md); jose still decodes and checks the whole header.
   */
  keyForToken(token: string): CryptoKey | undefined;
  /**
   * The key named by a header jose has decoded and checked. Throws `AccessTokenError`
   * (`ERR_TOKEN_KEY_UNKNOWN`, `ERR_TOKEN_ALG_NOT_ALLOWED`, `ERR_TOKEN_KEYS_UNAVAILABLE`) and
   * nothing else for a token or a key set it cannot use.
   */
  keyForHeader(header: JWSHeaderParameters): CryptoKey | Promise<CryptoKey>;
}
