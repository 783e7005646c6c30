// How the database layer tells an outage from a bug. Runtime-neutral: it reads the `code` and
// `message` that node-postgres, better-sqlite3 and D1 put on their errors, and imports no driver.

// Socket-level failures reaching the database server (Node's system error codes).
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

// PostgreSQL SQLSTATEs meaning "the server is going away or cannot take you now", not "your SQL is wrong":
// 57P01 admin shutdown (also pg_terminate_backend), 57P02 crash shutdown, 57P03 cannot connect now,
// 57014 statement timeout, 53300 too many connections. Class 08 is every connection exception.
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "57014", "53300"]);

// node-postgres raises these as plain Errors without a code.
const DRIVER_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended|Cannot use a pool after calling end)/;

/**
 * Whether `e` says the database cannot be reached or is shutting down, so the request may
 * succeed later (answered `503 temporarily_unavailable`), as opposed to a bug (`500`).
 *
 * @example
 * if (isDatabaseUnavailable(e)) return c.json(temporarilyUnavailable().toJSON(), 503);
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === "string" && DRIVER_MESSAGES.test(message)) return true;
  // Kysely and pg wrap some failures; look one level down.
  const cause = (e as { cause?: unknown }).cause;
  return cause !== undefined && cause !== e && isDatabaseUnavailable(cause);
}
