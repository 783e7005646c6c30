// During a rolling deploy, the new release migrates the database under instances still running
// the old one. An added column must not break them: statements prepared on their connections
// keep working (only statements that name their columns are prepared).
import { describe, expect, it } from "vitest";
import { createTestApp } from "../support/harness.js";
import { adminClient, createPostgresTestDatabase } from "../support/postgres.js";

describe("a column added under a running instance", () => {
  it("leaves its logins, refreshes and account reads working on the same connections", async () => {
    const database = await createPostgresTestDatabase({ poolSize: 1 });
    const t = await createTestApp({ database });
    const { refresh_token } = await t.register();
    for (let i = 0; i < 2; i++) expect((await t.login()).status).toBe(200);

    const client = await adminClient(database.schema);
    await client.query("ALTER TABLE users ADD COLUMN nickname TEXT");
    await client.query("ALTER TABLE sessions ADD COLUMN device TEXT");
    await client.end();

    const login = await t.login();
    expect(login.status).toBe(200);
    expect((await t.refresh(refresh_token)).status).toBe(200);
    expect((await t.call("GET", "/users/me", { token: login.json.access_token })).status).toBe(200);
    expect((await t.call("GET", "/users/me/sessions", { token: login.json.access_token })).status).toBe(200);
  });
});
