import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { argon2Verify } from "hash-wasm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import { loadServiceKeys } from "../src/tokens/service-keys.js";
import { openNodeDatabase, type NodeDatabase } from "../src/node/database.js";
import { basic, claimsOf } from "./support/clients.js";
import { CHEAP_ARGON2, createTestApp, PASSWORD } from "./support/harness.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin/tessera.js");
const MIGRATIONS = readdirSync(join(ROOT, "migrations"))
  .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
  .sort()
  .map((f) => f.replace(/\.sql$/, ""));
const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;

let dir: string;
let dbPath: string;
const openDbs: NodeDatabase[] = [];

beforeAll(() => {
  // The real binary runs built JavaScript; build once. Type errors elsewhere in the tree
  // do not stop tsc from emitting, so the check is that the CLI was built, not tsc's status.
  const started = Date.now();
  const build = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const cli = join(ROOT, "dist/node/cli.js");
  if (!existsSync(cli)) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
  expect(Date.now() - started).toBeGreaterThan(0);
}, 180_000);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tessera-cli-"));
  dbPath = join(dir, "tessera.sqlite");
});

afterEach(async () => {
  await Promise.all(openDbs.splice(0).map(({ db }) => db.destroy()));
  rmSync(dir, { recursive: true, force: true });
});

