// tessera/verify: what sibling services import. Depends on hono and jose only.
export { AccessTokenError, type AccessTokenErrorCode } from "./access-token-error.js";
export {
  createAccessTokenVerifier,
  verifyAccessToken,
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type KeySourceOptions,
  type TokenChecks,
  type VerifyOptions,
} from "./verify-access-token.js";
export {
  requireAuth,
  requireRole,
  requireScope,
  type AuthContext,
  type RequireAuthMiddleware,
  type RequireAuthOptions,
} from "./middleware.js";
export { ROLES, roleSatisfies, type Role } from "./roles.js";
