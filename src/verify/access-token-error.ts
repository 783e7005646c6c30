/** Stable reasons a token is refused; safe to log, never contain the token. */
export type AccessTokenErrorCode =
  | "ERR_TOKEN_MISSING"
  | "ERR_TOKEN_MALFORMED"
  | "ERR_TOKEN_ALG_NOT_ALLOWED"
  | "ERR_TOKEN_TYPE_INVALID"
  | "ERR_TOKEN_KEY_UNKNOWN"
  /** The keys could not be had: a JWKS endpoint down, slow, answering non-200 or not a key set. */
  | "ERR_TOKEN_KEYS_UNAVAILABLE"
  | "ERR_TOKEN_SIGNATURE_INVALID"
  | "ERR_TOKEN_EXPIRED"
  | "ERR_TOKEN_NOT_YET_VALID"
  | "ERR_TOKEN_CLAIM_INVALID";

/**
 * A token that must not be accepted. Misconfiguration throws `TypeError`
 * instead, so callers can tell a bad token from a broken setup. `cause` holds
 * what failed underneath when that helps an operator (a JWKS fetch error).
 *
 * @example
 * try { await verifyAccessToken(token, options) }
 * catch (e) { if (e instanceof AccessTokenError && e.code === "ERR_TOKEN_EXPIRED") refresh() }
 */
export class AccessTokenError extends Error {
  readonly code: AccessTokenErrorCode;
  constructor(code: AccessTokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AccessTokenError";
    this.code = code;
  }
}
