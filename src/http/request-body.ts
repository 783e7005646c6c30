import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { AppError, invalidRequest, type ValidationIssue } from "../errors.js";

export type BodyKind = "json" | "form";

function tooLarge(limit: number): AppError {
  return new AppError("request_too_large", 413, `The request body must be at most ${limit} bytes.`);
}

// A body stream that fails is the client's doing (it disconnected mid-body): a 4xx that nobody
// reads, not a server error with a stack in the log.
function unreadable(): AppError {
  return invalidRequest("The request body could not be read completely.");
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
    // bodyLimit reads a chunked body whole before calling `next`: only a failure before then is the read's.
    let read = false;
    try {
      return await limit(c, () => {
        read = true;
        return next();
      });
    } catch (e) {
      if (read || e instanceof AppError) throw e;
      throw unreadable();
    }
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
  let bytes: ArrayBuffer;
  try {
    bytes = await c.req.arrayBuffer();
  } catch {
    throw unreadable();
  }
  let text: string;
  try {
    // Decoded here rather than with text(): workerd warns when a form body is read that way, and
    // `fatal` refuses invalid UTF-8 where text() would quietly substitute U+FFFD.
    text = utf8.decode(bytes);
  } catch {
    throw invalidRequest("The request body is not valid UTF-8.");
  }
  if (kind === "form") return parseForm(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest("The request body is not valid JSON.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  // JSON escapes can spell lone surrogates ("\ud800") that valid UTF-8 cannot.
  if (!isWellFormedJson(parsed)) throw invalidRequest(NOT_UNICODE);
  return parsed as Record<string, unknown>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const NOT_UNICODE = "The request body holds text that is not well-formed Unicode.";

// Iterative: a body 16 KiB long can nest 8,000 levels deep, too deep for recursion.
function isWellFormedJson(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (!value.isWellFormed()) return false;
    } else if (Array.isArray(value)) {
      pending.push(...value);
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (!key.isWellFormed()) return false;
        pending.push(item);
      }
    }
  }
  return true;
}

/**
 * `application/x-www-form-urlencoded`, decoded strictly: URLSearchParams turns a percent-encoded
 * byte sequence that is not UTF-8 into U+FFFD, decodeURIComponent refuses it.
 */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replaceAll("+", " "));
      value = eq === -1 ? "" : decodeURIComponent(pair.slice(eq + 1).replaceAll("+", " "));
    } catch {
      throw invalidRequest(NOT_UNICODE);
    }
    // RFC 6749 §3.1: parameters must not be repeated.
    if (key in out) throw invalidRequest(`The parameter "${key}" is repeated.`);
    out[key] = value;
  }
  return out;
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
