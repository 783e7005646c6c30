import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { uuidv7 } from "../ids.js";
import type { KeyRing, SigningKey } from "../verify/key-ring.js";

export interface AccessTokenSubject {
  sub: string;
  clientId: string;
  /** Absent for client_credentials tokens. */
  sid?: string;
  /** Absent for client_credentials tokens. */
  role?: string;
  scope: string;
  /** The `aud` claim, when not the configured JWT_AUDIENCE (a machine client's own audience). */
  audience?: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

export type AccessTokenIssuer = (subject: AccessTokenSubject) => Promise<IssuedAccessToken>;

export interface AccessTokenIssuerDeps {
  jwt: Pick<Config["jwt"], "issuer" | "audience" | "accessTokenTtl">;
  clock: Clock;
  /** The service's key ring, built once; its signing key signs. */
  keys: Promise<KeyRing>;
  /** base64url of UTF-8 text: the payload segment (Node passes a native one). */
  base64url: (text: string) => string;
}

/**
 * Signs RFC 9068 access tokens (JWS compact) with the ring's signing key. The claims are
 * serialised here rather than by jose's SignJWT so the signature can go through the ring's
 * injected HMAC: on Node a synchronous one, without Web Crypto's promise and thread-pool hop.
 * The output is byte for byte what SignJWT makes from the same claims
 * (test/access-token-issuer.test.ts), and every verification still goes through jose.
 *
 * @example
 * const issue = createAccessTokenIssuer({ jwt: config.jwt, clock, keys, base64url });
 * const { accessToken } = await issue({ sub, clientId: "tessera", sid, role, scope });
 */
export function createAccessTokenIssuer(deps: AccessTokenIssuerDeps): AccessTokenIssuer {
  const { jwt, clock, keys, base64url } = deps;
  const ttl = jwt.accessTokenTtl;
  const audience = jwt.audience.length === 1 ? jwt.audience[0]! : jwt.audience;
  let signing: SigningKey | undefined;
  return async function issueAccessToken(subject) {
    signing ??= (await keys).signing;
    const now = clock.now();
    const iat = Math.floor(now / 1000);
    // Claim order as SignJWT writes it: the constructor's claims, then iss, aud, sub, iat, exp, jti.
    const claims = {
      client_id: subject.clientId,
      ...(subject.role !== undefined && { role: subject.role }),
      scope: subject.scope,
      ...(subject.sid !== undefined && { sid: subject.sid }),
      iss: jwt.issuer,
      aud: subject.audience ?? audience,
      sub: subject.sub,
      iat,
      exp: iat + ttl,
      jti: uuidv7(now),
    };
    const input = `${signing.encodedHeader}.${base64url(JSON.stringify(claims))}`;
    return { accessToken: `${input}.${await signing.sign(input)}`, expiresIn: ttl };
  };
}
