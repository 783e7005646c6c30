import { errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyOptions } from "jose";
import { AccessTokenError } from "./access-token-error.js";
import { createJwksKeySource, jwksAlgorithms, localJwks, remoteJwks } from "./jwks-key-source.js";
import { ACCESS_TOKEN_TYPE, checkSecrets, createHmacKeyRing } from "./key-ring.js";
import type { KeySource } from "./key-source.js";
import { createVerifiedTokenCache } from "./token-cache.js";

/** Claims of a Tessera access token (RFC 9068 profile). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  aud: string | string[];
  sub: string;
  exp: number;
  iat: number;
  /** Always present, except in a token verified with `typ: null` (another issuer's JWT). */
  jti: string;
  client_id?: string;
  sid?: string;
  role?: string;
  scope?: string;
}

/** What every verifier checks, whatever its keys. */
export interface TokenChecks {
  issuer: string;
  /** The audience(s) this service accepts; the token must name at least one. */
  audience: string | readonly string[];
  /**
   * The header `typ` a token must carry (default `"at+jwt"`, RFC 9068; `application/at+jwt` is
   * the same). `null` accepts any `typ` and no longer requires `jti`, for issuers whose access
   * tokens are plain JWTs (Auth0 sends `typ: "JWT"`).
   */
  typ?: string | null;
  /** Clock skew allowed on `exp`/`nbf`/`iat`, in seconds (0–30, default 30). */
  clockToleranceSeconds?: number;
  /** Current time in milliseconds; injected for tests. */
  now?: () => number;
  /**
   * How many verified tokens to remember (default 10,000; 0 turns the cache
   * off); the oldest entry is dropped first. The key is the whole token
   * string, so a changed byte is a miss. A hit skips the signature check but
   * re-checks `exp`/`nbf`/`iat` against the clock. Each entry holds the token
   * and its frozen claims (with `requireAuth`, their parsed scopes too), about
   * 1 KiB for a Tessera token (8 KiB tokens at most are accepted), so the
   * default bounds the cache near 10 MiB. The cache belongs to one verifier:
   * new keys mean a new verifier and an empty cache.
   */
  cacheSize?: number;
}

/** Exactly one key source: the service's shared secret, its public keys, or where to fetch them. */
export type KeySourceOptions =
  | {
      /** HS256 key(s), UTF-8, 32+ bytes each; a list allows rotation. */
      secret: string | readonly string[];
      jwks?: undefined;
      jwksUrl?: undefined;
    }
  | {
      /** The issuer's public keys as a JSON Web Key Set, `{ keys: [...] }`; each key has a `kid`. */
      jwks: JSONWebKeySet;
      secret?: undefined;
      jwksUrl?: undefined;
    }
  | {
      /**
       * Where the issuer publishes its JSON Web Key Set (Tessera: `/.well-known/jwks.json`);
       * `https:` (`http:` to localhost only). Fetched on first use and kept 10 minutes; a token
       * naming an unknown key fetches it again, at most every 30 s.
       */
      jwksUrl: string | URL;
      secret?: undefined;
      jwks?: undefined;
    };

export type VerifyOptions = TokenChecks &
  KeySourceOptions & {
    /**
     * The algorithms a token may use. With `secret`: `["HS256"]`, the only one. With `jwks` or
     * `jwksUrl`: default `["EdDSA", "ES256"]`; list `"RS256"` and the like for other issuers;
     * never an `HS*` algorithm.
     */
    algorithms?: readonly string[];
  };

export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessTokenClaims>;
}

/**
 * A verifier whose cache can be asked synchronously (what `requireAuth` uses on its hot path).
 * It caches `T`, what its `derive` made of a token's claims once on first sight, so a hit
 * returns that without working it out again.
 */
