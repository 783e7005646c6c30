import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bootstrapAdmin } from "../src/bootstrap-admin.js";
import { ConfigError } from "../src/config.js";
import { createHashWasmHasher } from "../src/passwords/hash-wasm-hasher.js";
import { CHEAP_ARGON2, createTestApp, createTestDatabase, PASSWORD } from "./support/harness.js";

const BOOTSTRAP_PASSWORD = "bootstrap-pw-5b8e1c7f";
const env = { BOOTSTRAP_ADMIN_EMAIL: " Root@Example.com ", BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_PASSWORD };

let output: string[];

beforeEach(() => {
  output = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(" ")));
  }
});
afterEach(() => vi.restoreAllMocks());

describe("bootstrap admin creates the first admin from the environment", () => {
  it("creates an enabled admin that can sign in with the configured password", async () => {
    const t = await createTestApp({ env });
    expect(await bootstrapAdmin(t.app.services, t.config)).toBe("created");
    const admin = (await t.app.services.users.findByEmail("root@example.com"))!;
    expect([admin.role, admin.disabled_at]).toEqual(["admin", null]);
    expect(output).toEqual([JSON.stringify({ level: "info", message: "bootstrap admin created", user_id: admin.id })]);
    expect(t.audit).toContainEqual({ type: "user_created", user_id: admin.id, by: "bootstrap", role: "admin" });
    const login = await t.login("root@example.com", BOOTSTRAP_PASSWORD);
    expect(login.status).toBe(200);
    expect(login.json.scope).toBe("read write delete admin");
  });

  it("does nothing when either variable is missing", async () => {
    for (const partial of [{ BOOTSTRAP_ADMIN_EMAIL: "root@example.com" }, { BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_PASSWORD }]) {
      const t = await createTestApp({ env: partial });
      expect(await bootstrapAdmin(t.app.services, t.config)).toBe("skipped");
      expect(await t.app.services.users.list({ limit: 10 })).toEqual([]);
    }
  });
});

describe("bootstrap admin is idempotent", () => {
  it("skips on every later start, even after the password variable changes", async () => {
    const database = await createTestDatabase();
    const first = await createTestApp({ database, env });
    expect(await bootstrapAdmin(first.app.services, first.config)).toBe("created");
    const again = await createTestApp({ database, env: { ...env, BOOTSTRAP_ADMIN_PASSWORD: "another-password-9f2" } });
    expect(await bootstrapAdmin(again.app.services, again.config)).toBe("skipped");
    expect(await bootstrapAdmin(again.app.services, again.config)).toBe("skipped");
    const users = await again.app.services.users.list({ limit: 10 });
    expect(users.map((u) => [u.email, u.role])).toEqual([["root@example.com", "admin"]]);
    expect((await again.login("root@example.com", BOOTSTRAP_PASSWORD)).status).toBe(200);
  });

  it("skips when another admin already exists", async () => {
    const t = await createTestApp({ env });
    await t.app.services.users.create({ email: "boss@example.com", password: PASSWORD, name: null, role: "admin" });
    expect(await bootstrapAdmin(t.app.services, t.config)).toBe("skipped");
    expect(await t.app.services.users.findByEmail("root@example.com")).toBeUndefined();
  });

  it("creates exactly one admin when several processes start at once", async () => {
    const database = await createTestDatabase();
    const apps = await Promise.all([1, 2, 3].map(() => createTestApp({ database, env })));
    const results = await Promise.all(apps.map((t) => bootstrapAdmin(t.app.services, t.config)));
    expect(results.sort()).toEqual(["created", "skipped", "skipped"]);
    expect(await apps[0]!.app.services.users.countEnabledAdmins()).toBe(1);
  });
});

describe("bootstrap admin refuses bad input as a configuration error, without revealing the password", () => {
  it("stops start-up when the email belongs to a non-admin account, without hashing anything", async () => {
    const hasher = createHashWasmHasher({ memoryKiB: Number(CHEAP_ARGON2.ARGON2_MEMORY_KIB), iterations: 1, parallelism: 1 });
    const hashes = vi.spyOn(hasher, "hash");
    const t = await createTestApp({ env, passwords: hasher });
    await t.app.services.users.create({ email: "root@example.com", password: PASSWORD, name: null, role: "user" });
    hashes.mockClear();
    const error = await bootstrapAdmin(t.app.services, t.config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      "BOOTSTRAP_ADMIN_EMAIL belongs to an existing account that is not an enabled admin; fix it with `tessera set-role` or `tessera enable`",
    );
    expect(hashes).not.toHaveBeenCalled();
    expect((await t.app.services.users.findByEmail("root@example.com"))!.role).toBe("user");
  });

  it("names the variable for a password that breaks the rules, never the value", async () => {
    const weak = "password123";
    const t = await createTestApp({ env: { ...env, BOOTSTRAP_ADMIN_PASSWORD: weak } });
    const error = await bootstrapAdmin(t.app.services, t.config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe("BOOTSTRAP_ADMIN_PASSWORD: The password is too common; choose a less guessable password.");
    expect((error as ConfigError).message).not.toContain(weak);
    expect(await t.app.services.users.list({ limit: 10 })).toEqual([]);
  });

  it("never writes the password to the console, the audit log or the error log", async () => {
    const t = await createTestApp({ env });
    await bootstrapAdmin(t.app.services, t.config);
    await bootstrapAdmin(t.app.services, t.config);
    const everything = [...output, JSON.stringify(t.audit), JSON.stringify(t.errors)].join("\n");
    expect(output.length).toBeGreaterThan(0);
    expect(everything).not.toContain(BOOTSTRAP_PASSWORD);
    expect(everything).not.toContain("$argon2id$");
  });
});
