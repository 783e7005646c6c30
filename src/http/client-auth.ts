import type { Context } from "hono";
import { AppError, invalidRequest } from "../errors.js";
import { invalidClient, type ClientService } from "../clients/client-service.js";
import type { ClientRow } from "../db/schema.js";

/** Client credentials as a request presented them. */
export interface ClientCredentials {
  id: string;
  secret: string;
  /** `client_secret_basic` or `client_secret_post`: a failed Basic attempt is answered with a Basic challenge. */
  method: "basic" | "post";
}

/** The challenge RFC 6749 §5.2 asks for after failed HTTP Basic client authentication. */
export const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="tessera"' };

// RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded.
function formDecode(part: string): string {
  return decodeURIComponent(part.replaceAll("+", " "));
}

function fromBasic(header: string): ClientCredentials {
  const refuse = () => invalidClient(BASIC_CHALLENGE);
  const encoded = header.slice(6).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw refuse();
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0)));
  } catch {
    throw refuse();
  }
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw refuse();
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), method: "basic" };
  } catch {
    throw refuse(); // malformed percent-encoding
  }
}

/**
 * The client credentials of a request: HTTP Basic (`client_secret_basic`) or `client_id` and
 * `client_secret` in the body (`client_secret_post`); `null` when it carries neither. Both at
 * once is `400 invalid_request` (RFC 6749 §2.3: one method per request).
 *
 * @example
 * const credentials = clientCredentialsOf(c, body);
 */
export function clientCredentialsOf(c: Context, body: { client_id?: string; client_secret?: string }): ClientCredentials | null {
  const header = c.req.header("Authorization");
  const basic = header !== undefined && /^basic /i.test(header);
  const post = body.client_secret !== undefined;
  if (basic && post) throw invalidRequest("Use one client authentication method, not both.");
  if (basic) return fromBasic(header);
  if (post) {
    if (body.client_id === undefined) throw invalidClient();
    return { id: body.client_id, secret: body.client_secret!, method: "post" };
  }
  return null;
}

/**
 * Authenticates the client a request names, if it names one: `null` when it presents no client
 * credentials, the client when they hold, else `401 invalid_client` (with the Basic challenge
 * when Basic was tried).
 *
 * @example
 * const client = await authenticateClient(clients, clientCredentialsOf(c, body), ip);
 */
export async function authenticateClient(
  clients: Pick<ClientService, "authenticate">,
  credentials: ClientCredentials | null,
  ip: string | null,
): Promise<ClientRow | null> {
  if (credentials === null) return null;
  try {
    return await clients.authenticate(credentials.id, credentials.secret, ip);
  } catch (e) {
    if (e instanceof AppError && e.code === "invalid_client" && credentials.method === "basic") throw invalidClient(BASIC_CHALLENGE);
    throw e;
  }
}
