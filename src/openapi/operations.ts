import * as v from "valibot";
import {
  AdminClientCreate,
  AdminClientPatch,
  AdminUserCreate,
  AdminUserListQuery,
  AdminUserPatch,
  ClientCredentialsGrant,
  IntrospectBody,
  PasswordChange,
  PasswordGrant,
  ProfilePatch,
  RefreshGrant,
  RegisterBody,
  RevokeBody,
  ProviderStartQuery,
  SessionLogin,
} from "../schemas/requests.js";
import {
  AuthorizationServerMetadata,
  BrowserRefreshResponse,
  ClientList,
  IdentityList,
  ProviderList,
  ClientTokenResponse,
  ClientWithSecret,
  Introspection,
  PublicClient,
  BrowserSessionResponse,
  Health,
  JsonWebKeySet,
  PublicUser,
  RegisteredResponse,
  SessionList,
  TokenResponse,
  UserPage,
} from "../schemas/responses.js";

/** One documented operation; `path` is written as the Hono route is (`/admin/users/:id`). */
export interface OperationDoc {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  tag: "service" | "tokens" | "browser" | "account" | "admin";
  summary: string;
  description?: string;
  /** How the caller authenticates; absent for public endpoints. `client` is client_secret_basic or client_secret_post. */
  auth?: "bearer" | "refreshCookie" | "client";
  /** The browser flow's CSRF proof: `X-Requested-With: tessera`. */
  csrf?: boolean;
  body?: { schema: v.GenericSchema; form?: boolean };
  query?: v.ObjectSchema<v.ObjectEntries, undefined>;
  ok: { status: number; description: string; schema?: v.GenericSchema; noStore?: boolean; setsCookie?: boolean };
  /** Each error status the operation answers, with when (the body is always the error shape). */
  errors: Record<number, string>;
}

// Answered by every route or every route of a kind, so each operation does not repeat them.
const TOO_LARGE = { 413: "`request_too_large`: the body is over 16 KiB." };
const BODY = {
  ...TOO_LARGE,
  415: "`unsupported_media_type`: the body is not of an accepted content type.",
};
const AUTH_LIMIT = { 429: "`rate_limited`: too many `/auth/*` requests from this IP; see `Retry-After`." };
const BEARER = {
  401: "`invalid_token`: no, a bad or an expired access token, or its session has ended.",
};

/** The `/auth/token` body: any of the grants, from the same schemas that validate them. */
const TokenGrant = v.union([
  v.object({ grant_type: v.literal("password"), ...PasswordGrant.entries }),
  v.object({ grant_type: v.literal("refresh_token"), ...RefreshGrant.entries }),
  v.object({ grant_type: v.literal("client_credentials"), ...ClientCredentialsGrant.entries }),
]);

const CLIENT_AUTH = {
  401: "`invalid_client`: missing, unknown, wrong or disabled client credentials (`WWW-Authenticate: Basic` after a Basic attempt).",
};
const ADMIN = { 403: "`insufficient_scope`: not an admin token (or `forbidden` for a client token).", ...BEARER };

