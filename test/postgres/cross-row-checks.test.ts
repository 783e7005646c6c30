// The last-admin guard reads rows its write does not touch. Under PostgreSQL's READ COMMITTED,
// two demotions whose statements start before either commits would each see the other admin
// still enabled; the advisory lock they take makes the second start after the first commits.
import { describe, expect, it } from "vitest";
import { createAdminUsers } from "../../src/users/admin-users.js";
import { createTestApp, PASSWORD } from "../support/harness.js";
import { adminClient, createPostgresTestDatabase } from "../support/postgres.js";

async function waitForLockWaits(client: Awaited<ReturnType<typeof adminClient>>, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    // Inside a transaction the activity view is read once and kept; ask for a fresh one.
    await client.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    );
    if (rows[0].n >= count) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${count} statements waiting on a lock`);
}

describe("two admins demoted at the same moment on PostgreSQL", () => {
  it.each([
    ["demote and disable", { role: "user" as const }, { disabled: true }],
    ["demote and demote", { role: "viewer" as const }, { role: "user" as const }],
  ])("%s: exactly one wins, one enabled admin remains", async (_name, first, second) => {
    const database = await createPostgresTestDatabase();
    const t = await createTestApp({ database });
    const users = t.app.services.users;
    const root = await users.create({ email: "root@example.com", password: PASSWORD, name: null, role: "admin" });
    const other = await users.create({ email: "other@example.com", password: PASSWORD, name: null, role: "admin" });
    const admin = createAdminUsers(t.app.services);
    const operator = { kind: "operator" } as const;

    // Hold both rows so both changes are in flight together before either can commit.
    const blocker = await adminClient(database.schema);
    await blocker.query("BEGIN");
    await blocker.query("SELECT id FROM users WHERE id IN ($1, $2) FOR UPDATE", [root.id, other.id]);
    const results = Promise.allSettled([admin.update(root.id, first, operator), admin.update(other.id, second, operator)]);
    await waitForLockWaits(blocker, 2);
    await blocker.query("COMMIT");
    await blocker.end();

    const settled = await results;
    expect(settled.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = settled.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: "conflict", status: 409 });
    expect(await users.countEnabledAdmins()).toBe(1);
  });
});