export interface CachingVerifier<T> {
  /**
   * What was derived from a token verified before and still within its times, `undefined` when
   * the token is not in the cache; throws `AccessTokenError` for a cached token whose time is up.
   */
  cached(token: string): T | undefined;
  /** Verifies with jose, derives and caches; for a token `cached` has just returned `undefined` for. */
  firstSight(token: string): Promise<T>;
  /** `cached`, else `firstSight`. */
  verify(token: string): Promise<T>;
}

/**
 * What a verifier is built from once its key source is resolved: the service hands in the ring
 * it signs with; `tessera/verify` builds a ring from `secret`, or a JWKS source.
 */
export interface VerifierSettings extends Omit<TokenChecks, "audience"> {
  keys: KeySource | Promise<KeySource>;
  /**
   * As in the options, or `ANY_AUDIENCE` for the service's own introspection, which reports
   * on every token it issued, whatever its audience (`aud` is still required).
   */
  audience: TokenChecks["audience"] | typeof ANY_AUDIENCE;
}

/** Accept any `aud`. A symbol, so no option parsed from configuration or JSON can ever mean it. */
export const ANY_AUDIENCE: unique symbol = Symbol("any audience");

const MAX_TOKEN_LENGTH = 8192;
const MAX_LEEWAY = 30;
const DEFAULT_CACHE_SIZE = 10_000;
const REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "jti"];
// RFC 9068 makes `jti` part of an access token; other issuers' JWTs (`typ: null`) may lack it.
const REQUIRED_CLAIMS_ANY_TYP = REQUIRED_CLAIMS.filter((claim) => claim !== "jti");

function fail(code: AccessTokenError["code"], message: string): never {
  throw new AccessTokenError(code, message);
}

function mapJoseError(e: unknown, typ: string | null): never {
  if (e instanceof AccessTokenError) throw e; // from the key source
  if (e instanceof errors.JWTExpired) fail("ERR_TOKEN_EXPIRED", "token expired");
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "nbf") fail("ERR_TOKEN_NOT_YET_VALID", "token not yet valid");
    if (e.claim === "typ") fail("ERR_TOKEN_TYPE_INVALID", `token type is not ${typ}`);
    fail("ERR_TOKEN_CLAIM_INVALID", `claim "${e.claim}" is invalid`);
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) fail("ERR_TOKEN_SIGNATURE_INVALID", "signature invalid");
  if (e instanceof errors.JOSEAlgNotAllowed) fail("ERR_TOKEN_ALG_NOT_ALLOWED", "algorithm not allowed");
  if (e instanceof errors.JOSEError) fail("ERR_TOKEN_MALFORMED", "token malformed");
  // jose's key checks, past the key source: a key set's key it will not use (RSA under 2048 bits).
  if (e instanceof TypeError) throw new AccessTokenError("ERR_TOKEN_KEYS_UNAVAILABLE", "verification key unusable", { cause: e });
  throw e;
}

function checkSettings(settings: Omit<VerifierSettings, "keys">): void {
  if (typeof settings.issuer !== "string" || settings.issuer === "") throw new TypeError("issuer is required");
  const typ = settings.typ;
  if (typ !== undefined && typ !== null && (typeof typ !== "string" || typ === "")) throw new TypeError("typ must be a non-empty string or null");
  const aud = typeof settings.audience === "string" ? [settings.audience] : settings.audience;
  if (aud !== ANY_AUDIENCE && (!Array.isArray(aud) || aud.length === 0 || aud.some((a) => typeof a !== "string" || a === ""))) {
    throw new TypeError("audience is required");
  }
  const leeway = settings.clockToleranceSeconds ?? MAX_LEEWAY;
  if (!Number.isFinite(leeway) || leeway < 0 || leeway > MAX_LEEWAY) {
    throw new TypeError(`clockToleranceSeconds must be between 0 and ${MAX_LEEWAY}`);
  }
  const cacheSize = settings.cacheSize ?? DEFAULT_CACHE_SIZE;
  // NaN or Infinity would silently make the cache unbounded.
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) throw new TypeError("cacheSize must be a whole number, 0 or more");
}

