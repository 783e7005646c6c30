import type { ClientService } from "../clients/client-service.js";
import type { SessionService } from "../sessions/session-service.js";
import { AccessTokenError } from "../verify/access-token-error.js";
import type { AccessTokenClaims, CachingVerifier } from "../verify/verify-access-token.js";

/** RFC 7662's answer: `{"active": false}` and nothing else for any token that is not usable. */
export type Introspection = { active: false } | ({ active: true; token_type: "access_token" | "refresh_token" } & Record<string, unknown>);

const INACTIVE: Introspection = Object.freeze({ active: false });

/**
 * Token introspection (RFC 7662), revocation-aware: an access token is active when it verifies
 * (signature, `typ`, `iss`, `exp`; any audience Tessera issued it for) **and** its session is live
 * and its user enabled, or, for a client token, its client is enabled. A refresh token is active
 * while it would be accepted.
 *
 * @example
 * const introspect = createIntrospection({ accessTokens, sessions, clients });
 * const answer = await introspect(token); // { active: false } or the token's details
 */
export function createIntrospection(deps: {
  /** Verifies this service's tokens for any audience (`ANY_AUDIENCE`). */
  accessTokens: CachingVerifier<AccessTokenClaims>;
  sessions: SessionService;
  clients: ClientService;
}) {
  const { accessTokens, sessions, clients } = deps;

  async function accessToken(token: string): Promise<Introspection> {
    let claims: AccessTokenClaims;
    try {
      claims = await accessTokens.verify(token);
    } catch (e) {
      if (e instanceof AccessTokenError) return INACTIVE;
      throw e;
    }
    const live =
      claims.sid !== undefined
        ? (await sessions.liveSessionUser(claims.sid, claims.sub)) !== undefined
        : (await clients.findEnabled(claims.sub)) !== undefined;
    if (!live) return INACTIVE;
    const { sub, client_id, scope, exp, iat, iss, aud, jti, sid, role } = claims;
    return {
      active: true,
      token_type: "access_token",
      sub,
      client_id,
      scope,
      exp,
      iat,
      iss,
      aud,
      jti,
      ...(sid !== undefined && { sid }),
      ...(role !== undefined && { role }),
    };
  }

  async function refreshToken(token: string): Promise<Introspection> {
    const usable = await sessions.findUsable(token);
    if (!usable) return INACTIVE;
    const { session, user, expiresAt } = usable;
    return {
      active: true,
      token_type: "refresh_token",
      sub: user.id,
      client_id: session.client_id,
      scope: session.scope,
      exp: Math.floor(expiresAt / 1000),
      sid: session.id,
    };
  }

  // The `rt_` prefix tells the two apart, so `token_type_hint` is not needed (RFC 7662 §2.1 lets it be ignored).
  return async function introspect(token: string): Promise<Introspection> {
    return token.startsWith("rt_") ? refreshToken(token) : accessToken(token);
  };
}

export type Introspect = ReturnType<typeof createIntrospection>;
