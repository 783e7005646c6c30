import type { AccountRow } from "../db/schema.js";
import { notFound } from "../errors.js";
import type { SessionService } from "../sessions/session-service.js";
import type { UserService } from "./user-service.js";

/** What signed-in users do to their own account, where it takes more than one module. */
export interface OwnAccount {
  /** Checks the current password (a failed login when wrong; `null` sets a first password), sets the new one, ends every other session. */
  changePassword(
    who: { userId: string; sessionId: string | null },
    current: string | null,
    next: string,
    ip: string | null,
  ): Promise<void>;
  /** Sets or clears (`null`) the display name. */
  rename(userId: string, name: string | null): Promise<AccountRow>;
}

/**
 * @example
 * const account = createOwnAccount({ users, sessions });
 * await account.changePassword({ userId, sessionId }, current, next, ip);
 */
export function createOwnAccount(deps: { users: UserService; sessions: SessionService }): OwnAccount {
  const { users, sessions } = deps;
  return {
    async changePassword({ userId, sessionId }, current, next, ip) {
      await users.changePassword(userId, current, next, ip);
      // Whoever knew the old password is signed out everywhere but here.
      await sessions.revokeAllOfUser(userId, "password_changed", sessionId ?? undefined);
    },
    async rename(userId, name) {
      const updated = await users.update(userId, { name });
      if (!updated) throw notFound();
      return updated;
    },
  };
}
