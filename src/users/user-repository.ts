import type { ExpressionBuilder, Kysely } from "kysely";
import { prepareQuery } from "../db/prepared-query.js";
import type { Database, NewUserRow, UserRow, UserTable } from "../db/schema.js";
import { serializedWrite, WRITE_LOCKS } from "../db/serialized-write.js";

// The only module that writes `users`. Functions take `db` first and own all SQL.

/** Inserts a user; `false` when the email is already taken. */
export async function insertUser(db: Kysely<Database>, row: NewUserRow): Promise<boolean> {
  const result = await db
    .insertInto("users")
    .values(row)
    .onConflict((oc) => oc.column("email").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

// Compiled once: every login looks its user up by email.
const userByEmail = prepareQuery<Database, "email", UserRow>(["email"], (db, p) =>
  db.selectFrom("users").selectAll().where("email", "=", p.email),
);

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.executeQuery(userByEmail(db)({ email }));
  return rows[0];
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export type UserPatch = Partial<Pick<UserTable, "name" | "role" | "disabled_at" | "password_hash">>;

/**
 * Applies `patch`; with `keepAnAdmin`, refuses (answers `undefined`) when the
 * change would demote or disable the last enabled admin, decided inside the
 * statement so concurrent changes cannot both win.
 */
export async function updateUser(
  db: Kysely<Database>,
  id: string,
  patch: UserPatch,
  now: number,
  options: { keepAnAdmin?: boolean } = {},
): Promise<UserRow | undefined> {
  const update = (db: Kysely<Database>) => db.updateTable("users").set({ ...patch, updated_at: now }).where("id", "=", id);
  if (!options.keepAnAdmin) return update(db).returningAll().executeTakeFirst();
  return serializedWrite(db, WRITE_LOCKS.enabledAdmins, (tx) => update(tx).where(leavesAnEnabledAdmin(id)).returningAll().executeTakeFirst());
}

/** Replaces a hash only if it is still the one we verified (a concurrent change wins). */
export async function replacePasswordHash(
  db: Kysely<Database>,
  id: string,
  previousHash: string,
  newHash: string,
  now: number,
): Promise<void> {
  await db
    .updateTable("users")
    .set({ password_hash: newHash, updated_at: now })
    .where("id", "=", id)
    .where("password_hash", "=", previousHash)
    .execute();
}

/** Sets a password only where there is none; `false` when the account has one (or is gone). */
export async function setFirstPasswordHash(db: Kysely<Database>, id: string, hash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("users")
    .set({ password_hash: hash, updated_at: now })
    .where("id", "=", id)
    .where("password_hash", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks the email verified (keeping the first time it was). */
export async function markEmailVerified(db: Kysely<Database>, id: string, now: number): Promise<UserRow | undefined> {
  return db
    .updateTable("users")
    .set((eb) => ({ email_verified_at: eb.fn.coalesce("email_verified_at", eb.val(now)), updated_at: now }))
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function countEnabledAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("role", "=", "admin")
    .where("disabled_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of users in id order (UUIDv7, so creation order), after `cursor`. */
export async function listUsers(
  db: Kysely<Database>,
  options: { limit: number; afterId?: string; emailPrefix?: string },
): Promise<UserRow[]> {
  let query = db.selectFrom("users").selectAll().orderBy("id", "asc").limit(options.limit);
  if (options.afterId !== undefined) query = query.where("id", ">", options.afterId);
  if (options.emailPrefix !== undefined && options.emailPrefix !== "") {
    // Emails are stored lower-cased; a range scan avoids LIKE wildcards in user input.
    query = query.where("email", ">=", options.emailPrefix).where("email", "<", `${options.emailPrefix}\u{10FFFF}`);
  }
  return query.execute();
}

/**
 * Matches the target row only if the write cannot remove the last enabled
 * admin: it is not an enabled admin, or another enabled admin exists. Part
 * of the same statement, so two admins demoting each other cannot both win
 * (SQLite and D1 run one statement at a time; on PostgreSQL the callers
 * also hold the `enabledAdmins` lock, since the statement reads other rows).
 */
function leavesAnEnabledAdmin(id: string) {
  return (eb: ExpressionBuilder<Database, "users">) =>
    eb.or([
      eb("role", "!=", "admin"),
      eb("disabled_at", "is not", null),
      eb.exists(
        eb
          .selectFrom("users as other")
          .select("other.id")
          .where("other.id", "!=", id)
          .where("other.role", "=", "admin")
          .where("other.disabled_at", "is", null),
      ),
    ]);
}

/** Deletes a user unless they are the last enabled admin (then `false`). */
export async function deleteUserKeepingAnAdmin(db: Kysely<Database>, id: string): Promise<boolean> {
  // RETURNING, not the affected-row count: D1 counts the cascaded sessions and tokens too.
  const deleted = await serializedWrite(db, WRITE_LOCKS.enabledAdmins, (tx) =>
    tx.deleteFrom("users").where("id", "=", id).where(leavesAnEnabledAdmin(id)).returning("id").executeTakeFirst(),
  );
  return deleted !== undefined;
}
