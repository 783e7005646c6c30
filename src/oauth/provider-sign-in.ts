import * as oauth from "oauth4webapi";
import type { AuditSink } from "../audit/audit-log.js";
import type { ClientContext, SignedIn, SignIn } from "../auth/sign-in.js";
import type { Clock } from "../clock.js";
import { trustedOrigins, type Config } from "../config.js";
import { AppError, invalidRequest, notFound, type LogError } from "../errors.js";
import type { IdentityService } from "../identities/identity-service.js";
import { createProviderClient, ProviderSignInFailure, type ProviderClient, type ProviderFailureCode } from "./provider-client.js";
import { oauthStateCookies } from "./state-cookie.js";

/** How a callback ended once its state was good: a 302 to `location`, with a session or an `error`. */
export type CallbackOutcome = { location: string; signed: SignedIn } | { location: string; error: ProviderFailureCode };

export interface ProviderSignIn {
  /** The configured providers, for `GET /auth/providers`. */
  list(): Array<{ id: string; label: string }>;
  /**
   * Starts a sign-in: the provider's authorization URL and the state cookie. 404 for an unknown
   * provider, 400 for a `redirect_to` outside the trusted origins.
   */
  start(providerId: string, redirectTo: string | undefined): Promise<{ location: string; cookie: string }>;
  /**
   * Finishes one: 400 `invalid_request` when the cookie is missing, expired, tampered with, for
   * another provider, or its state does not match or was already used; else an outcome.
   */
  finish(providerId: string, query: URLSearchParams, rawCookie: string | undefined, client: ClientContext): Promise<CallbackOutcome>;
  /** `Set-Cookie` value that drops the state cookie (every callback sends it). */
  clearedCookie(): string;
}

export interface ProviderSignInDeps {
  config: Config;
  clock: Clock;
  signIn: SignIn;
  identities: IdentityService;
  audit: AuditSink;
  logError: LogError;
  fetch: typeof fetch;
}

/** `/x` but not `//x` or `/\x`, which browsers read as another host. */
const SINGLE_SLASH_PATH = /^\/(?![/\\])/;

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function withError(target: string, code: ProviderFailureCode): string {
  const url = new URL(target);
  url.searchParams.set("error", code);
  return url.href;
}

/**
 * Sign-in with an identity provider: start (state, PKCE, nonce, sealed into a cookie) and finish
 * (state checked and used once, the provider's proof turned into a session by `signIn`).
 *
 * @example
 * const { location, cookie } = await providerSignIn.start("google", "/welcome");
 */
export function createProviderSignIn(deps: ProviderSignInDeps): ProviderSignIn {
  const { config, clock, signIn, identities, audit } = deps;
  const cookies = oauthStateCookies(config.jwt.secret);
  const clients = new Map<string, ProviderClient>();
  const publicUrl = config.publicUrl;
  if (publicUrl !== null) {
    for (const p of config.providers) clients.set(p.id, createProviderClient(p, { publicUrl, fetch: deps.fetch, logError: deps.logError }));
  }
  const origins = trustedOrigins(config);
  const landing = config.frontendUrl ?? publicUrl ?? "";

  function targetFor(redirectTo: string | undefined): string {
    if (redirectTo === undefined || redirectTo === "") return landing;
    if (SINGLE_SLASH_PATH.test(redirectTo)) {
      const url = new URL(redirectTo, landing);
      if (url.origin === new URL(landing).origin) return url.href;
    } else {
      let url: URL | null = null;
      try {
        url = new URL(redirectTo);
      } catch {
        url = null;
      }
      // Only http(s) pages of trusted origins: no open redirect, no javascript: or data: URLs.
      if (url !== null && (url.protocol === "https:" || url.protocol === "http:") && origins.includes(url.origin)) return url.href;
    }
    throw invalidRequest("redirect_to must be a path or a URL of an allowed origin.", [
      { path: "redirect_to", message: "must be a path starting with one / or a URL of an allowed origin" },
    ]);
  }

  function clientOf(providerId: string): ProviderClient {
    const client = clients.get(providerId);
    if (!client) throw notFound("No such sign-in provider.");
    return client;
  }

  return {
    list: () => [...clients.values()].map((c) => ({ id: c.id, label: c.label })),

    async start(providerId, redirectTo) {
      const client = clientOf(providerId);
      const target = targetFor(redirectTo);
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
      let url: URL;
      try {
        url = await client.authorizationUrl({ state, nonce, codeChallenge });
      } catch (e) {
        if (!(e instanceof ProviderSignInFailure)) throw e;
        audit({ type: "oauth_login_failed", provider: providerId, error: e.code, ip: null });
        // The provider's discovery did not answer: back to the app with the reason, no cookie.
        return { location: withError(target, e.code), cookie: cookies.cleared() };
      }
      const cookie = await cookies.seal({ provider: providerId, state, codeVerifier, nonce, target }, clock.now());
      return { location: url.href, cookie };
    },

    async finish(providerId, query, rawCookie, context) {
      const client = clientOf(providerId);
      const attempt = await cookies.open(rawCookie, clock.now());
      const state = query.get("state");
      if (attempt === null || state === null || attempt.provider !== providerId || state !== attempt.state) {
        throw new AppError("invalid_request", 400, "The sign-in attempt is unknown or has expired; start again.");
      }
      // A state works once, even if its cookie was copied: the replay is refused like a stale one.
      if (!(await identities.useState(await sha256Hex(`${providerId}:${state}`), attempt.expiresAt))) {
        throw new AppError("invalid_request", 400, "The sign-in attempt is unknown or has expired; start again.");
      }
      try {
        const proven = await client.complete(new URL(`https://callback.invalid/?${query.toString()}`), attempt);
        const signed = await signIn.withIdentity(proven, context);
        return { location: attempt.target, signed };
      } catch (e) {
        if (!(e instanceof ProviderSignInFailure)) throw e;
        audit({ type: "oauth_login_failed", provider: providerId, error: e.code, ip: context.ip });
        return { location: withError(attempt.target, e.code), error: e.code };
      }
    },

    clearedCookie: () => cookies.cleared(),
  };
}
