import * as oauth from "oauth4webapi";
import type { ProviderConfig } from "../config.js";
import type { LogError } from "../errors.js";
import * as v from "valibot";
import { EmailSchema } from "../users/email.js";

/** Why a provider sign-in failed, as the callback's redirect reports it (`error=<code>`). */
export type ProviderFailureCode = "access_denied" | "invalid_grant" | "account_exists" | "email_required" | "temporarily_unavailable";

/** An expected end of a provider sign-in; anything else is a bug and stays a 500. */
export class ProviderSignInFailure extends Error {
  constructor(readonly code: ProviderFailureCode) {
    super(code);
    this.name = "ProviderSignInFailure";
  }
}

/** What a provider proved about the person at the browser. */
export interface ProvenIdentity {
  provider: string;
  /** The provider's stable account id. */
  subject: string;
  /** Normalized; `null` when the provider gave none. */
  email: string | null;
  /** The provider vouches that `email` belongs to this account. */
  emailVerified: boolean;
  name: string | null;
}

/** The protocol half of one provider: where to send the browser, and what its callback proves. */
export interface ProviderClient {
  readonly id: string;
  readonly label: string;
  /** The provider's authorization URL for this attempt. */
  authorizationUrl(attempt: { state: string; nonce: string; codeChallenge: string }): Promise<URL>;
  /** Checks the callback, exchanges the code, validates the ID token or asks the API; throws `ProviderSignInFailure`. */
  complete(callback: URL, attempt: { state: string; nonce: string; codeVerifier: string }): Promise<ProvenIdentity>;
}

export interface ProviderClientDeps {
  publicUrl: string;
  fetch: typeof fetch;
  logError: LogError;
}

const MAX_NAME_LENGTH = 200;

