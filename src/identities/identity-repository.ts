import type { Kysely } from "kysely";
import type { Database, IdentityRow } from "../db/schema.js";
import { serializedWrite, WRITE_LOCKS } from "../db/serialized-write.js";

// The only module that writes `identities` and `oauth_used_states`. Functions take `db` first.

export async function findIdentity(db: Kysely<Database>, provider: string, subject: string): Promise<IdentityRow | undefined> {
  return db.selectFrom("identities").selectAll().where("provider", "=", provider).where("subject", "=", subject).executeTakeFirst();
}

/** Inserts an identity; `false` when `(provider, subject)` or `(user, provider)` is already linked. */
export async function insertIdentity(db: Kysely<Database>, row: IdentityRow): Promise<boolean> {
  const result = await db.insertInto("identities").values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function touchIdentity(db: Kysely<Database>, id: string, email: string | null, now: number): Promise<void> {
  await db.updateTable("identities").set({ last_used_at: now, email }).where("id", "=", id).execute();
}

export async function listIdentitiesOfUser(db: Kysely<Database>, userId: string): Promise<IdentityRow[]> {
  return db.selectFrom("identities").selectAll().where("user_id", "=", userId).orderBy("created_at").orderBy("id").execute();
}

/**
 * Unlinks the user's identity of `provider` unless it is their only way to sign in (no password
 * and no other identity); `false` when nothing was deleted. The check is part of the statement,
 * and on PostgreSQL runs under the `signInMethods` lock: two unlinks of a user's last two
 * identities would otherwise each see the other still there.
 */
export async function deleteIdentityKeepingASignIn(db: Kysely<Database>, userId: string, provider: string): Promise<boolean> {
  // RETURNING, not the affected-row count, as for users: D1's count is not the rows of this table alone.
  const deleted = await serializedWrite(db, WRITE_LOCKS.signInMethods, (tx) =>
    tx
      .deleteFrom("identities")
      .where("user_id", "=", userId)
      .where("provider", "=", provider)
      .where((eb) =>
        eb.or([
          eb.exists(eb.selectFrom("identities as other").select("other.id").where("other.user_id", "=", userId).where("other.provider", "!=", provider)),
          eb.exists(eb.selectFrom("users").select("users.id").where("users.id", "=", userId).where("users.password_hash", "is not", null)),
        ]),
      )
      .returning("id")
      .executeTakeFirst(),
  );
  return deleted !== undefined;
}

/**
 * Records a callback's state as used; `false` when it already was (a replay). Expired rows are
 * swept on the way, so the table holds at most ten minutes of states.
 */
export async function markStateUsed(db: Kysely<Database>, stateHash: string, expiresAt: number, now: number): Promise<boolean> {
  await db.deleteFrom("oauth_used_states").where("expires_at", "<", now).execute();
  const result = await db
    .insertInto("oauth_used_states")
    .values({ state_hash: stateHash, expires_at: expiresAt })
    .onConflict((oc) => oc.column("state_hash").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}
