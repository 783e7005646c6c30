// Runtime-neutral (Node and workerd): no Buffer, no Node modules.
import { decodeJwt } from "jose";

/**
 * RFC 6749 §2.3.1: each part form-urlencoded, then `id:secret` in base64.
 *
 * @example
 * headers: { Authorization: basic(id, secret) }
 */
export function basic(id: string, secret: string): string {
  const form = (s: string) => encodeURIComponent(s).replaceAll("%20", "+");
  return `Basic ${btoa(`${form(id)}:${form(secret)}`)}`;
}

/** The payload of a JWT, unverified (for asserting what was issued). */
export const claimsOf = (token: string) => decodeJwt(token) as Record<string, any>;
