// Checks that read rows their write does not touch: the last-admin guard, and "not the only way
// to sign in" when unlinking an identity. Under PostgreSQL's READ COMMITTED, two such writes
// whose statements start before either commits would each see the other's row unchanged; the
// advisory lock they take makes the second start after the first commits. Each case holds both
// target rows from another connection so both writes are in flight together.
import { describe, expect, it } from "vitest";
import { uuidv7 } from "../../src/ids.js";
import { insertIdentity } from "../../src/identities/identity-repository.js";
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

describe("a password-less user's last two identities unlinked at the same moment on PostgreSQL", () => {
  it("exactly one unlink wins; the user keeps a way to sign in", async () => {
    const database = await createPostgresTestDatabase();
    const t = await createTestApp({ database });
    const user = (await t.app.services.users.createFromProvider({ email: "two@example.com", name: null, emailVerified: true }))!;
    const now = Date.now();
    for (const provider of ["google", "github"]) {
      await insertIdentity(t.db, { id: uuidv7(now), user_id: user.id, provider, subject: `${provider}-1`, email: null, created_at: now, last_used_at: now });
    }

    const blocker = await adminClient(database.schema);
    await blocker.query("BEGIN");
    await blocker.query("SELECT id FROM identities WHERE user_id = $1 FOR UPDATE", [user.id]);
    const results = Promise.allSettled(["google", "github"].map((p) => t.app.services.identities.unlink(user.id, p)));
    await waitForLockWaits(blocker, 2);
    await blocker.query("COMMIT");
    await blocker.end();

    const settled = await results;
    expect(settled.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((settled.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ code: "conflict", status: 409 });
    expect(await t.app.services.identities.listOfUser(user.id)).toHaveLength(1);
  });
});
