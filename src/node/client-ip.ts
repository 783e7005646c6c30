import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";

/**
 * The client's IP on Node: the socket's address, or, behind a trusted proxy
 * (`TRUST_PROXY`), the last `X-Forwarded-For` entry — the one our own proxy
 * appended, which a client cannot forge.
 */
export function nodeClientIp(trustProxy: boolean): (c: Context) => string | null {
  return function clientIp(c) {
    if (trustProxy) {
      const forwarded = c.req.header("X-Forwarded-For");
      const last = forwarded?.split(",").map((s) => s.trim()).filter((s) => s !== "").pop();
      if (last) return last.slice(0, 64);
    }
    try {
      return getConnInfo(c).remote.address ?? null;
    } catch {
      return null; // app.request() in tests has no socket
    }
  };
}