/** Maps a protocol or transport failure to its public code; unexpected errors pass through. */
function failureFrom(e: unknown, logError: LogError, provider: string): ProviderSignInFailure {
  if (e instanceof ProviderSignInFailure) return e;
  // The provider said no on the authorization redirect (the user declined, or policy).
  if (e instanceof oauth.AuthorizationResponseError) return new ProviderSignInFailure("access_denied");
  if (e instanceof oauth.ResponseBodyError) {
    return new ProviderSignInFailure(e.status >= 500 ? "temporarily_unavailable" : "invalid_grant");
  }
  if (e instanceof oauth.OperationProcessingError || e instanceof oauth.UnsupportedOperationError) {
    // A 5xx that is not an OAuth error body lands here too: the provider is down, not lying.
    const status = (e.cause as { status?: unknown } | undefined)?.status;
    if (typeof status === "number" && status >= 500) return new ProviderSignInFailure("temporarily_unavailable");
    logError("provider response refused", { provider, code: (e as { code?: string }).code ?? e.name });
    return new ProviderSignInFailure("invalid_grant");
  }
  // fetch rejects with a TypeError (or an abort) when the provider cannot be reached.
  if (e instanceof TypeError || (e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError"))) {
    logError("provider unreachable", { provider, type: e.name });
    return new ProviderSignInFailure("temporarily_unavailable");
  }
  throw e;
}

function trimmedName(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const name = value.trim().slice(0, MAX_NAME_LENGTH);
  return name === "" ? null : name;
}

/** Normalized as every account email is; anything that is not a valid address counts as none. */
function emailOrNull(value: unknown): string | null {
  const parsed = v.safeParse(EmailSchema, value);
  return parsed.success ? parsed.output : null;
}

const TIMEOUT_MS = 10_000;

/**
 * Builds the protocol client of one configured provider: OIDC (discovery, PKCE, nonce, ID-token
 * claims checked by oauth4webapi) or GitHub (OAuth 2.0 with PKCE, then `/user` and `/user/emails`).
 *
 * @example
 * const google = createProviderClient(config.providers[0], { publicUrl, fetch, logError });
 * const url = await google.authorizationUrl({ state, nonce, codeChallenge });
 */
export function createProviderClient(provider: ProviderConfig, deps: ProviderClientDeps): ProviderClient {
  const redirectUri = `${deps.publicUrl}/auth/oauth/${provider.id}/callback`;
  const insecure = provider.kind === "oidc" ? new URL(provider.issuer).protocol === "http:" : new URL(provider.url).protocol === "http:";
  // Config only lets http through on loopback hosts; oauth4webapi otherwise insists on https.
  const http = {
    [oauth.customFetch]: (url: string, init: RequestInit) => deps.fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }),
    [oauth.allowInsecureRequests]: insecure,
  };
  const client: oauth.Client = { client_id: provider.clientId };

  let metadata: Promise<oauth.AuthorizationServer> | undefined;
  function server(): Promise<oauth.AuthorizationServer> {
    if (provider.kind === "github") {
      return Promise.resolve({
        issuer: provider.url,
        authorization_endpoint: `${provider.url}/login/oauth/authorize`,
        token_endpoint: `${provider.url}/login/oauth/access_token`,
      });
    }
    if (metadata === undefined) {
      const issuer = new URL(provider.issuer);
      metadata = oauth.discoveryRequest(issuer, http).then((r) => oauth.processDiscoveryResponse(issuer, r));
      // A failed discovery is retried by the next sign-in rather than cached.
      metadata.catch(() => (metadata = undefined));
    }
    return metadata;
  }

  function clientAuth(as: oauth.AuthorizationServer): oauth.ClientAuth {
    const methods = as.token_endpoint_auth_methods_supported;
    // RFC 8414: client_secret_basic is the default only when the provider lists no methods.
    if (provider.kind === "github" || (methods !== undefined && !methods.includes("client_secret_basic"))) {
      return oauth.ClientSecretPost(provider.clientSecret);
    }
    return oauth.ClientSecretBasic(provider.clientSecret);
  }

  async function githubIdentity(accessToken: string): Promise<ProvenIdentity> {
    if (provider.kind !== "github") throw new Error("unreachable");
    const api = async (path: string): Promise<unknown> => {
      // GITHUB_API_URL may carry a path (/api/v3): append, never resolve against its root.
      const res = await http[oauth.customFetch](`${provider.apiUrl}${path}`, {
        headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/vnd.github+json", "User-Agent": "tessera" },
      });
      if (res.status >= 500) throw new ProviderSignInFailure("temporarily_unavailable");
      if (!res.ok) throw new ProviderSignInFailure("invalid_grant");
      try {
        return await res.json();
      } catch {
        throw new ProviderSignInFailure("invalid_grant");
      }
    };
    const user = (await api("/user")) as { id?: unknown; name?: unknown; login?: unknown } | null;
    if (user === null || typeof user !== "object" || (typeof user.id !== "number" && typeof user.id !== "string")) {
      throw new ProviderSignInFailure("invalid_grant");
    }
    const emails = await api("/user/emails");
    // Only the primary address, and only when GitHub says it is verified, can link or create.
    const primary = Array.isArray(emails)
      ? (emails as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>).find((e) => e?.primary === true)
      : undefined;
    const email = emailOrNull(primary?.email);
    return {
      provider: provider.id,
      subject: String(user.id),
      email,
      emailVerified: email !== null && primary?.verified === true,
      name: trimmedName(user.name) ?? trimmedName(user.login),
    };
  }

  return {
    id: provider.id,
    label: provider.label,

    async authorizationUrl({ state, nonce, codeChallenge }) {
      let as: oauth.AuthorizationServer;
      try {
        as = await server();
      } catch (e) {
        throw failureFrom(e, deps.logError, provider.id);
      }
      if (as.authorization_endpoint === undefined) throw new ProviderSignInFailure("temporarily_unavailable");
      const url = new URL(as.authorization_endpoint);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("client_id", provider.clientId);
      url.searchParams.set("redirect_uri", redirectUri);
      url.searchParams.set("scope", provider.scope);
      url.searchParams.set("state", state);
      url.searchParams.set("code_challenge", codeChallenge);
      url.searchParams.set("code_challenge_method", "S256");
      if (provider.kind === "oidc") url.searchParams.set("nonce", nonce);
      return url;
    },

    async complete(callback, attempt) {
      try {
        const as = await server();
        const params = oauth.validateAuthResponse(as, client, callback, attempt.state);
        const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth(as), params, redirectUri, attempt.codeVerifier, http);
        if (provider.kind === "github") {
          const result = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: false });
          return await githubIdentity(result.access_token);
        }
        // iss, aud, exp, iat and nonce are checked here, by the library, never by hand.
        const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
          expectedNonce: attempt.nonce,
          requireIdToken: true,
        });
        const claims = oauth.getValidatedIdTokenClaims(result)!;
        const email = emailOrNull(claims.email);
        return {
          provider: provider.id,
          subject: claims.sub,
          email,
          emailVerified: email !== null && claims.email_verified === true,
          name: trimmedName(claims.name),
        };
      } catch (e) {
        throw failureFrom(e, deps.logError, provider.id);
      }
    },
  };
}
