import * as v from "valibot";
import { ROLES } from "../verify/roles.js";

/**
 * The shapes the API answers with, as valibot schemas for the OpenAPI document. Responses are
 * built by the mappers (toPublicUser, toPublicSession, …); test/openapi.test.ts checks real
 * responses against these schemas so the two cannot drift apart.
 */

const Timestamp = v.pipe(v.string(), v.isoTimestamp());

export const ErrorBody = v.object({
  error: v.string(),
  error_description: v.string(),
  issues: v.optional(v.array(v.object({ path: v.string(), message: v.string() }))),
});

export const PublicUser = v.object({
  id: v.pipe(v.string(), v.uuid()),
  email: v.pipe(v.string(), v.email()),
  name: v.nullable(v.string()),
  role: v.picklist(ROLES),
  disabled: v.boolean(),
  email_verified: v.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const Bearer = v.literal("Bearer");

export const TokenResponse = v.object({
  access_token: v.string(),
  token_type: Bearer,
  expires_in: v.pipe(v.number(), v.integer()),
  refresh_token: v.pipe(v.string(), v.startsWith("rt_")),
  scope: v.string(),
});

export const RegisteredResponse = v.object({
  user: PublicUser,
  access_token: v.string(),
  token_type: Bearer,
  expires_in: v.pipe(v.number(), v.integer()),
  refresh_token: v.pipe(v.string(), v.startsWith("rt_")),
});

/** The browser flow: the refresh token travels only in the cookie. */
export const BrowserSessionResponse = v.object({
  access_token: v.string(),
  token_type: Bearer,
  expires_in: v.pipe(v.number(), v.integer()),
  user: PublicUser,
});

export const BrowserRefreshResponse = v.object({
  access_token: v.string(),
  token_type: Bearer,
  expires_in: v.pipe(v.number(), v.integer()),
});

export const SessionList = v.object({
  sessions: v.array(
    v.object({
      id: v.pipe(v.string(), v.uuid()),
      created_at: Timestamp,
      last_used_at: Timestamp,
      user_agent: v.nullable(v.string()),
      current: v.boolean(),
    }),
  ),
});

export const ProviderList = v.object({ providers: v.array(v.object({ id: v.string(), label: v.string() })) });

export const IdentityList = v.object({
  identities: v.array(
    v.object({ provider: v.string(), email: v.nullable(v.string()), created_at: Timestamp, last_used_at: Timestamp }),
  ),
});

export const UserPage = v.object({ users: v.array(PublicUser), next_cursor: v.nullable(v.string()) });

export const Health = v.object({ status: v.picklist(["ok", "unavailable"]) });

export const PublicClient = v.object({
  id: v.pipe(v.string(), v.startsWith("svc_")),
  name: v.string(),
  scopes: v.string(),
  audience: v.nullable(v.string()),
  disabled: v.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_used_at: v.nullable(Timestamp),
});

export const ClientList = v.object({ clients: v.array(PublicClient) });

/** Creation and secret rotation: the secret is in this answer and nowhere else, ever. */
export const ClientWithSecret = v.object({ client: PublicClient, client_secret: v.pipe(v.string(), v.startsWith("cs_")) });

/** client_credentials: no refresh token. */
export const ClientTokenResponse = v.object({
  access_token: v.string(),
  token_type: Bearer,
  expires_in: v.pipe(v.number(), v.integer()),
  scope: v.string(),
});

export const Introspection = v.union([
  v.strictObject({ active: v.literal(false) }),
  v.object({
    active: v.literal(true),
    token_type: v.picklist(["access_token", "refresh_token"]),
    sub: v.string(),
    client_id: v.string(),
    scope: v.string(),
    exp: v.pipe(v.number(), v.integer()),
    iat: v.optional(v.pipe(v.number(), v.integer())),
    iss: v.optional(v.string()),
    aud: v.optional(v.union([v.string(), v.array(v.string())])),
    jti: v.optional(v.string()),
    sid: v.optional(v.string()),
    role: v.optional(v.string()),
  }),
]);

export const AuthorizationServerMetadata = v.object({
  issuer: v.string(),
  token_endpoint: v.pipe(v.string(), v.url()),
  revocation_endpoint: v.pipe(v.string(), v.url()),
  introspection_endpoint: v.pipe(v.string(), v.url()),
  /** Only when tokens are signed with EdDSA or ES256. */
  jwks_uri: v.optional(v.pipe(v.string(), v.url())),
  response_types_supported: v.array(v.string()),
  grant_types_supported: v.array(v.string()),
  token_endpoint_auth_methods_supported: v.array(v.string()),
  revocation_endpoint_auth_methods_supported: v.array(v.string()),
  introspection_endpoint_auth_methods_supported: v.array(v.string()),
  scopes_supported: v.array(v.string()),
});

/** A published public key: Ed25519 (OKP) or P-256 (EC), never a private member. */
const PublicJwk = v.strictObject({
  kty: v.picklist(["OKP", "EC"]),
  crv: v.picklist(["Ed25519", "P-256"]),
  x: v.string(),
  y: v.optional(v.string()),
  kid: v.string(),
  alg: v.picklist(["EdDSA", "ES256"]),
  use: v.literal("sig"),
});

/** `GET /.well-known/jwks.json` (RFC 7517): the current key first, then the previous ones. */
export const JsonWebKeySet = v.object({ keys: v.array(PublicJwk) });
