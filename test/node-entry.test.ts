import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, openDatabase, readMigrationFiles } from "../src/node/database.js";
import { splitStatements } from "../src/db/migrations.js";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("migrations", () => {
  it("apply the same SQL files wrangler uses, idempotently", async () => {
    const db = openDatabase(":memory:");
    const first = await migrateToLatest(db);
    expect(first).toEqual(readMigrationFiles().map((f) => f.name.replace(/\.sql$/, "")));
    expect(await migrateToLatest(db)).toEqual([]);
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["users", "sessions", "refresh_tokens", "rate_limits"]));
    await db.destroy();
  });

  it("split statements on ';' line ends and drop comments", () => {
    expect(splitStatements("-- c;\nCREATE TABLE a (x INT); -- t\nCREATE INDEX i ON a (x);\n")).toEqual([
      "CREATE TABLE a (x INT)",
      "CREATE INDEX i ON a (x)",
    ]);
  });
});

describe("the Node entry (npm start) serves a real listening server", () => {
  let child: ChildProcess;
  let base: string;
  let dir: string;
  let output = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-node-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ["--import", "tsx", "src/node/main.ts"], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATABASE_PATH: join(dir, "nested", "tessera.sqlite"),
        ARGON2_MEMORY_KIB: "1024",
        ARGON2_ITERATIONS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server did not start:\n${output}`);
  });

  afterAll(() => {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("registers, logs in and refreshes over HTTP, with migrations applied and a dev-secret warning", async () => {
    const post = (path: string, body: string, type: string) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": type }, body });
    const reg = await post("/auth/register", JSON.stringify({ email: "node@example.com", password: "a long enough passphrase" }), "application/json");
    expect(reg.status).toBe(201);
    const login = await post("/auth/token", "grant_type=password&username=node%40example.com&password=a+long+enough+passphrase", "application/x-www-form-urlencoded");
    expect(login.status).toBe(200);
    const { refresh_token, access_token } = await login.json();
    const refreshed = await post("/auth/token", `grant_type=refresh_token&refresh_token=${refresh_token}`, "application/x-www-form-urlencoded");
    expect(refreshed.status).toBe(200);
    const me = await fetch(`${base}/users/me`, { headers: { Authorization: `Bearer ${access_token}` } });
    expect((await me.json()).email).toBe("node@example.com");
    expect(output).toContain("migrations applied");
    expect(output).toMatch(/WARNING: JWT_SECRET is not set/);
    expect(output).not.toContain("a long enough passphrase");
  });

  it("shuts down gracefully on SIGTERM with exit code 0", async () => {
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("shutting down");
  });
});

describe("the Node entry refuses a bad configuration", () => {
  /** Runs `npm start`'s entry to its exit; its stderr and exit code. */
  async function start(env: Record<string, string>) {
    const child = spawn(process.execPath, ["--import", "tsx", "src/node/main.ts"], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { code, stderr };
  }

  it("exits non-zero with one line naming the variable", async () => {
    const { code, stderr } = await start({ NODE_ENV: "production" });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("tessera: configuration error: JWT_SECRET: required in production (at least 32 bytes)");
  });

  it("says the same of a bootstrap admin it cannot create, found once the database is open", async () => {
    const { code, stderr } = await start({
      JWT_SECRET: "node-entry-secret-that-is-long-enough-0123",
      DATABASE_PATH: ":memory:",
      ARGON2_MEMORY_KIB: "64",
      ARGON2_ITERATIONS: "1",
      BOOTSTRAP_ADMIN_EMAIL: "root@example.com",
      BOOTSTRAP_ADMIN_PASSWORD: "password123",
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "tessera: configuration error: BOOTSTRAP_ADMIN_PASSWORD: The password is too common; choose a less guessable password.",
    );
  });

  it("says the same of a signing key that does not import, before it listens", async () => {
    // Looks like PKCS#8 (so configuration parsing takes it) but holds no key: only the import finds out.
    const { code, stderr } = await start({
      NODE_ENV: "production",
      JWT_SECRET: "node-entry-secret-that-is-long-enough-0123",
      JWT_ALGORITHM: "EdDSA",
      JWT_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
      DATABASE_PATH: ":memory:",
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("tessera: configuration error: JWT_PRIVATE_KEY: not a valid EdDSA private key");
  });
});
