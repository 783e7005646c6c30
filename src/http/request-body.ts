import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { AppError, invalidRequest, type ValidationIssue } from "../errors.js";

export type BodyKind = "json" | "form";

function tooLarge(limit: number): AppError {
  return new AppError("request_too_large", 413, `The request body must be at most ${limit} bytes.`);
}

/**
 * hono's `bodyLimit` (which also counts chunked bodies), plus a refusal of
 * a non-numeric `Content-Length`, which `bodyLimit` would otherwise wave through.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge(maxBytes);
    },
  });
  return async function limitBodyMiddleware(c, next) {
    const length = c.req.header("Content-Length");
    if (length !== undefined && !/^\d+$/.test(length.trim())) throw invalidRequest("Content-Length is not a number.");
    // The same decisions bodyLimit makes from headers alone, taken before it touches
    // `c.req.raw.body`: on Node that access alone builds a full web Request and stream.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    if (length !== undefined && c.req.header("Transfer-Encoding") === undefined) {
      if (Number(length) > maxBytes) throw tooLarge(maxBytes);
      return next();
    }
    return limit(c, next);
  };
}

function mediaType(c: Context): string {
  return (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Reads a JSON (or, where allowed, form-urlencoded) body as a plain object.
 * Anything else is 415; malformed JSON or a non-object is 400.
 */
export async function readBody(c: Context, accept: readonly BodyKind[]): Promise<Record<string, unknown>> {
  const type = mediaType(c);
  const kind: BodyKind | undefined =
    type === "application/json" ? "json" : type === "application/x-www-form-urlencoded" ? "form" : undefined;
  if (kind === undefined || !accept.includes(kind)) {
    const allowed = accept.map((k) => (k === "json" ? "application/json" : "application/x-www-form-urlencoded"));
    throw new AppError("unsupported_media_type", 415, `The request body must be ${allowed.join(" or ")}.`);
  }
  // Decode bytes ourselves: workerd warns when a form body is read with text().
  const text = new TextDecoder().decode(await c.req.arrayBuffer());
  if (kind === "form") {
    const params = new URLSearchParams(text);
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, value] of params) {
      // RFC 6749 §3.1: parameters must not be repeated.
      if (key in out) throw invalidRequest(`The parameter "${key}" is repeated.`);
      out[key] = value;
    }
    return out;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest("The request body is not valid JSON.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

function issuesOf(issues: readonly v.BaseIssue<unknown>[]): ValidationIssue[] {
  return issues.slice(0, 10).map((issue) => ({
    path: issue.path?.map((p) => String(p.key)).join(".") ?? "",
    message: issue.message,
  }));
}

/** Validates with valibot; 400 `invalid_request` with `issues` on failure. */
export function validate<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (!result.success) throw invalidRequest("The request is invalid.", issuesOf(result.issues));
  return result.output;
}
