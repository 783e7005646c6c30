import * as v from "valibot";

export const MAX_EMAIL_LENGTH = 254;

/** Trim, NFKC, lower-case: `Alice@Example.com` and `alice@example.com` are one account. */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize("NFKC").toLowerCase();
}

/** Valibot schema: a string normalized first, then checked (syntax, at most 254 characters). */
export const EmailSchema = v.pipe(
  v.string("must be a string"),
  v.maxLength(1024, "is too long"),
  v.transform(normalizeEmail),
  v.maxLength(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`),
  v.email("must be a valid email address"),
);
