import type { Context } from "hono";
import type { ClientContext } from "../auth/sign-in.js";

/** Finds the client's IP for a request; the runtime's entry file knows how (socket, proxy header, CF-Connecting-IP). */
export type ClientIp = (c: Context) => string | null;

/** Who is asking, as sessions and rate limits record it. The user agent is cut to 512 characters. */
export function clientContext(clientIp: ClientIp, c: Context): ClientContext {
  return { ip: clientIp(c), userAgent: c.req.header("User-Agent")?.slice(0, 512) ?? null };
}