const KEY_SOURCES = ["secret", "jwks", "jwksUrl"] as const;

/** The one key source `options` name, checked synchronously: a short key or a bad set throws here. */
function keySourceFrom(options: VerifyOptions): KeySource | Promise<KeySource> {
  const given = KEY_SOURCES.filter((name) => options[name] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(`exactly one key source is required: secret, jwks or jwksUrl (given: ${given.join(", ") || "none"})`);
  }
  if (options.secret !== undefined) {
    const { algorithms } = options;
    if (algorithms !== undefined && (!Array.isArray(algorithms) || algorithms.length !== 1 || algorithms[0] !== "HS256")) {
      throw new TypeError('algorithms: a secret verifies HS256 only (use jwks or jwksUrl for public keys)');
    }
    checkSecrets(options.secret);
    return createHmacKeyRing(options.secret);
  }
  const algorithms = jwksAlgorithms(options.algorithms);
  const lookup = options.jwks !== undefined ? localJwks(options.jwks) : remoteJwks(options.jwksUrl);
  return createJwksKeySource(lookup, algorithms);
}

/** Checks `options` synchronously (a short key throws here) and resolves their key source. */
export function settingsFrom(options: VerifyOptions): VerifierSettings {
  if (options === null || typeof options !== "object") throw new TypeError("options are required");
  const keys = keySourceFrom(options);
  const { secret, jwks, jwksUrl, algorithms, ...checks } = options;
  return { ...checks, keys };
}

