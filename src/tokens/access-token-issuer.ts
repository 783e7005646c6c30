import { SignJWT } from "jose";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { uuidv7 } from "../ids.js";
import type { KeyRing } from "../verify/key-ring.js";

export interface AccessTokenSubject {
  sub: string;
  clientId: string;
  /** Absent for client_credentials tokens. */
  sid?: string;
  role: string;
  scope: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

export type AccessTokenIssuer = (subject: AccessTokenSubject) => Promise<IssuedAccessToken>;

/**
 * Signs RFC 9068 access tokens with the first key of the ring.
 *
 * @example
 * const issue = createAccessTokenIssuer(ringPromise, config, clock);
 * const { accessToken } = await issue({ sub, clientId: "tessera", sid, role, scope });
 */
export function createAccessTokenIssuer(ring: Promise<KeyRing>, config: Config, clock: Clock): AccessTokenIssuer {
  const ttl = config.jwt.accessTokenTtl;
  const audience = config.jwt.audience.length === 1 ? config.jwt.audience[0]! : config.jwt.audience;
  return async function issueAccessToken(subject) {
    const { signing } = await ring;
    const now = clock.now();
    const iat = Math.floor(now / 1000);
    const claims: Record<string, unknown> = {
      client_id: subject.clientId,
      role: subject.role,
      scope: subject.scope,
    };
    if (subject.sid !== undefined) claims.sid = subject.sid;
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: signing.kid })
      .setIssuer(config.jwt.issuer)
      .setAudience(audience)
      .setSubject(subject.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .setJti(uuidv7(now))
      .sign(signing.key);
    return { accessToken, expiresIn: ttl };
  };
}
