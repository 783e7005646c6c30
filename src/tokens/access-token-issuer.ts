import { base64url } from "jose";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { uuidv7 } from "../ids.js";
import type { KeyRing } from "../verify/key-ring.js";
import type { TokenDigests } from "./token-digests.js";

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

const encoder = new TextEncoder();
const segment = (value: object) => base64url.encode(encoder.encode(JSON.stringify(value)));

/**
 * Signs RFC 9068 access tokens (JWS compact, HS256) with the first key of
 * the ring. The signature goes through the injected HMAC rather than jose's
 * SignJWT: jose signs through Web Crypto, whose promise and thread-pool hop
 * cost Node more than the rest of issuing a token. The output is byte for
 * byte what SignJWT makes from the same claims (test/access-token-issuer.test.ts),
 * and every verification still goes through jose.
 *
 * @example
 * const issue = createAccessTokenIssuer(ringPromise, config, clock, nodeTokenDigests);
 * const { accessToken } = await issue({ sub, clientId: "tessera", sid, role, scope });
 */
export function createAccessTokenIssuer(
  ring: Promise<KeyRing>,
  config: Config,
  clock: Clock,
  digests: TokenDigests,
): AccessTokenIssuer {
  const ttl = config.jwt.accessTokenTtl;
  const audience = config.jwt.audience.length === 1 ? config.jwt.audience[0]! : config.jwt.audience;
  const key = encoder.encode(config.jwt.secret);
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
    claims.iss = config.jwt.issuer;
    claims.aud = audience;
    claims.sub = subject.sub;
    claims.iat = iat;
    claims.exp = iat + ttl;
    claims.jti = uuidv7(now);
    const input = `${segment({ alg: "HS256", typ: "at+jwt", kid: signing.kid })}.${segment(claims)}`;
    const signature = base64url.encode(await digests.hmacSha256(key, encoder.encode(input)));
    return { accessToken: `${input}.${signature}`, expiresIn: ttl };
  };
}
