import commonPasswords from "./common-passwords.json" with { type: "json" };

export const MAX_PASSWORD_CODE_POINTS = 256;

// The 1,000 most frequent passwords of 8+ characters in the zxcvbn corpus (MIT);
// shorter ones already fail the length rule. Kept short for the Workers bundle.
const COMMON = new Set((commonPasswords as string[]).map((p) => p.toLowerCase()));

/** NFC, so the same password typed on different keyboards hashes the same. Never truncated. */
export function normalizePassword(password: string): string {
  return password.normalize("NFC");
}

/**
 * Why a new password is refused, or `null` when it is acceptable (NIST SP
 * 800-63B: length and a blocklist, no composition rules).
 *
 * @example
 * passwordProblem("password123", 8) // "is too common"
 */
export function passwordProblem(password: string, minLength: number): string | null {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < minLength) return `must be at least ${minLength} characters`;
  if (length > MAX_PASSWORD_CODE_POINTS) return `must be at most ${MAX_PASSWORD_CODE_POINTS} characters`;
  if (COMMON.has(normalized.toLowerCase())) return "is too common; choose a less guessable password";
  return null;
}
