/**
 * The one error type of the service. Every expected failure is an `AppError`
 * with a stable `code` (the public `error` field) and HTTP status; anything
 * else becomes a fixed `server_error` in `onError`.
 *
 * @example
 * throw new AppError("invalid_grant", 400, "The credentials or grant are invalid.");
 */
export type ErrorCode =
  | "invalid_request"
  | "invalid_grant"
  | "invalid_scope"
  | "invalid_client"
  | "unsupported_grant_type"
  | "invalid_token"
  | "insufficient_scope"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "request_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "temporarily_unavailable"
  | "server_error";

export interface ValidationIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly description: string;
  readonly issues?: ValidationIssue[];
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    status: number,
    description: string,
    extra: { issues?: ValidationIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(description);
    this.name = "AppError";
    this.code = code;
    this.status = status;
    this.description = description;
    this.issues = extra.issues;
    this.headers = extra.headers;
  }

  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = { error: this.code, error_description: this.description };
    if (this.issues) body.issues = this.issues;
    return body;
  }
}

/** One text for every failed credential or refresh grant, so failures cannot be told apart. */
export const INVALID_GRANT_DESCRIPTION = "The provided credentials or grant are invalid, expired or revoked.";

export function invalidGrant(): AppError {
  return new AppError("invalid_grant", 400, INVALID_GRANT_DESCRIPTION);
}

export function invalidRequest(description: string, issues?: ValidationIssue[]): AppError {
  return new AppError("invalid_request", 400, description, { issues });
}

export function notFound(description = "The requested resource does not exist."): AppError {
  return new AppError("not_found", 404, description);
}

export function rateLimited(retryAfter: number): AppError {
  return new AppError("rate_limited", 429, "Too many requests; try again later.", {
    headers: { "Retry-After": String(retryAfter) },
  });
}

/** The database cannot be reached right now; nothing was changed halfway (writes are atomic). */
export function temporarilyUnavailable(): AppError {
  return new AppError("temporarily_unavailable", 503, "The service cannot reach its database; try again shortly.", {
    headers: { "Retry-After": "1" },
  });
}

/** Where unexpected errors are logged: a message and redacted fields (never request input). */
export type LogError = (message: string, fields: Record<string, unknown>) => void;
