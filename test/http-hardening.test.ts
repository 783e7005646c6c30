import { describe, expect, it } from "vitest";
import { createTestApp, PASSWORD } from "./support/harness.js";

function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 1024) controller.enqueue(bytes.subarray(i, i + 1024));
      controller.close();
    },
  });
}

describe("bad input gets a 4xx in the documented shape, never a 500", () => {
  it("malformed JSON is 400 invalid_request", async () => {
    const t = await createTestApp();
    const res = await t.app.request("/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{bad" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toEqual({ error: "invalid_request", error_description: expect.any(String) });
  });

  it("a JSON array or scalar body is 400", async () => {
    const t = await createTestApp();
    for (const body of ["[]", "42", "null", '"x"']) {
      const res = await t.app.request("/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body });
      expect(res.status).toBe(400);
    }
  });

  it("a wrong or missing content type is 415 unsupported_media_type", async () => {
    const t = await createTestApp();
    const text = await t.app.request("/auth/register", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "{}" });
    expect(text.status).toBe(415);
    expect((await text.json()).error).toBe("unsupported_media_type");
    const none = await t.app.request("/auth/register", { method: "POST", body: "{}" });
    expect(none.status).toBe(415);
    const form = await t.call("POST", "/auth/register", { form: { email: "a@example.com", password: PASSWORD } });
    expect(form.status).toBe(415);
    const multipart = await t.app.request("/auth/token", { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=x" }, body: "--x--" });
    expect(multipart.status).toBe(415);
  });

  it("a body over 16 KiB is 413 request_too_large, also when chunked without Content-Length", async () => {
    const t = await createTestApp();
    const big = JSON.stringify({ email: "a@example.com", password: "x".repeat(20_000) });
    const declared = await t.app.request("/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: big });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error).toBe("request_too_large");
    const streamed = await t.app.request("/auth/register", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
      body: chunked(big),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await t.db.selectFrom("users").selectAll().execute()).toHaveLength(0);
  });

  it("a non-numeric Content-Length is 400", async () => {
    const t = await createTestApp();
    const res = await t.app.request("/auth/register", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": "abc" },
      body: "{}",
    });
    expect(res.status).toBe(400);
  });

  it("__proto__ and constructor keys are harmless", async () => {
    const t = await createTestApp();
    const body = `{"email":"p@example.com","password":"${PASSWORD}","__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}}}`;
    const res = await t.app.request("/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    expect(res.status).toBe(201);
    expect((await res.json()).user.role).toBe("user");
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it("deeply nested JSON is rejected cheaply with a 4xx", async () => {
    const t = await createTestApp();
    const deep = "[".repeat(8000) + "]".repeat(8000);
    const res = await t.app.request("/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":${deep}}` });
    expect(res.status).toBe(400);
  });

  it("unknown paths answer 404 JSON", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/nope");
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: "not_found", error_description: expect.any(String) });
  });

  it("an unexpected failure is a fixed 500 server_error with no internal detail, logged without secrets", async () => {
    const t = await createTestApp();
    await t.register();
    await t.db.schema.dropTable("refresh_tokens").execute();
    const res = await t.login();
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: "server_error", error_description: "The server encountered an unexpected condition." });
    expect(res.text).not.toMatch(/refresh_tokens|SQLITE|at \w+ \(/);
    expect(t.errors).toHaveLength(1);
    expect(JSON.stringify(t.errors)).not.toContain(PASSWORD);
  });
});

describe("every response carries the security headers", () => {
  it.each(["/health", "/nope"])("%s", async (path) => {
    const t = await createTestApp();
    const res = await t.app.request(path);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d+/);
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
  });

  it("also on errors from the verify middleware", async () => {
    const t = await createTestApp();
    const res = await t.app.request("/users/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
