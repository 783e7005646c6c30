import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from "jose";
import { AccessTokenError } from "./access-token-error.js";
import { ACCESS_TOKEN_TYPE, checkSecrets, createHmacKeyRing, type KeyRing } from "./key-ring.js";
import { createVerifiedTokenCache } from "./token-cache.js";

/** Claims of a Tessera access token (RFC 9068 profile). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  aud: string | string[];
  sub: string;
  exp: number;
  iat: number;
  jti: string;
  client_id?: string;
  sid?: string;
  role?: string;
  scope?: string;
}

export interface VerifyOptions {
  /** HS256 key(s), UTF-8, 32+ bytes each; a list allows rotation. */
  secret: string | readonly string[];
  issuer: string;
  /** The audience(s) this service accepts; the token must name at least one. */
  audience: string | readonly string[];
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
   * new secrets mean a new verifier and an empty cache.
   */
  cacheSize?: number;
}

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
 * What a verifier is built from once its key source is resolved to a ring: the service hands in
 * the ring it signs with; `tessera/verify` builds one from `secret`.
 */
export interface VerifierSettings extends Omit<VerifyOptions, "secret" | "audience"> {
  keys: KeyRing | Promise<KeyRing>;
  /**
   * As in `VerifyOptions`, or `ANY_AUDIENCE` for the service's own introspection, which reports
   * on every token it issued, whatever its audience (`aud` is still required).
   */
  audience: VerifyOptions["audience"] | typeof ANY_AUDIENCE;
}

/** Accept any `aud`. A symbol, so no option parsed from configuration or JSON can ever mean it. */
export const ANY_AUDIENCE: unique symbol = Symbol("any audience");

const MAX_TOKEN_LENGTH = 8192;
const MAX_LEEWAY = 30;
const DEFAULT_CACHE_SIZE = 10_000;
const REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "jti"];

function fail(code: AccessTokenError["code"], message: string): never {
  throw new AccessTokenError(code, message);
}

function mapJoseError(e: unknown): never {
  if (e instanceof errors.JWTExpired) fail("ERR_TOKEN_EXPIRED", "token expired");
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "nbf") fail("ERR_TOKEN_NOT_YET_VALID", "token not yet valid");
    if (e.claim === "typ") fail("ERR_TOKEN_TYPE_INVALID", "token type is not at+jwt");
    fail("ERR_TOKEN_CLAIM_INVALID", `claim "${e.claim}" is invalid`);
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) fail("ERR_TOKEN_SIGNATURE_INVALID", "signature invalid");
  if (e instanceof errors.JOSEAlgNotAllowed) fail("ERR_TOKEN_ALG_NOT_ALLOWED", "algorithm not allowed");
  if (e instanceof errors.JOSEError) fail("ERR_TOKEN_MALFORMED", "token malformed");
  throw e;
}

function checkSettings(settings: Omit<VerifierSettings, "keys">): void {
  if (typeof settings.issuer !== "string" || settings.issuer === "") throw new TypeError("issuer is required");
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

/** Checks `options` synchronously (a short key throws here) and resolves its key source to a ring. */
export function settingsFrom(options: VerifyOptions): VerifierSettings {
  if (options === null || typeof options !== "object") throw new TypeError("options are required");
  checkSecrets(options.secret);
  const { secret, ...rest } = options;
  return { ...rest, keys: createHmacKeyRing(secret) };
}

// NumericDate claims must be finite whole numbers: jose accepts any number, and `1e309` parses
// as Infinity, a token that would never expire.
function isNumericDate(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/**
 * Builds a verifier that imports its keys once and checks tokens strictly:
 * HS256 only, `typ` at+jwt, key chosen by `kid`, `iss`/`aud`, `exp`/`iat`/
 * `sub`/`jti` required. Throws `TypeError` on bad options (short key).
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
  const ring = Promise.resolve(settings.keys);
  ring.catch(() => {}); // surfaced on first verify, not as an unhandled rejection
  const issuer = settings.issuer;
  const audience =
    settings.audience === ANY_AUDIENCE ? undefined : typeof settings.audience === "string" ? settings.audience : [...settings.audience];
  const leeway = settings.clockToleranceSeconds ?? MAX_LEEWAY;
  const now = settings.now ?? Date.now;
  const cache = createVerifiedTokenCache<T>(settings.cacheSize ?? DEFAULT_CACHE_SIZE, leeway);
  let keys: KeyRing | undefined;

  // Called by jose with the header it has already decoded and checked (shape, crit, the
  // algorithm allow-list), so a first sight decodes the header once.
  function keyFor(header: { alg?: string; kid?: string }): CryptoKey {
    if (typeof header.kid !== "string") fail("ERR_TOKEN_KEY_UNKNOWN", "token has no key id");
    const found = keys!.byKid.get(header.kid);
    if (!found) fail("ERR_TOKEN_KEY_UNKNOWN", "unknown key id");
    // A key is used with its own algorithm only, whatever else the allow-list holds.
    if (found.alg !== header.alg) fail("ERR_TOKEN_ALG_NOT_ALLOWED", "algorithm not allowed");
    return found.key;
  }

  // The key of a token whose header is byte for byte the one Tessera writes for it (every token
  // it issues): handing jose the key instead of the keyFor callback saves a first sight about a
  // tenth of its CPU (bench/README.md). jose still decodes and checks the whole header.
  function keyByHeader(token: string): CryptoKey | undefined {
    for (const [prefix, key] of keys!.byHeader) if (token.startsWith(prefix)) return key;
    return undefined;
  }

  async function verifyUncached(token: string, nowMs: number): Promise<AccessTokenClaims> {
    keys ??= await ring;
    const options: JWTVerifyOptions = {
      algorithms: [...keys.algorithms],
      typ: ACCESS_TOKEN_TYPE,
      issuer,
      ...(audience !== undefined && { audience }),
      clockTolerance: leeway,
      currentDate: new Date(nowMs),
      requiredClaims: REQUIRED_CLAIMS,
    };
    const key = keyByHeader(token);
    let payload: JWTPayload;
    try {
      ({ payload } = key ? await jwtVerify(token, key, options) : await jwtVerify(token, keyFor, options));
    } catch (e) {
      mapJoseError(e);
    }
    return checkClaims(payload, nowMs / 1000);
  }

  function checkClaims(payload: JWTPayload, nowSeconds: number): AccessTokenClaims {
    const p = payload as Record<string, unknown>;
    const optionalString = (name: string) => p[name] === undefined || typeof p[name] === "string";
    if (typeof p.sub !== "string" || p.sub === "") fail("ERR_TOKEN_CLAIM_INVALID", 'claim "sub" is invalid');
    if (typeof p.jti !== "string" || p.jti === "") fail("ERR_TOKEN_CLAIM_INVALID", 'claim "jti" is invalid');
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