function tessera(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    input: options.input ?? "",
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", DATABASE_PATH: dbPath, ...CHEAP_ARGON2, ...options.env } as NodeJS.ProcessEnv,
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function openDb(): NodeDatabase {
  const database = openNodeDatabase(dbPath);
  openDbs.push(database);
  return database;
}

function userRow(email: string) {
  return openDb().db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

function auditLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A migrated database with an admin (root@) and a user (bob@) created through the CLI. */
function seed() {
  expect(tessera(["migrate"]).code).toBe(0);
  expect(tessera(["create-user", "--email", "root@example.com", "--role", "admin"], { input: `${PASSWORD}\n` }).code).toBe(0);
  expect(tessera(["create-user", "--email", "bob@example.com", "--role", "user"], { input: `${PASSWORD}\n` }).code).toBe(0);
}

async function signInTwice(email: string) {
  const t = await createTestApp({ database: openDb() });
  for (let i = 0; i < 2; i++) expect((await t.login(email)).status).toBe(200);
  return t;
}

async function sessionsOf(email: string) {
  return openDb().db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(["s.revoked_at", "s.revoke_reason"])
    .where("u.email", "=", email)
    .execute();
}

describe("tessera --help documents the tool and every command", { timeout: 60_000 }, () => {
  it("prints the command list on stdout and exits 0", () => {
    const res = tessera(["--help"]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe("");
    expect(res.stdout.startsWith("Usage: tessera <command> [options]\n")).toBe(true);
    const names = ["migrate", "create-user", "set-role", "disable", "enable", "revoke-sessions", "generate-secret", "generate-key", "hash-password"];
    const clientCommands = ["create-client", "list-clients", "disable-client", "enable-client", "rotate-client-secret"];
    for (const name of [...names, ...clientCommands]) {
      expect(res.stdout).toContain(`\n  ${name} `);
      const help = tessera([name, "--help"]);
      expect(help.code, name).toBe(0);
      expect(help.stdout.startsWith(`Usage: tessera ${name}`)).toBe(true);
    }
    expect(tessera(["help", "disable"]).stdout).toBe(tessera(["disable", "-h"]).stdout);
  });

  it("prints the usage on stderr and exits 2 without a command", () => {
    const res = tessera([]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr.startsWith("Usage: tessera <command> [options]\n")).toBe(true);
  });
});

describe("tessera rejects bad command lines with one line on stderr and exit code 2", { timeout: 60_000 }, () => {
  it.each([
    [["frob"], 'tessera: unknown command "frob"; run `tessera --help`'],
    [["disable", "--emali", "a@example.com"], "tessera: disable: Unknown option '--emali' (see `tessera disable --help`)"],
    [["disable", "--email"], "tessera: disable: Option '--email <value>' argument missing (see `tessera disable --help`)"],
    [["disable", "bob@example.com"], "tessera: disable: Unexpected argument 'bob@example.com' (see `tessera disable --help`)"],
    [["disable"], "tessera: --email is required"],
    [["disable", "--email", "not-an-email"], "tessera: --email must be a valid email address"],
    [["set-role", "--email", "a@example.com", "--role", "root"], "tessera: --role must be one of: viewer, user, admin"],
    [["create-user", "--email", "a@example.com", "--role", "user", "--name", "n".repeat(201)], "tessera: --name must be at most 200 characters"],
    [["create-client", "--scopes", "read"], "tessera: --name is required"],
    [["create-client", "--name", "billing"], "tessera: --scopes is required"],
    [["create-client", "--name", "billing", "--scopes", "  "], "tessera: --scopes must name at least one scope"],
    [["create-client", "--name", "billing", "--scopes", "read", "--audience", ""], "tessera: --audience must not be empty"],
    [["disable-client"], "tessera: --id is required"],
    [["rotate-client-secret", "svc_x"], "tessera: rotate-client-secret: Unexpected argument 'svc_x' (see `tessera rotate-client-secret --help`)"],
    [
      ["create-user", "--email", "a@example.com", "--role", "user", "--password", "hunter2-hunter2"],
      "tessera: passwords are never taken as arguments (shell history, ps); pipe it on stdin or answer the prompt",
    ],
  ])("%j", (args, message) => {
    const res = tessera(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toBe(`${message}\n`);
  });

  it("names the bad variable for a configuration error (exit 1)", () => {
    const res = tessera(["hash-password"], { input: `${PASSWORD}\n`, env: { ARGON2_MEMORY_KIB: "lots" } });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("tessera: configuration error: ARGON2_MEMORY_KIB: must be a whole number\n");
  });
});

describe("tessera migrate", { timeout: 60_000 }, () => {
  it("creates the database, applies every migration once, and is idempotent", async () => {
    const first = tessera(["migrate"]);
    expect(first).toEqual({ code: 0, stdout: `Applied migrations: ${MIGRATIONS.join(", ")}\n`, stderr: "" });
    expect(tessera(["migrate"])).toEqual({ code: 0, stdout: "Database is up to date.\n", stderr: "" });
    expect(await openDb().db.selectFrom("users").selectAll().execute()).toEqual([]);
  });

  it("is required first: other commands refuse a missing database instead of creating one", () => {
    const res = tessera(["disable", "--email", "bob@example.com"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`tessera: no database at ${dbPath}; set DATABASE_PATH or run \`tessera migrate\` first\n`);
    expect(existsSync(dbPath)).toBe(false);
  });
});

describe("tessera create-user", { timeout: 60_000 }, () => {
  it("creates the account from a piped password, hashed with the configured argon2id cost", async () => {
    tessera(["migrate"]);
    const res = tessera(["create-user", "--email", " Ops@Example.com ", "--role", "admin", "--name", "Ops"], { input: `${PASSWORD}\n` });
    expect(res.code).toBe(0);
    const row = (await userRow("ops@example.com"))!;
    expect(res.stdout).toBe(`Created ops@example.com with the role admin (id ${row.id}).\n`);
    expect([row.role, row.name, row.disabled_at]).toEqual(["admin", "Ops", null]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    expect(await argon2Verify({ password: PASSWORD, hash: row.password_hash! })).toBe(true);
    expect(auditLines(res.stderr)).toContainEqual(expect.objectContaining({ type: "user_created", user_id: row.id, by: "cli", role: "admin" }));
    expect(res.stdout + res.stderr).not.toContain(PASSWORD);
    const t = await createTestApp({ database: openDb() });
    expect((await t.login("ops@example.com")).json.scope).toBe("read write delete admin");
  });

  it("keeps every character but the trailing newline (CRLF too)", async () => {
    tessera(["migrate"]);
    const password = "  spaced out password  ";
    expect(tessera(["create-user", "--email", "sp@example.com", "--role", "viewer"], { input: `${password}\r\n` }).code).toBe(0);
    expect(await argon2Verify({ password, hash: (await userRow("sp@example.com"))!.password_hash! })).toBe(true);
  });

  it.each([
    ["", "tessera: no password on stdin (pipe it in, or run in a terminal to be prompted)"],
    ["first line\nsecond line\n", "tessera: the password on stdin must be a single line"],
    ["password123\n", "tessera: The password is too common; choose a less guessable password."],
    ["short\n", "tessera: The password must be at least 8 characters."],
  ])("refuses the piped password %j with exit 1 and creates nothing", async (input, message) => {
    tessera(["migrate"]);
    const res = tessera(["create-user", "--email", "x@example.com", "--role", "user"], { input });
    expect(res).toEqual({ code: 1, stdout: "", stderr: `${message}\n` });
    expect(await userRow("x@example.com")).toBeUndefined();
  });

  it("answers exit 1 for an email that is already registered", () => {
    seed();
    const res = tessera(["create-user", "--email", "BOB@example.com", "--role", "admin"], { input: `${PASSWORD}\n` });
    expect(res).toEqual({ code: 1, stdout: "", stderr: "tessera: An account with this email already exists.\n" });
  });
});

describe("tessera set-role, disable, enable and revoke-sessions", { timeout: 60_000 }, () => {
  it("set-role changes the role and revokes every session", async () => {
    seed();
    await signInTwice("bob@example.com");
    const res = tessera(["set-role", "--email", "bob@example.com", "--role", "viewer"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("bob@example.com: role changed from user to viewer; every session revoked.\n");
    expect((await userRow("bob@example.com"))!.role).toBe("viewer");
    const sessions = await sessionsOf("bob@example.com");
    expect(sessions).toHaveLength(2);
    for (const s of sessions) expect(s).toEqual({ revoked_at: expect.any(Number), revoke_reason: "role_changed" });
    expect(auditLines(res.stderr)).toContainEqual(expect.objectContaining({ type: "role_changed", by: "cli", from: "user", to: "viewer" }));
    expect(tessera(["set-role", "--email", "bob@example.com", "--role", "viewer"]).stdout).toBe(
      "bob@example.com already has the role viewer; nothing changed.\n",
    );
  });

  it("disable revokes every session and blocks sign-in; enable lets the user back in", async () => {
    seed();
    const t = await signInTwice("bob@example.com");
    const disabled = tessera(["disable", "--email", "bob@example.com"]);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toBe("bob@example.com is disabled; every session revoked.\n");
    expect((await userRow("bob@example.com"))!.disabled_at).toEqual(expect.any(Number));
    for (const s of await sessionsOf("bob@example.com")) expect(s.revoke_reason).toBe("user_disabled");
    expect((await t.login("bob@example.com")).status).toBe(400);

    const enabled = tessera(["enable", "--email", "bob@example.com"]);
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toBe("bob@example.com is enabled.\n");
    expect((await userRow("bob@example.com"))!.disabled_at).toBeNull();
    expect((await t.login("bob@example.com")).status).toBe(200);
  });

  it("revoke-sessions signs the user out everywhere and reports how many", async () => {
    seed();
    await signInTwice("bob@example.com");
    const res = tessera(["revoke-sessions", "--email", "bob@example.com"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("bob@example.com: 2 session(s) revoked.\n");
    for (const s of await sessionsOf("bob@example.com")) expect(s.revoke_reason).toBe("revoked_by_admin");
  });

  it("refuses to disable or demote the last enabled admin (exit 1, nothing changed)", async () => {
    seed();
    for (const args of [["disable", "--email", "root@example.com"], ["set-role", "--email", "root@example.com", "--role", "user"]]) {
      const res = tessera(args);
      expect(res).toEqual({ code: 1, stdout: "", stderr: "tessera: The last enabled admin cannot be disabled, demoted or deleted.\n" });
    }
    const root = (await userRow("root@example.com"))!;
    expect([root.role, root.disabled_at]).toEqual(["admin", null]);
  });

  it("answers exit 1 for an unknown email", () => {
    seed();
    for (const command of ["disable", "enable", "revoke-sessions"]) {
      expect(tessera([command, "--email", "nobody@example.com"])).toEqual({
        code: 1,
        stdout: "",
        stderr: "tessera: no user with the email nobody@example.com\n",
      });
    }
  });
});

describe("tessera create-client, list-clients, disable-client, enable-client and rotate-client-secret", { timeout: 60_000 }, () => {
  /** Registers a client through the CLI and reads the id and secret off its labelled lines. */
  function createClient(args: string[] = ["--name", "billing", "--scopes", "read write"], env?: Record<string, string>) {
    const res = tessera(["create-client", ...args], { env });
    expect(res.code).toBe(0);
    const id = /^client_id: +(\S+)$/m.exec(res.stdout)?.[1];
    const secret = /^client_secret: +(\S+)$/m.exec(res.stdout)?.[1];
    return { res, id: id!, secret: secret! };
  }

  async function grant(id: string, secret: string) {
    const t = await createTestApp({ database: openDb() });
    return t.call("POST", "/auth/token", { form: { grant_type: "client_credentials" }, headers: { Authorization: basic(id, secret) } });
  }

  it("create-client prints the id and the secret once, labelled, and stores only the secret's SHA-256", async () => {
    tessera(["migrate"]);
    const { res, id, secret } = createClient(["--name", " orders-bot ", "--scopes", "read  write", "--audience", "orders"]);
    expect(res.stdout).toBe(
      [
        "Created the client orders-bot with the scopes read write.",
        `client_id:     ${id}`,
        `client_secret: ${secret}`,
        "The secret is shown only this once (Tessera keeps only its SHA-256): store it now.",
        "",
      ].join("\n"),
    );
    expect(id).toMatch(/^svc_[A-Za-z0-9_-]{22}$/);
    expect(secret).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(auditLines(res.stderr)).toContainEqual(expect.objectContaining({ type: "client_created", client_id: id }));
    expect(res.stderr).not.toContain(secret);
    const row = (await openDb().db.selectFrom("clients").selectAll().where("id", "=", id).executeTakeFirst())!;
    expect([row.name, row.scopes, row.audience]).toEqual(["orders-bot", "read write", "orders"]);
    expect(row.secret_hash).toBe(createHash("sha256").update(secret).digest("base64url"));
    const issued = await grant(id, secret);
    expect(issued.status).toBe(200);
    expect(claimsOf(issued.json.access_token)).toMatchObject({ sub: id, aud: "orders", scope: "read write" });
  });

  it("create-client refuses a scope ROLE_SCOPES does not know (exit 2, nothing stored)", async () => {
    tessera(["migrate"]);
    const res = tessera(["create-client", "--name", "x", "--scopes", "read launch"]);
    expect(res).toEqual({ code: 2, stdout: "", stderr: "tessera: --scopes not a scope of ROLE_SCOPES: launch\n" });
    expect(await openDb().db.selectFrom("clients").selectAll().execute()).toEqual([]);
    expect(tessera(["create-client", "--name", "x", "--scopes", "launch"], { env: { ROLE_SCOPES: '{"viewer":"read","user":"read","admin":"read launch"}' } }).code).toBe(0);
  });

  it("list-clients shows each client on one line, never a secret", async () => {
    tessera(["migrate"]);
    expect(tessera(["list-clients"])).toEqual({ code: 0, stdout: "No clients.\n", stderr: "" });
    const a = createClient();
    const b = createClient(["--name", "orders-bot", "--scopes", "read", "--audience", "orders"]);
    expect((await grant(a.id, a.secret)).status).toBe(200);
    const res = tessera(["list-clients"]);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +NAME +SCOPES +AUDIENCE +STATUS +LAST USED$/);
    expect(lines[1]).toMatch(new RegExp(`^${a.id} +billing +read write +\\(JWT_AUDIENCE\\) +enabled +\\d{4}-\\d\\d-\\d\\dT`));
    expect(lines[2]).toMatch(new RegExp(`^${b.id} +orders-bot +read +orders +enabled +never$`));
    expect(res.stdout).not.toContain(a.secret);
  });

  it("disable-client stops the grant and enable-client restores it; both say when nothing changes", async () => {
    tessera(["migrate"]);
    const { id, secret } = createClient();
    const disabled = tessera(["disable-client", "--id", id]);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toBe(`${id} (billing) is disabled: it gets no new tokens, and introspection calls its tokens inactive.\n`);
    expect(auditLines(disabled.stderr)).toContainEqual(expect.objectContaining({ type: "client_disabled", client_id: id }));
    expect((await grant(id, secret)).status).toBe(401);
    expect(tessera(["disable-client", "--id", id]).stdout).toBe(`${id} (billing) is already disabled; nothing changed.\n`);
    expect(tessera(["enable-client", "--id", id]).stdout).toBe(`${id} (billing) is enabled.\n`);
    expect((await grant(id, secret)).status).toBe(200);
    expect(tessera(["enable-client", "--id", id]).stdout).toBe(`${id} (billing) is already enabled; nothing changed.\n`);
  });

  it("rotate-client-secret prints the new secret once and how long the old one keeps working", async () => {
    tessera(["migrate"]);
    const { id, secret: old } = createClient();
    const res = tessera(["rotate-client-secret", "--id", id], { env: { CLIENT_SECRET_OVERLAP: "600" } });
    expect(res.code).toBe(0);
    const fresh = /^client_secret: +(\S+)$/m.exec(res.stdout)![1]!;
    expect(fresh).not.toBe(old);
    const lines = res.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      `New secret for ${id} (billing).`,
      `client_id:     ${id}`,
      `client_secret: ${fresh}`,
      "The secret is shown only this once (Tessera keeps only its SHA-256): store it now.",
    ]);
    const until = /^The previous secret keeps working until (\S+) \(600 seconds, CLIENT_SECRET_OVERLAP\)\.$/.exec(lines[4]!);
    expect(until).not.toBeNull();
    expect(Math.abs(Date.parse(until![1]!) - (Date.now() + 600_000))).toBeLessThan(20_000);
    expect((await grant(id, old)).status).toBe(200);
    expect((await grant(id, fresh)).status).toBe(200);

    const now = tessera(["rotate-client-secret", "--id", id], { env: { CLIENT_SECRET_OVERLAP: "0" } });
    expect(now.stdout).toContain("\nThe previous secret no longer works (CLIENT_SECRET_OVERLAP is 0).\n");
    expect((await grant(id, fresh)).status).toBe(401);
  });

  it("answers exit 1 for an unknown id", () => {
    tessera(["migrate"]);
    for (const command of ["disable-client", "enable-client", "rotate-client-secret"]) {
      expect(tessera([command, "--id", `svc_${"A".repeat(22)}`])).toEqual({
        code: 1,
        stdout: "",
        stderr: `tessera: no client with the id svc_${"A".repeat(22)}\n`,
      });
    }
  });
});

describe("tessera generate-secret", { timeout: 60_000 }, () => {
  it("prints 32 fresh random bytes as base64url, usable as JWT_SECRET", () => {
    const a = tessera(["generate-secret"]);
    const b = tessera(["generate-secret"]);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe("");
    expect(a.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(Buffer.from(a.stdout.trim(), "base64url")).toHaveLength(32);
    expect(b.stdout).not.toBe(a.stdout);
    expect(parseConfig({ JWT_SECRET: a.stdout.trim(), NODE_ENV: "production" }).jwt.secret).toBe(a.stdout.trim());
  });
});

describe("tessera generate-key", { timeout: 60_000 }, () => {
  it.each(["EdDSA", "ES256"] as const)("prints a new %s private key that the service signs with, and its public JWK on stderr", async (alg) => {
    const res = tessera(["generate-key", "--alg", alg]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
    const publicJwk = JSON.parse(res.stderr.replace(/^public key: /, ""));
    expect(publicJwk).toMatchObject({ alg, use: "sig", kid: expect.any(String) });
    expect(publicJwk).not.toHaveProperty("d");
    const config = parseConfig({ NODE_ENV: "production", JWT_SECRET: "cli-test-secret-that-is-long-enough-0123456", JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: res.stdout });
    const { ring, jwks } = await loadServiceKeys({ ...config.jwt, secrets: [config.jwt.secret] });
    expect(ring.signing.kid).toBe(publicJwk.kid);
    expect(jwks!.keys[0]).toEqual(publicJwk);
    expect(tessera(["generate-key", "--alg", alg]).stdout).not.toBe(res.stdout);
  });

  it("prints a private JWK with --format jwk, EdDSA by default", async () => {
    const res = tessera(["generate-key", "--format", "jwk"]);
    expect(res.code).toBe(0);
    const jwk = JSON.parse(res.stdout);
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", d: expect.any(String) });
    expect(parseConfig({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: res.stdout }).jwt.privateKey).toEqual({ format: "jwk", jwk });
  });

  it("refuses HS256 and unknown formats as usage errors", () => {
    expect(tessera(["generate-key", "--alg", "HS256"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "tessera: --alg must be EdDSA or ES256 (HS256 uses a secret: tessera generate-secret)\n",
    });
    expect(tessera(["generate-key", "--format", "der"]).stderr).toBe("tessera: --format must be pem or jwk\n");
  });
});

describe("tessera hash-password", { timeout: 60_000 }, () => {
  it("prints an argon2id PHC hash with the configured parameters and nothing else", async () => {
    const res = tessera(["hash-password"], { input: `${PASSWORD}\n`, env: { ARGON2_MEMORY_KIB: "128", ARGON2_ITERATIONS: "2" } });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe("");
    expect(res.stdout).toMatch(/^\$argon2id\$v=19\$m=128,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+\n$/);
    expect(await argon2Verify({ password: PASSWORD, hash: res.stdout.trim() })).toBe(true);
    expect(existsSync(dbPath)).toBe(false);
  });

  it("applies the password rules", () => {
    const res = tessera(["hash-password"], { input: "password123\n" });
    expect(res).toEqual({ code: 1, stdout: "", stderr: "tessera: the password is too common; choose a less guessable password\n" });
  });
});

describe.skipIf(!HAS_SCRIPT)("tessera prompts for the password on a terminal without echoing it", { timeout: 60_000 }, () => {
  /** Runs the CLI on a pseudo-terminal (`script`) and types each answer once its prompt is up. */
  function onTerminal(command: string, answers: string[]): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn("script", ["-qec", `${process.execPath} ${BIN} ${command}`, "/dev/null"], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", DATABASE_PATH: dbPath, ...CHEAP_ARGON2 } as NodeJS.ProcessEnv,
      });
      const prompts = ["Password: ", "Repeat password: "];
      let out = "";
      let typed = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        while (typed < answers.length && out.includes(prompts[typed]!)) {
          child.stdin.write(`${answers[typed]}\r`);
          typed++;
        }
      });
      child.on("error", reject);
      child.on("close", () => resolvePromise(out));
      setTimeout(() => child.kill(), 30_000).unref();
    });
  }

  it("asks twice, hides the typing and hashes what was typed", async () => {
    const out = await onTerminal("hash-password", [PASSWORD, PASSWORD]);
    expect(out).toContain("Password: ");
    expect(out).toContain("Repeat password: ");
    expect(out).not.toContain(PASSWORD);
    const hash = /\$argon2id\$[^\s]+/.exec(out)![0];
    expect(await argon2Verify({ password: PASSWORD, hash })).toBe(true);
  });

  it("refuses two different answers", async () => {
    const out = await onTerminal("hash-password", [PASSWORD, "something else entirely"]);
    expect(out).toContain("tessera: the passwords do not match");
    expect(out).not.toContain("$argon2id$");
  });
});
