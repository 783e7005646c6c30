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

export const UserPage = v.object({ users: v.array(PublicUser), next_cursor: v.nullable(v.string()) });

export const Health = v.object({ status: v.picklist(["ok", "unavailable"]) });
