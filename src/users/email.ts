import * as v from "valibot";
import { MAX_TEXT_LENGTH, wellFormed } from "../schemas/fields.js";

export const MAX_EMAIL_LENGTH = 254;

/** Trim, NFKC, lower-case: `Alice@Example.com` and `alice@example.com` are one account. */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize("NFKC").toLowerCase();
}

/** Valibot schema: a string normalized first, then checked (syntax, at most 254 characters). */
export const EmailSchema = v.pipe(
  v.string("must be a string"),
  wellFormed,
  v.maxLength(MAX_TEXT_LENGTH, "is too long"),
  v.transform(normalizeEmail),
  v.maxLength(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`),
  v.email("must be a valid email address"),
);

/**
 * The account key for a login attempt. A malformed email is not an error
 * here, just a credential that matches nobody: it still goes through the
 * throttle and the dummy hash, so it answers like any other wrong login.
 *
 * @example
 * loginIdentifier(" Alice@Example.com ") // "alice@example.com"
 */
export function loginIdentifier(raw: string): string {
  const parsed = v.safeParse(EmailSchema, raw);
  return parsed.success ? parsed.output : raw.trim().toLowerCase();
}