/** Every operation of the API. test/openapi.test.ts fails when a route is missing here. */
export const OPERATIONS: readonly OperationDoc[] = [
  {
    method: "get",
    path: "/health",
    tag: "service",
    summary: "Liveness and database check",
    ok: { status: 200, description: "The database answers.", schema: Health },
    errors: { 503: "The database does not answer; the body is `{\"status\":\"unavailable\"}`." },
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "service",
    summary: "This document (OpenAPI 3.1)",
    ok: { status: 200, description: "The OpenAPI document." },
    errors: {},
  },
  {
    method: "post",
    path: "/auth/register",
    tag: "tokens",
    summary: "Create an account and sign it in",
    description: "A `role` in the body is ignored: self-registration always creates a `user`.",
    body: { schema: RegisterBody },
    ok: { status: 201, description: "The account and a token pair.", schema: RegisteredResponse, noStore: true },
    errors: {
      400: "`invalid_request`: validation failed (email, password rules, name).",
      409: "`conflict`: an account with this email exists.",
      ...BODY,
      ...AUTH_LIMIT,
    },
  },
  {
    method: "post",
    path: "/auth/token",
    tag: "tokens",
    summary: "Token endpoint: the password, refresh_token and client_credentials grants",
    description:
      "OAuth 2.0 token endpoint (RFC 6749). On the password and refresh grants `client_id` may be sent and must then be the " +
      "first-party client id. A refresh rotates the refresh token; a spent token presented again outside the grace window " +
      "revokes the session. `client_credentials` authenticates a machine client by HTTP Basic or `client_id` + " +
      "`client_secret` in the body (not both) and answers an access token without a refresh token " +
      "(`" + "{access_token, token_type, expires_in, scope}" + "`).",
    body: { schema: TokenGrant, form: true },
    ok: { status: 200, description: "A new token pair (client_credentials: an access token only).", schema: v.union([TokenResponse, ClientTokenResponse]), noStore: true },
    errors: {
      400:
        "`invalid_request` (validation, two client authentication methods), `invalid_grant` (wrong credentials; bad, expired, " +
        "revoked or reused refresh token), `invalid_scope`, `unsupported_grant_type`.",
      401: "`invalid_client`: a `client_id` other than the first-party client, or failed machine-client authentication.",
      429: "`rate_limited`: too many failed logins for the account, or `/auth/*` requests from the IP; see `Retry-After`.",
      ...BODY,
    },
  },
  {
    method: "post",
    path: "/auth/revoke",
    tag: "tokens",
    summary: "Revoke a token (RFC 7009)",
    description:
      "A refresh token, or a valid access token, revokes its session. Unknown tokens are not an error. Client " +
      "authentication is optional; when presented it must hold.",
    body: { schema: RevokeBody, form: true },
    ok: { status: 200, description: "Revoked, or nothing to revoke." },
    errors: { 400: "`invalid_request`: no `token`.", ...CLIENT_AUTH, ...BODY, ...AUTH_LIMIT },
  },
  {
    method: "post",
    path: "/auth/introspect",
    tag: "tokens",
    summary: "Introspect a token (RFC 7662)",
    description:
      "For registered clients. An access token is active when it verifies and its session is live and its user enabled " +
      "(or, for a client token, its client is enabled); a refresh token while it would be accepted. Anything else is " +
      "exactly `{\"active\":false}`.",
    auth: "client",
    body: { schema: IntrospectBody, form: true },
    ok: { status: 200, description: "The token's state.", schema: Introspection, noStore: true },
    errors: { 400: "`invalid_request`: no `token`.", ...CLIENT_AUTH, ...BODY, ...AUTH_LIMIT },
  },
  {
    method: "get",
    path: "/.well-known/oauth-authorization-server",
    tag: "service",
    summary: "Authorization server metadata (RFC 8414)",
    ok: { status: 200, description: "Endpoints, grants and authentication methods.", schema: AuthorizationServerMetadata },
    errors: {},
  },
  {
    method: "get",
    path: "/.well-known/jwks.json",
    tag: "service",
    summary: "The public keys that verify access tokens (RFC 7517)",
    description:
      "With `JWT_ALGORITHM` EdDSA or ES256: the current key first, then `JWT_PREVIOUS_PUBLIC_KEYS`; each `kid` is the key's RFC 7638 thumbprint. Served with `Cache-Control: public, max-age=300`.",
    ok: { status: 200, description: "The key set.", schema: JsonWebKeySet },
    errors: { 404: "`not_found`: tokens are signed with HS256, whose key is secret." },
  },
  {
    method: "post",
    path: "/auth/logout",
    tag: "account",
    summary: "End this session",
    auth: "bearer",
    ok: { status: 204, description: "The session named by the token's `sid` is revoked." },
    errors: { ...BEARER, ...AUTH_LIMIT },
  },
  {
    method: "post",
    path: "/auth/logout-all",
    tag: "account",
    summary: "End every session of the user",
    auth: "bearer",
    ok: { status: 204, description: "Every session of the user is revoked." },
    errors: { ...BEARER, ...AUTH_LIMIT },
  },
  {
    method: "post",
    path: "/auth/session",
    tag: "browser",
    summary: "Browser sign-in",
    description: "The refresh token is set in the `__Host-tessera_rt` cookie (HttpOnly, Secure, SameSite=Strict), never in the body.",
    csrf: true,
    body: { schema: SessionLogin },
    ok: { status: 200, description: "Signed in.", schema: BrowserSessionResponse, noStore: true, setsCookie: true },
    errors: {
      400: "`invalid_request` (validation) or `invalid_grant` (wrong credentials).",
      403: "`forbidden`: no CSRF header, or an `Origin` that is not allowed.",
      429: "`rate_limited`: see `Retry-After`.",
      ...BODY,
    },
  },
  {
    method: "delete",
    path: "/auth/session",
    tag: "browser",
    summary: "Browser sign-out",
    auth: "refreshCookie",
    csrf: true,
    ok: { status: 204, description: "The cookie's session is revoked and the cookie cleared.", setsCookie: true },
    errors: { 403: "`forbidden`: no CSRF header, or an `Origin` that is not allowed.", ...AUTH_LIMIT },
  },
  {
    method: "post",
    path: "/auth/session/register",
    tag: "browser",
    summary: "Browser sign-up",
    description: "Creates the account like `/auth/register`, then answers like `POST /auth/session`.",
    csrf: true,
    body: { schema: RegisterBody },
    ok: { status: 201, description: "Signed up and signed in.", schema: BrowserSessionResponse, noStore: true, setsCookie: true },
    errors: {
      400: "`invalid_request`: validation failed.",
      403: "`forbidden`: no CSRF header, or an `Origin` that is not allowed.",
      409: "`conflict`: an account with this email exists.",
      ...BODY,
      ...AUTH_LIMIT,
    },
  },
  {
    method: "post",
    path: "/auth/session/refresh",
    tag: "browser",
    summary: "Browser silent refresh",
    auth: "refreshCookie",
    csrf: true,
    ok: { status: 200, description: "A new access token; the cookie is rotated.", schema: BrowserRefreshResponse, noStore: true, setsCookie: true },
    errors: {
      401: "`invalid_token`: no cookie, or its session has ended; the cookie is cleared.",
      403: "`forbidden`: no CSRF header, or an `Origin` that is not allowed.",
      ...AUTH_LIMIT,
    },
  },
  {
    method: "get",
    path: "/users/me",
    tag: "account",
    summary: "The signed-in user",
    auth: "bearer",
    ok: { status: 200, description: "The user.", schema: PublicUser },
    errors: { ...BEARER },
  },
  {
    method: "patch",
    path: "/users/me",
    tag: "account",
    summary: "Change the display name",
    auth: "bearer",
    body: { schema: ProfilePatch },
    ok: { status: 200, description: "The updated user.", schema: PublicUser },
    errors: { 400: "`invalid_request`: validation failed.", ...BEARER, ...BODY },
  },
  {
    method: "post",
    path: "/users/me/password",
    tag: "account",
    summary: "Change the password",
    description: "Every other session of the user is revoked. A wrong current password counts as a failed login.",
    auth: "bearer",
    body: { schema: PasswordChange },
    ok: {
      status: 204,
      description: "Changed. An account without a password (signed up with a provider) leaves out `current_password` to set its first one.",
    },
    errors: {
      400: "`invalid_request` (validation, password rules) or `invalid_grant` (wrong current password).",
      429: "`rate_limited`: too many failed attempts; see `Retry-After`.",
      ...BEARER,
      ...BODY,
    },
  },
  {
    method: "get",
    path: "/users/me/identities",
    tag: "account",
    summary: "The provider identities linked to the account",
    auth: "bearer",
    ok: { status: 200, description: "Oldest first.", schema: IdentityList },
    errors: { ...BEARER },
  },
  {
    method: "delete",
    path: "/users/me/identities/:provider",
    tag: "account",
    summary: "Unlink a provider",
    auth: "bearer",
    ok: { status: 204, description: "Unlinked." },
    errors: {
      404: "`not_found`: no identity of this provider is linked.",
      409: "`conflict`: it is the account's only way to sign in (no password, no other provider).",
      ...BEARER,
    },
  },
  {
    method: "get",
    path: "/auth/providers",
    tag: "browser",
    summary: "The configured sign-in providers",
    ok: { status: 200, description: "Only configured ones, for one button each.", schema: ProviderList },
    errors: { ...AUTH_LIMIT },
  },
  {
    method: "get",
    path: "/auth/oauth/:provider/start",
    tag: "browser",
    summary: "Start sign-in with a provider",
    description:
      "Redirects to the provider with state, PKCE (S256) and, for OpenID Connect, a nonce, all bound to this browser by the `__Host-tessera_oauth` cookie (10 minutes). When the provider cannot be reached, redirects to the target with `error=temporarily_unavailable` instead.",
    query: ProviderStartQuery,
    ok: { status: 302, description: "To the provider's authorization endpoint.", setsCookie: true },
    errors: {
      400: "`invalid_request`: `redirect_to` is neither a path nor a URL of an allowed origin.",
      404: "`not_found`: unknown or unconfigured provider.",
      ...AUTH_LIMIT,
    },
  },
  {
    method: "get",
    path: "/auth/oauth/:provider/callback",
    tag: "browser",
    summary: "The provider's redirect back",
    description:
      "Always clears the state cookie. With a good state, always a 302 to the target: on success with the refresh cookie `__Host-tessera_rt` set (then call `POST /auth/session/refresh`), on failure with `error=access_denied|invalid_grant|account_exists|email_required|temporarily_unavailable` in its query. No token ever travels in the URL.",
    ok: { status: 302, description: "To the target.", setsCookie: true },
    errors: {
      400: "`invalid_request`: no state cookie, an expired or altered one, a state that does not match it, or a callback already answered.",
      404: "`not_found`: unknown or unconfigured provider.",
      ...AUTH_LIMIT,
    },
  },
  {
    method: "get",
    path: "/users/me/sessions",
    tag: "account",
    summary: "The user's live sessions",
    auth: "bearer",
    ok: { status: 200, description: "Newest first; `current` marks the caller's.", schema: SessionList },
    errors: { ...BEARER },
  },
  {
    method: "delete",
    path: "/users/me/sessions/:id",
    tag: "account",
    summary: "End one of the user's sessions",
    auth: "bearer",
    ok: { status: 204, description: "Revoked." },
    errors: { 404: "`not_found`: unknown, ended, or another user's session.", ...BEARER },
  },
  {
    method: "get",
    path: "/admin/users",
    tag: "admin",
    summary: "List users",
    description: "Needs the `admin` role and the `admin` scope. Ordered by creation; `email` is a case-insensitive prefix.",
    auth: "bearer",
    query: AdminUserListQuery,
    ok: { status: 200, description: "One page; `next_cursor` is null on the last.", schema: UserPage },
    errors: { 400: "`invalid_request`: a bad `limit` or `cursor`.", 403: "`insufficient_scope`: not an admin token.", ...BEARER },
  },
  {
    method: "post",
    path: "/admin/users",
    tag: "admin",
    summary: "Create a user with a role",
    auth: "bearer",
    body: { schema: AdminUserCreate },
    ok: { status: 201, description: "The new user.", schema: PublicUser },
    errors: {
      400: "`invalid_request`: validation failed.",
      403: "`insufficient_scope`: not an admin token.",
      409: "`conflict`: an account with this email exists.",
      ...BEARER,
      ...BODY,
    },
  },
  {
    method: "get",
    path: "/admin/users/:id",
    tag: "admin",
    summary: "One user",
    auth: "bearer",
    ok: { status: 200, description: "The user.", schema: PublicUser },
    errors: { 403: "`insufficient_scope`: not an admin token.", 404: "`not_found`: no such user.", ...BEARER },
  },
  {
    method: "patch",
    path: "/admin/users/:id",
    tag: "admin",
    summary: "Change a user's role, name, or disable them",
    description: "Disabling or changing the role revokes every session of the user.",
    auth: "bearer",
    body: { schema: AdminUserPatch },
    ok: { status: 200, description: "The updated user.", schema: PublicUser },
    errors: {
      400: "`invalid_request`: validation failed.",
      403: "`insufficient_scope`: not an admin token.",
      404: "`not_found`: no such user.",
      409: "`conflict`: disabling or demoting yourself, or the last enabled admin.",
      ...BEARER,
      ...BODY,
    },
  },
  {
    method: "delete",
    path: "/admin/users/:id",
    tag: "admin",
    summary: "Delete a user",
    auth: "bearer",
    ok: { status: 204, description: "Deleted, with every session." },
    errors: {
      403: "`insufficient_scope`: not an admin token.",
      404: "`not_found`: no such user.",
      409: "`conflict`: deleting yourself, or the last enabled admin.",
      ...BEARER,
    },
  },
  {
    method: "get",
    path: "/admin/clients",
    tag: "admin",
    summary: "List machine clients",
    auth: "bearer",
    ok: { status: 200, description: "Every client, oldest first.", schema: ClientList },
    errors: { ...ADMIN },
  },
  {
    method: "post",
    path: "/admin/clients",
    tag: "admin",
    summary: "Register a machine client",
    description: "The secret is in this answer only; Tessera keeps its SHA-256.",
    auth: "bearer",
    body: { schema: AdminClientCreate },
    ok: { status: 201, description: "The client and its secret.", schema: ClientWithSecret, noStore: true },
    errors: { 400: "`invalid_request`: validation failed, or a scope `ROLE_SCOPES` does not know.", ...ADMIN, ...BODY },
  },
  {
    method: "get",
    path: "/admin/clients/:id",
    tag: "admin",
    summary: "One machine client",
    auth: "bearer",
    ok: { status: 200, description: "The client.", schema: PublicClient },
    errors: { 404: "`not_found`: no such client.", ...ADMIN },
  },
  {
    method: "patch",
    path: "/admin/clients/:id",
    tag: "admin",
    summary: "Rename, change scopes, disable or enable a machine client",
    auth: "bearer",
    body: { schema: AdminClientPatch },
    ok: { status: 200, description: "The updated client.", schema: PublicClient },
    errors: { 400: "`invalid_request`: validation failed, or an unknown scope.", 404: "`not_found`: no such client.", ...ADMIN, ...BODY },
  },
  {
    method: "delete",
    path: "/admin/clients/:id",
    tag: "admin",
    summary: "Delete a machine client",
    auth: "bearer",
    ok: { status: 204, description: "Deleted; its tokens stop introspecting as active." },
    errors: { 404: "`not_found`: no such client.", ...ADMIN },
  },
  {
    method: "post",
    path: "/admin/clients/:id/secret",
    tag: "admin",
    summary: "Rotate a machine client's secret",
    description: "The previous secret keeps working for `CLIENT_SECRET_OVERLAP` seconds.",
    auth: "bearer",
    ok: { status: 200, description: "The client and its new secret.", schema: ClientWithSecret, noStore: true },
    errors: { 404: "`not_found`: no such client.", 409: "`conflict`: another rotation of the same secret finished first; rotate again.", ...ADMIN },
  },
  {
    method: "delete",
    path: "/admin/users/:id/sessions",
    tag: "admin",
    summary: "Sign a user out everywhere",
    auth: "bearer",
    ok: { status: 204, description: "Every session of the user is revoked." },
    errors: { 403: "`insufficient_scope`: not an admin token.", 404: "`not_found`: no such user.", ...BEARER },
  },
];
