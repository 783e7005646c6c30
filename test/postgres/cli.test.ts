// The operator CLI on DATABASE_URL: it migrates PostgreSQL, refuses a database behind on
// migrations, and administers users there as it does on SQLite.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHEAP_ARGON2, PASSWORD } from "../support/harness.js";
import { createEmptyDatabase } from "../support/instances.js";

let database: Awaited<ReturnType<typeof createEmptyDatabase>>;

beforeAll(async () => {
  database = await createEmptyDatabase();
});

afterAll(async () => {
  await database?.drop();
});

function tessera(args: string[], input = "") {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/node/cli.ts", ...args], {
    input,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", DATABASE_URL: database.url, ...CHEAP_ARGON2 } as NodeJS.ProcessEnv,
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the tessera CLI with DATABASE_URL", () => {
  it("refuses an unmigrated database, migrates it once, then administers users and clients in it", () => {
    const early = tessera(["list-clients"]);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain("the database at DATABASE_URL has 4 pending migration(s); run `tessera migrate` first");
    expect(early.stderr).not.toContain(database.url);

    expect(tessera(["migrate"]).stdout).toContain("Applied migrations: 0001_init, 0002_rate_limits, 0003_clients, 0004_identities");
    expect(tessera(["migrate"]).stdout).toContain("Database is up to date.");

    expect(tessera(["create-user", "--email", "ops@example.com", "--role", "admin"], `${PASSWORD}\n`).code).toBe(0);
    expect(tessera(["create-user", "--email", "ops@example.com", "--role", "admin"], `${PASSWORD}\n`).code).not.toBe(0);
    expect(tessera(["set-role", "--email", "ops@example.com", "--role", "user"]).code).not.toBe(0); // the last admin
    expect(tessera(["create-client", "--name", "billing", "--scopes", "read"]).code).toBe(0);
    const listed = tessera(["list-clients"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("billing");
  });
});
