import * as v from "valibot";
import { EmailSchema, MAX_EMAIL_LENGTH, normalizeEmail } from "../users/email.js";
import { MAX_TEXT_LENGTH, OptionalName, OptionalText, RequiredText, RoleField, wellFormed } from "./fields.js";

/**
 * Every request body and query the API validates, in one place: the routes validate with these,
 * and the OpenAPI document (src/openapi/) is generated from the very same schemas.
 */

/** Sign-up: `/auth/register` and the browser flow's `/auth/session/register`. */
export const RegisterBody = v.object({ email: EmailSchema, password: RequiredText, name: OptionalName });

/** Read first on `/auth/token`, to pick the grant's own schema. */
export const GrantType = v.object({ grant_type: v.pipe(v.string("is required"), v.minLength(1, "is required")) });
export const PasswordGrant = v.object({ username: RequiredText, password: RequiredText, scope: OptionalText, client_id: OptionalText });
export const RefreshGrant = v.object({ refresh_token: RequiredText, client_id: OptionalText });
/** `client_id` and `client_secret` here are `client_secret_post`; HTTP Basic is the other way. */
export const ClientCredentialsGrant = v.object({ scope: OptionalText, client_id: OptionalText, client_secret: OptionalText });

/** RFC 7009: an access token may be up to 8 KiB, like an Authorization header. */
export const RevokeBody = v.object({
  token: v.pipe(v.string("is required"), wellFormed, v.maxLength(8192, "is too long")),
  token_type_hint: OptionalText,
  client_id: OptionalText,
  client_secret: OptionalText,
});

/** RFC 7662: the same shape as revocation; the caller must authenticate as a client. */
export const IntrospectBody = RevokeBody;

const ScopeName = v.pipe(v.string(), wellFormed, v.regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be scope names"));
/** Scopes as the client object shows them (a space-separated string), or as a JSON array of names. */
const ScopeList = v.pipe(
  v.union(
    [
      v.pipe(v.string(), wellFormed, v.maxLength(MAX_TEXT_LENGTH, "is too long"), v.transform((s) => s.split(" ").filter((x) => x !== ""))),
      v.pipe(v.array(ScopeName), v.maxLength(100, "has too many scopes")),
    ],
    "must be a space-separated string of scopes, or an array of them",
  ),
  v.minLength(1, "must name at least one scope"),
);
const ClientName = v.pipe(v.string("is required"), wellFormed, v.trim(), v.minLength(1, "is required"), v.maxLength(200, "must be at most 200 characters"));

export const AdminClientCreate = v.object({
  name: ClientName,
  scopes: ScopeList,
  audience: v.optional(v.nullable(v.pipe(v.string("must be a string"), wellFormed, v.trim(), v.minLength(1, "must not be empty"), v.maxLength(200, "is too long")))),
});

export const AdminClientPatch = v.object({
  name: v.optional(ClientName),
  scopes: v.optional(ScopeList),
  disabled: v.optional(v.boolean("must be true or false")),
});

export const SessionLogin = v.object({ email: RequiredText, password: RequiredText });

export const ProfilePatch = v.object({ name: OptionalName });
/** `current_password` may be left out only by an account without a password (its first one). */
export const PasswordChange = v.object({ current_password: v.optional(RequiredText), new_password: RequiredText });

const WHOLE_1_TO_100 = "must be a whole number from 1 to 100";

export const AdminUserListQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, WHOLE_1_TO_100),
      v.transform(Number),
      v.minValue(1, WHOLE_1_TO_100),
      v.maxValue(100, WHOLE_1_TO_100),
    ),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), wellFormed, v.maxLength(MAX_TEXT_LENGTH, "is too long"))),
  // Normalized like stored emails, so the prefix match is case-insensitive.
  email: v.optional(
    v.pipe(
      v.string(),
      wellFormed,
      v.maxLength(MAX_TEXT_LENGTH, "is too long"),
      v.transform(normalizeEmail),
      v.maxLength(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`),
    ),
  ),
});

export const AdminUserCreate = v.object({ email: EmailSchema, password: RequiredText, name: OptionalName, role: RoleField });

export const AdminUserPatch = v.object({
  role: v.optional(RoleField),
  disabled: v.optional(v.boolean("must be true or false")),
  name: OptionalName,
});

/** `redirect_to`: a path starting with one `/`, or a URL of an allowed origin (checked by the flow). */
export const ProviderStartQuery = v.object({ redirect_to: v.optional(v.pipe(v.string(), v.maxLength(2048, "is too long"))) });
