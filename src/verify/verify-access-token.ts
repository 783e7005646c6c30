import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from "jose";
import { AccessTokenError } from "./access-token-error.js";
import { checkSecrets, createKeyRing, type KeyRing } from "./key-ring.js";

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

const ALGORITHMS = ["HS256"];
const TOKEN_TYPE = "at+jwt";
const MAX_TOKEN_LENGTH = 8192;
const MAX_LEEWAY = 30;
const DEFAULT_CACHE_SIZE = 10_000;

interface CacheEntry<T> {
  token: string;
  value: T;
  exp: number;
  nbf: number | undefined;
  iat: number;
}

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

function checkOptions(options: VerifyOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError("options are required");
  checkSecrets(options.secret);
  if (typeof options.issuer !== "string" || options.issuer === "") throw new TypeError("issuer is required");
  const aud = typeof options.audience === "string" ? [options.audience] : options.audience;
  if (!Array.isArray(aud) || aud.length === 0 || aud.some((a) => typeof a !== "string" || a === "")) {
    throw new TypeError("audience is required");
  }
  const leeway = options.clockToleranceSeconds ?? MAX_LEEWAY;
  if (!Number.isFinite(leeway) || leeway < 0 || leeway > MAX_LEEWAY) {
    throw new TypeError(`clockToleranceSeconds must be between 0 and ${MAX_LEEWAY}`);
  }
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  // NaN or Infinity would silently make the cache unbounded.
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) throw new TypeError("cacheSize must be a whole number, 0 or more");
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
  const { verify } = createCachingVerifier(options, (claims) => claims);
  return { verify };
}

/** `createAccessTokenVerifier` plus a synchronous look into its cache, caching `derive(claims)`. */
export function createCachingVerifier<T>(options: VerifyOptions, derive: (claims: AccessTokenClaims) => T): CachingVerifier<T> {
  checkOptions(options);
  const ring: Promise<KeyRing> = createKeyRing(options.secret);
  ring.catch(() => {}); // surfaced on first verify, not as an unhandled rejection
  const issuer = options.issuer;
  const audience = typeof options.audience === "string" ? options.audience : [...options.audience];
  const leeway = options.clockToleranceSeconds ?? MAX_LEEWAY;
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const cache = new Map<string, CacheEntry<T>>();
  // Insertion order, for the FIFO bound: once full, order[oldest] is the entry to drop next.
  // (Finding the oldest through `cache.keys().next()` looked free but is not: V8 leaves deleted
  // entries as holes at the front of a Map until it rehashes, and every new iterator walks
  // them, which measured 14 µs per insertion at 10,000 entries: most of a miss's cost.)
  const order: CacheEntry<T>[] = [];
  let oldest = 0;

  function remember(token: string, claims: AccessTokenClaims, value: T): void {
    const nbf = typeof claims.nbf === "number" ? claims.nbf : undefined;
    const entry: CacheEntry<T> = { token, value, exp: claims.exp, nbf, iat: claims.iat };
    if (order.length < cacheSize) {
      order.push(entry);
    } else {
      const dropped = order[oldest]!;
      // It may be gone already (expired on a hit), and the token cached again since.
      if (cache.get(dropped.token) === dropped) cache.delete(dropped.token);
      order[oldest] = entry;
      oldest = (oldest + 1) % cacheSize;
    }
    cache.set(token, entry);
  }

  // Every time-dependent check jose and checkClaims made on first sight, repeated on a hit:
  // a token's string fixes its claims, but not the clock.
  function checkTimes(entry: CacheEntry<T>, nowMs: number): void {
    const epoch = Math.floor(nowMs / 1000); // jose compares exp/nbf with whole seconds
    if (entry.exp <= epoch - leeway) fail("ERR_TOKEN_EXPIRED", "token expired");
    if (entry.nbf !== undefined && entry.nbf > epoch + leeway) fail("ERR_TOKEN_NOT_YET_VALID", "token not yet valid");
    if (entry.iat > nowMs / 1000 + leeway) fail("ERR_TOKEN_CLAIM_INVALID", 'claim "iat" is invalid');
  }

  let keys: KeyRing | undefined;

  // Called by jose with the header it has already decoded and checked (shape, crit, the HS256
  // allow-list), so a first sight decodes the header once.
  function keyFor(header: { alg?: string; kid?: string }): CryptoKey {
    if (header.alg !== "HS256") fail("ERR_TOKEN_ALG_NOT_ALLOWED", "algorithm not allowed");
    if (typeof header.kid !== "string") fail("ERR_TOKEN_KEY_UNKNOWN", "token has no key id");
    const key = keys!.byKid.get(header.kid);
    if (!key) fail("ERR_TOKEN_KEY_UNKNOWN", "unknown key id");
    return key;
  }

  // The key of a token whose header is byte for byte the one Tessera writes for it (every token
  // it issues), so jose is handed the key instead of calling keyFor for it: that callback cost a
  // first sight about a tenth of its CPU over HTTP (bench/README.md). The bytes name the kid, and
  // jose still decodes and checks the whole header. Any other header goes through keyFor.
  function keyByHeader(token: string): CryptoKey | undefined {
    for (const [prefix, key] of keys!.byHeader) if (token.startsWith(prefix)) return key;
    return undefined;
  }

  async function verifyUncached(token: string, nowMs: number): Promise<AccessTokenClaims> {
    keys ??= await ring;
    const options: JWTVerifyOptions = {
      algorithms: ALGORITHMS,
      typ: TOKEN_TYPE,
      issuer,
      audience,
      clockTolerance: leeway,
      currentDate: new Date(nowMs),
      requiredClaims: ["iss", "aud", "exp", "iat", "sub", "jti"],
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
    if (typeof p.iat !== "number" || p.iat > nowSeconds + leeway) fail("ERR_TOKEN_CLAIM_INVALID", 'claim "iat" is invalid');
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
    // The key is the whole token: any changed byte is a miss and goes through jose.
    const hit = cache.get(token);
    if (!hit) return undefined;
    try {
      checkTimes(hit, now());
    } catch (e) {
      cache.delete(token); // an expired token never becomes valid again
      throw e;
    }
    return hit.value;
  }

  async function firstSight(token: string): Promise<T> {
    const claims = await verifyUncached(token, now());
    const value = derive(claims);
    // Another request may have verified the same token while this one awaited jose.
    if (cacheSize > 0 && !cache.has(token)) remember(token, claims, value);
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
