import { base64url, SignJWT, type JWTHeaderParameters } from "jose";
import { AccessTokenError } from "../../src/verify/access-token-error.js";
import { keyId } from "../../src/verify/key-ring.js";
import { verifyAccessToken, type VerifyOptions } from "../../src/verify/verify-access-token.js";

const encoder = new TextEncoder();

export async function kidOf(secret: string): Promise<string> {
  return keyId(encoder.encode(secret));
}

export interface CraftOptions {
  secret: string;
  header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
  claims?: Record<string, unknown>;
  omit?: string[];
  alg?: "HS256" | "HS384" | "HS512";
}

/** A user token's claims, issued now for 300 s, with `claims` replacing any and `omit` left out. */
export function accessTokenClaims(claims: Record<string, unknown> = {}, omit: string[] = []): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = {
    iss: "tessera",
    aud: "tessera",
    sub: "user-1",
    client_id: "tessera",
    iat: now,
    exp: now + 300,
    jti: "jti-1",
    sid: "session-1",
    role: "user",
    scope: "read write",
    ...claims,
  };
  for (const name of omit) delete all[name];
  return all;
}

/** "accepted", or the code of the AccessTokenError the token is refused with. */
export async function verdict(token: string, options: VerifyOptions): Promise<string> {
  try {
    await verifyAccessToken(token, options);
  } catch (e) {
    if (e instanceof AccessTokenError) return e.code;
    throw e;
  }
  return "accepted";
}

/** Signs a token exactly as told, for attack tests: nothing here is validated. */
export async function craftToken(options: CraftOptions): Promise<string> {
  const claims = accessTokenClaims(options.claims, options.omit);
  const alg = options.alg ?? "HS256";
  const header = { alg, typ: "at+jwt", kid: await kidOf(options.secret), ...options.header } as JWTHeaderParameters;
  for (const [k, v] of Object.entries(header)) if (v === undefined) delete (header as Record<string, unknown>)[k];
  return new SignJWT(claims).setProtectedHeader(header).sign(encoder.encode(options.secret));
}

/** An unsecured JWT (`alg: none`) with the given claims. */
export function unsecuredToken(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (o: unknown) => base64url.encode(encoder.encode(JSON.stringify(o)));
  return `${part(header)}.${part(claims)}.`;
}

/** Replaces the payload of a signed token, keeping the original signature. */
export function tamperPayload(token: string, change: Record<string, unknown>): string {
  const [h, p, s] = token.split(".") as [string, string, string];
  const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
  const part = base64url.encode(encoder.encode(JSON.stringify({ ...payload, ...change })));
  return `${h}.${part}.${s}`;
}

/**
 * Changes the signature's first character. Not its last one: that carries two padding bits, so
 * some changes to it decode to the same bytes.
 */
export function tamperSignature(token: string): string {
  const at = token.lastIndexOf(".") + 1;
  return `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
}

/**
 * HS256 over any header, bypassing jose's own checks (e.g. an unknown `crit`). `claims` given as
 * a string is the payload's JSON exactly, for numbers JSON.stringify cannot write (`1e309`).
 */
export async function rawSignedToken(header: Record<string, unknown>, claims: Record<string, unknown> | string, secret: string): Promise<string> {
  const part = (o: unknown) => base64url.encode(encoder.encode(typeof o === "string" ? o : JSON.stringify(o)));
  const input = `${part(header)}.${part(claims)}`;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(input)));
  return `${input}.${base64url.encode(sig)}`;
}
