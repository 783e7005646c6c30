import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { uuidv7 } from "../ids.js";
import { accessTokenHeader, keyId } from "../verify/key-ring.js";
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

/**
 * Signs RFC 9068 access tokens (JWS compact, HS256) with `config.jwt.secret`,
 * the first key of every verifier's ring. The signature goes through the
 * injected HMAC rather than jose's SignJWT: jose signs through Web Crypto,
 * whose promise and thread-pool hop cost Node more than the rest of issuing
 * a token. The output is byte for byte what SignJWT makes from the same
 * claims (test/access-token-issuer.test.ts), and every verification still
 * goes through jose.
 *
 * @example
 * const issue = createAccessTokenIssuer(config, clock, nodeTokenDigests);
 * const { accessToken } = await issue({ sub, clientId: "tessera", sid, role, scope });
 */
export function createAccessTokenIssuer(config: Config, clock: Clock, digests: TokenDigests): AccessTokenIssuer {
  const ttl = config.jwt.accessTokenTtl;
  const audience = config.jwt.audience.length === 1 ? config.jwt.audience[0]! : config.jwt.audience;
  const key = encoder.encode(config.jwt.secret);
  // The header is the same for every token: serialised once.
  const header = keyId(key).then((kid) => digests.base64url(accessTokenHeader(kid)));
  header.catch(() => {}); // surfaced on first use, not as an unhandled rejection
  return async function issueAccessToken(subject) {
    const now = clock.now();
    const iat = Math.floor(now / 1000);
    // Claim order as SignJWT writes it: the constructor's claims, then iss, aud, sub, iat, exp, jti.
    const claims = {
      client_id: subject.clientId,
      role: subject.role,
      scope: subject.scope,
      ...(subject.sid !== undefined && { sid: subject.sid }),
      iss: config.jwt.issuer,
      aud: audience,
      sub: subject.sub,
      iat,
      exp: iat + ttl,
      jti: uuidv7(now),
    };
    const input = `${await header}.${digests.base64url(JSON.stringify(claims))}`;
    return { accessToken: `${input}.${await digests.hmacSha256(key, input)}`, expiresIn: ttl };
  };
}
