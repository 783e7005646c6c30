// PostgreSQL going away: in the middle of a rotation, and between requests. The answer is a 503
// in the error shape, never a hang, and a rotation is either done or not done at all.
import { describe, expect, it } from "vitest";
import { createTestApp } from "../support/harness.js";
import { createRelay } from "../support/instances.js";
import { adminClient, createPostgresTestDatabase, POSTGRES_URL } from "../support/postgres.js";
import { openPostgresDatabase } from "../../src/node/postgres-database.js";

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the connection is lost in the middle of a refresh rotation", () => {
  it("answers 503 temporarily_unavailable, leaves the rotation undone, and the next refresh works", async () => {
    const database = await createPostgresTestDatabase();
    const t = await createTestApp({ database });
    const { refresh_token } = await t.register();
    const tokenRow = await t.db.selectFrom("refresh_tokens").selectAll().executeTakeFirstOrThrow();

    // Hold the presented token's row, so the rotation's transaction stops at its conditional
    // UPDATE, after it has inserted the successor; then cut that backend's connection.
    const blocker = await adminClient(database.schema);
    await blocker.query("BEGIN");
    await blocker.query("SELECT id FROM refresh_tokens WHERE id = $1 FOR UPDATE", [tokenRow.id]);
    const pending = t.refresh(refresh_token);
    const pid = await waitFor(async () => {
      // Inside a transaction the activity view is read once and kept; ask for a fresh one.
      await blocker.query("SELECT pg_stat_clear_snapshot()");
      const { rows } = await blocker.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      return rows[0]?.pid as number | undefined;
    }, "the rotation to wait on the row lock");
    await blocker.query("SELECT pg_terminate_backend($1)", [pid]);
    const res = await pending;
    await blocker.query("ROLLBACK");

    expect(res.status).toBe(503);
    expect(res.json).toEqual({ error: "temporarily_unavailable", error_description: expect.any(String) });
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(t.errors.map((e) => e.message)).toContain("database unavailable");
    // Not half-done: the successor's insert went with the failed transaction.
    const rows = await t.db.selectFrom("refresh_tokens").selectAll().where("session_id", "=", tokenRow.session_id).execute();
    expect(rows).toEqual([tokenRow]);
    await blocker.end();

    // The pool replaced the lost connection; the same token still rotates, once.
    const again = await t.refresh(refresh_token);
    expect(again.status).toBe(200);
    expect(await t.db.selectFrom("refresh_tokens").select("id").where("session_id", "=", tokenRow.session_id).execute()).toHaveLength(2);
  });
});

describe("the server is unreachable between requests", () => {
  it("health and every database route answer 503 quickly, and recover when it is back", async () => {
    const seeded = await createPostgresTestDatabase();
    const relay = await createRelay();
    await relay.open();
    // The app reaches the same schema through the relay, with a short connect timeout.
    const database = openPostgresDatabase(relay.urlFor(POSTGRES_URL!), { poolSize: 2, schema: seeded.schema, connectTimeoutMs: 1_000 });
    const t = await createTestApp({ database });
    try {
      const { refresh_token, access_token } = await t.register();
      expect((await t.call("GET", "/health")).status).toBe(200);

      await relay.close();
      const started = Date.now();
      const health = await t.call("GET", "/health");
      expect(health.status).toBe(503);
      expect(health.json).toEqual({ status: "unavailable" });
      const refreshed = await t.refresh(refresh_token);
      expect(refreshed.status).toBe(503);
      expect(refreshed.json.error).toBe("temporarily_unavailable");
      const me = await t.call("GET", "/users/me", { token: access_token });
      expect(me.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(10_000);

      await relay.open();
      expect((await t.call("GET", "/health")).status).toBe(200);
      expect((await t.refresh(refresh_token)).status).toBe(200);
    } finally {
      await database.db.destroy();
      await relay.close();
    }
  });
});