// NumericDate claims must be finite whole numbers: jose accepts any number, and `1e309` parses
// as Infinity, a token that would never expire.
function isNumericDate(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/**
 * Builds a verifier that imports its keys once and checks tokens strictly:
 * the algorithm allow-list of its key source, `typ` at+jwt, key chosen by
 * `kid`, `iss`/`aud`, `exp`/`iat`/`sub`/`jti` required. Throws `TypeError`
 * on bad options (a short key, no key source or two, an HS* algorithm
 * beside a JWKS).
 *
 * @example
 * const verifier = createAccessTokenVerifier({ secret, issuer: "tessera", audience: "orders" });
 * const claims = await verifier.verify(token);
 */
export function createAccessTokenVerifier(options: VerifyOptions): AccessTokenVerifier {
  const { verify } = createCachingVerifier(settingsFrom(options), (claims) => claims);
  return { verify };
}

/**
 * The verifier behind every other: checks with jose against `settings.keys`, then the claims jose
 * leaves alone, and caches `derive(claims)` for tokens that pass.
 *
 * @example
 * const verifier = createCachingVerifier({ keys: ring, issuer: "tessera", audience: "api" }, (claims) => claims.sub);
 * const sub = verifier.cached(token) ?? (await verifier.firstSight(token));
 */
export function createCachingVerifier<T>(settings: VerifierSettings, derive: (claims: AccessTokenClaims) => T): CachingVerifier<T> {
  checkSettings(settings);
  const source = Promise.resolve(settings.keys);
  source.catch(() => {}); // surfaced on first verify, not as an unhandled rejection
  const issuer = settings.issuer;
  const audience =
    settings.audience === ANY_AUDIENCE ? undefined : typeof settings.audience === "string" ? settings.audience : [...settings.audience];
  const leeway = settings.clockToleranceSeconds ?? MAX_LEEWAY;
  const now = settings.now ?? Date.now;
  const cache = createVerifiedTokenCache<T>(settings.cacheSize ?? DEFAULT_CACHE_SIZE, leeway);
  const typ = settings.typ === undefined ? ACCESS_TOKEN_TYPE : settings.typ;
  const requiredClaims = typ === null ? REQUIRED_CLAIMS_ANY_TYP : REQUIRED_CLAIMS;
  let keys: KeySource | undefined;
  let algorithms: string[] | undefined;

  async function verifyUncached(token: string, nowMs: number): Promise<AccessTokenClaims> {
    if (keys === undefined) {
      const resolved = await source;
      algorithms = [...resolved.algorithms];
      keys = resolved;
    }
    const options: JWTVerifyOptions = {
      algorithms,
      typ: typ ?? undefined,
      issuer,
      ...(audience !== undefined && { audience }),
      clockTolerance: leeway,
      currentDate: new Date(nowMs),
      requiredClaims,
    };
    // A token whose header is byte for byte one the key ring writes gets its key straight away;
    // any other goes through the source's lookup by kid, called by jose with the header it has
    // already decoded and checked (shape, crit, the algorithm allow-list).
    const key = keys.keyForToken(token);
    let payload: JWTPayload;
    try {
      ({ payload } = key ? await jwtVerify(token, key, options) : await jwtVerify(token, keys.keyForHeader, options));
    } catch (e) {
      mapJoseError(e, typ);
    }
    return checkClaims(payload, nowMs / 1000);
  }

  function checkClaims(payload: JWTPayload, nowSeconds: number): AccessTokenClaims {
    const p = payload as Record<string, unknown>;
    const optionalString = (name: string) => p[name] === undefined || typeof p[name] === "string";
    if (typeof p.sub !== "string" || p.sub === "") fail("ERR_TOKEN_CLAIM_INVALID", 'claim "sub" is invalid');
    const jtiValid = typ === null ? optionalString("jti") : typeof p.jti === "string" && p.jti !== "";
    if (!jtiValid) fail("ERR_TOKEN_CLAIM_INVALID", 'claim "jti" is invalid');
    if (!isNumericDate(p.exp)) fail("ERR_TOKEN_CLAIM_INVALID", 'claim "exp" is invalid');
    if (!isNumericDate(p.iat) || p.iat > nowSeconds + leeway) fail("ERR_TOKEN_CLAIM_INVALID", 'claim "iat" is invalid');
    if (p.nbf !== undefined && !isNumericDate(p.nbf)) fail("ERR_TOKEN_CLAIM_INVALID", 'claim "nbf" is invalid');
    for (const name of ["client_id", "sid", "role", "scope"]) {
      if (!optionalString(name)) fail("ERR_TOKEN_CLAIM_INVALID", `claim "${name}" is invalid`);
    }
    const aud = p.aud;
    if (Array.isArray(aud)) Object.freeze(aud);
    return Object.freeze(p) as AccessTokenClaims;
  }

  function cached(token: string): T | undefined {
    if (typeof token !== "string" || token === "") fail("ERR_TOKEN_MISSING", "no token");
    if (token.length > MAX_TOKEN_LENGTH) fail("ERR_TOKEN_MALFORMED", "token too long");
    return cache.get(token, now());
  }

  async function firstSight(token: string): Promise<T> {
    const claims = await verifyUncached(token, now());
    const value = derive(claims);
    cache.remember(token, claims, value);
    return value;
  }

  async function verify(token: string): Promise<T> {
    return cached(token) ?? (await firstSight(token));
  }

  return { verify, cached, firstSight };
}

const verifiers = new WeakMap<VerifyOptions, AccessTokenVerifier>();

/**
 * Verifies a Tessera access token in any framework. Keys are imported once
 * per `options` object, so pass the same object on every call.
 *
 * @example
 * const options = { secret: process.env.JWT_SECRET!, issuer: "tessera", audience: "orders" };
 * const claims = await verifyAccessToken(token, options); // throws AccessTokenError
 */
export async function verifyAccessToken(token: string, options: VerifyOptions): Promise<AccessTokenClaims> {
  let verifier = verifiers.get(options);
  if (!verifier) {
    verifier = createAccessTokenVerifier(options);
    verifiers.set(options, verifier);
  }
  return verifier.verify(token);
}
