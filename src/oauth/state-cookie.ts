import { generateCookie } from "hono/cookie";
import { EncryptJWT, jwtDecrypt } from "jose";

/** The cookie's base name; the `__Host-` prefix is added by hono (`prefix: "host"`). */
export const OAUTH_STATE_COOKIE = "tessera_oauth";
const NAME = OAUTH_STATE_COOKIE;
export const OAUTH_STATE_TTL_SECONDS = 600;

const ATTRIBUTES = {
  prefix: "host", // __Host-: Secure, Path=/, no Domain
  httpOnly: true,
  sameSite: "Lax", // Lax, not Strict: it must come back on the provider's top-level redirect
} as const;

/** What one sign-in attempt binds to this browser. */
export interface OAuthState {
  provider: string;
  state: string;
  codeVerifier: string;
  nonce: string;
  /** Where the browser goes afterwards (an already-checked URL). */
  target: string;
}

export interface OAuthStateCookies {
  /** `Set-Cookie` value carrying the sealed state. */
  seal(state: OAuthState, nowMs: number): Promise<string>;
  /** The state in the cookie value the browser sent, or `null` when missing, expired or tampered with. */
  open(raw: string | undefined, nowMs: number): Promise<(OAuthState & { expiresAt: number }) | null>;
  /** `Set-Cookie` value that drops the cookie. */
  cleared(): string;
}

const STATE_COOKIE_LABEL = "tessera oauth state cookie v1";

/** An AES-256 key for this purpose only, derived from JWT_SECRET (never the signing key itself). */
async function deriveKey(secret: string): Promise<Uint8Array> {
  const ikm = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode(STATE_COOKIE_LABEL) },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * The `__Host-tessera_oauth` cookie: an encrypted JWT (`dir` + A256GCM), so the browser can
 * neither read the PKCE verifier and nonce nor change any field, and it expires in 10 minutes.
 *
 * @example
 * const cookies = oauthStateCookies(config.jwt.secret);
 * c.header("Set-Cookie", await cookies.seal({ provider, state, codeVerifier, nonce, target }, clock.now()));
 */
export function oauthStateCookies(secret: string): OAuthStateCookies {
  const key = deriveKey(secret);
  key.catch(() => {});
  return {
    async seal(s, nowMs) {
      const iat = Math.floor(nowMs / 1000);
      const jwt = await new EncryptJWT({ p: s.provider, s: s.state, v: s.codeVerifier, n: s.nonce, t: s.target })
        .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
        .setIssuedAt(iat)
        .setExpirationTime(iat + OAUTH_STATE_TTL_SECONDS)
        .encrypt(await key);
      return generateCookie(NAME, jwt, { ...ATTRIBUTES, maxAge: OAUTH_STATE_TTL_SECONDS });
    },
    async open(raw, nowMs) {
      if (raw === undefined || raw === "" || raw.length > 4096) return null;
      try {
        const { payload } = await jwtDecrypt(raw, await key, {
          currentDate: new Date(nowMs),
          keyManagementAlgorithms: ["dir"],
          contentEncryptionAlgorithms: ["A256GCM"],
          clockTolerance: 0,
        });
        const { p, s, v, n, t, exp } = payload;
        if (typeof p !== "string" || typeof s !== "string" || typeof v !== "string" || typeof n !== "string" || typeof t !== "string" || typeof exp !== "number") {
          return null;
        }
        return { provider: p, state: s, codeVerifier: v, nonce: n, target: t, expiresAt: exp * 1000 };
      } catch {
        // Any decryption or claim failure is the same answer: this browser holds no usable state.
        return null;
      }
    },
    cleared: () => generateCookie(NAME, "", { ...ATTRIBUTES, maxAge: 0 }),
  };
}
