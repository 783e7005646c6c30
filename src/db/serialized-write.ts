import { PostgresAdapter, sql, type Kysely } from "kysely";

/** Writes that must not interleave with each other, named once so every caller takes the same lock. */
export const WRITE_LOCKS = {
  /** Demoting, disabling or deleting an admin: the last-admin check reads rows the write does not touch. */
  enabledAdmins: 1,
  /** Unlinking an identity: the "not the only way to sign in" check reads the user's other identities. */
  signInMethods: 2,
} as const;

export type WriteLock = (typeof WRITE_LOCKS)[keyof typeof WRITE_LOCKS];

// The first key of the two-key advisory lock space, so these never collide with the migration lock.
const TESSERA_LOCK_SPACE = 0x7465_7373;

/**
 * Runs `write` so that no other write under the same `lock` runs at the same time, in this
 * process or any other. Needed where a statement's condition reads rows it does not write (the
 * last-admin check): under PostgreSQL's READ COMMITTED two such statements would each see the
 * other's row unchanged and both succeed. There, `write` runs in a transaction that first takes
 * `pg_advisory_xact_lock`, so its statements see everything committed before the lock was
 * granted. SQLite and D1 run one write at a time, so `write` runs on `db` as it is.
 *
 * @example
 * const row = await serializedWrite(db, WRITE_LOCKS.enabledAdmins, (tx) => demote(tx, id));
 */
export async function serializedWrite<DB, T>(db: Kysely<DB>, lock: WriteLock, write: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return write(db);
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${TESSERA_LOCK_SPACE}, ${lock})`.execute(tx);
    return write(tx);
  });
}
