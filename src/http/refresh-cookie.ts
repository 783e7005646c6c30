import type { Context } from "hono";
import { generateCookie, getCookie } from "hono/cookie";

/** The cookie's base name; the `__Host-` prefix is added by hono (`prefix: "host"`). */
const NAME = "tessera_rt";

// Browsers cap cookie lifetimes at 400 days and hono refuses to write more.
const MAX_AGE_CAP_SECONDS = 34_560_000;

const ATTRIBUTES = {
  prefix: "host", // __Host-: Secure, Path=/, no Domain, so no subdomain can set or read it
  httpOnly: true, // page scripts (and XSS) never see the refresh token
  sameSite: "Strict", // never sent on cross-site requests
} as const;

/**
 * `Set-Cookie` value carrying a refresh token. `Max-Age` is rounded down so the
 * cookie never outlives the token, which itself never outlives its session.
 *
 * @example
 * c.header("Set-Cookie", refreshCookie(signed.refreshToken, signed.refreshExpiresAt, s.clock.now()), { append: true });
 */
export function refreshCookie(token: string, expiresAtMs: number, nowMs: number): string {
  const maxAge = Math.min(MAX_AGE_CAP_SECONDS, Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000)));
  return generateCookie(NAME, token, { ...ATTRIBUTES, maxAge });
}

/**
 * `Set-Cookie` value that makes the browser drop the refresh cookie at once.
 *
 * @example
 * throw new AppError("invalid_token", 401, "…", { headers: { "Set-Cookie": clearedRefreshCookie() } });
 */
export function clearedRefreshCookie(): string {
  return generateCookie(NAME, "", { ...ATTRIBUTES, maxAge: 0 });
}

/**
 * The refresh token the browser sent, if any.
 *
 * @example
 * const token = readRefreshCookie(c); // "rt_…" or undefined
 */
export function readRefreshCookie(c: Context): string | undefined {
  const value = getCookie(c, NAME, "host");
  return value === undefined || value === "" ? undefined : value;
}
