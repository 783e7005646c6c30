import type { AccessTokenClaims } from "./verify-access-token.js";

/** What the verifier caches for requireAuth: the claims, and their scopes parsed once. */
export interface VerifiedToken {
  claims: AccessTokenClaims;
  scopes: readonly string[];
}

/** Parses the scopes once, on first sight; every cache hit reuses them. */
export function toVerifiedToken(claims: AccessTokenClaims): VerifiedToken {
  const scopes = typeof claims.scope === "string" ? claims.scope.split(" ").filter((s) => s !== "") : [];
  return { claims, scopes };
}

