import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { createHashWasmHasher } from "../src/passwords/hash-wasm-hasher.js";
import { CHEAP_ARGON2, createTestDatabase, PASSWORD, TEST_SECRET } from "./support/harness.js";

describe("logs never contain a password, token, hash or the secret", () => {
  afterEach(() => vi.restoreAllMocks());

  it("captures every log line of a full flow, including audit events and an error", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.spyOn(console, "error").mockImplementation(capture);
    vi.spyOn(console, "warn").mockImplementation(capture);
    vi.spyOn(console, "info").mockImplementation(capture);

    const config = parseConfig({ JWT_SECRET: TEST_SECRET, ...CHEAP_ARGON2 });
    const { db, writeBatch } = await createTestDatabase();
    // Default sinks: audit to console.log, errors to console.error.
    const app = createApp({ db, writeBatch, config, passwords: createHashWasmHasher(config.argon2) });
    const post = (path: string, body: Record<string, string>, type = "json", token?: string) =>
      app.request(path, {
        method: "POST",
        headers: {
          "Content-Type": type === "json" ? "application/json" : "application/x-www-form-urlencoded",
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: type === "json" ? JSON.stringify(body) : new URLSearchParams(body).toString(),
      });

    const reg = await (await post("/auth/register", { email: "log@example.com", password: PASSWORD })).json();
    const wrong = "a wrong password typed";
    await post("/auth/token", { grant_type: "password", username: "log@example.com", password: wrong }, "form");
    await post("/auth/token", { grant_type: "password", username: PASSWORD, password: PASSWORD }, "form");
    const login = await (await post("/auth/token", { grant_type: "password", username: "log@example.com", password: PASSWORD }, "form")).json();
    const rotated = await (await post("/auth/token", { grant_type: "refresh_token", refresh_token: login.refresh_token }, "form")).json();
    await post("/auth/token", { grant_type: "refresh_token", refresh_token: reg.refresh_token }, "form");
    await app.request("/auth/token", { method: "POST" }); // 415
    await post("/users/me/password", { current_password: PASSWORD, new_password: "another long passphrase" }, "json", rotated.access_token);
    await post("/auth/logout", {}, "json", rotated.access_token);
    // Dependants first: PostgreSQL refuses to drop a table another one references.
    await db.schema.dropTable("refresh_tokens").execute();
    await db.schema.dropTable("sessions").execute();
    await post("/auth/token", { grant_type: "refresh_token", refresh_token: rotated.refresh_token }, "form"); // 500

    const hashes = (await db.selectFrom("users").select("password_hash").execute()).map((r) => r.password_hash!);
    const log = lines.join("\n");
    expect(lines.length).toBeGreaterThan(3);
    expect(log).toContain("login_failed");
    expect(log).toContain("password_changed");
    expect(log).toContain("unhandled error");
    for (const secret of [
      PASSWORD,
      wrong,
      "another long passphrase",
      TEST_SECRET,
      reg.access_token,
      reg.refresh_token,
      login.refresh_token,
      rotated.refresh_token,
      rotated.access_token,
      ...hashes,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toMatch(/\$argon2id\$/);
    expect(log).not.toMatch(/rt_[A-Za-z0-9_-]{43}/);
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });
});
