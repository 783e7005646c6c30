import type { AuditSink } from "../audit/audit-log.js";
import type { AccountRow } from "../db/schema.js";
import { AppError, notFound } from "../errors.js";
import { UUID_PATTERN } from "../ids.js";
import type { SessionService } from "../sessions/session-service.js";
import type { Role } from "../verify/roles.js";
import { decodeUserCursor, encodeUserCursor } from "./admin-user-cursor.js";
import type { AccountPatch, UserService } from "./user-service.js";

/** Who administers: a signed-in admin (self-protection applies) or the operator at the CLI. */
export type AdminActor = { kind: "admin"; userId: string } | { kind: "operator" };

export interface UserChange {
  role?: Role;
  disabled?: boolean;
  name?: string | null;
}

export interface UserPage {
  users: AccountRow[];
  nextCursor: string | null;
}

export interface AdminUsers {
  list(query: { limit: number; cursor?: string; emailPrefix?: string }): Promise<UserPage>;
  create(input: { email: string; password: string; name: string | null; role: Role }, actor: AdminActor): Promise<AccountRow>;
  /** 404 for an unknown or malformed id. */
  get(id: string): Promise<AccountRow>;
  /** Disabling and role changes revoke every session of the user. */
  update(id: string, change: UserChange, actor: AdminActor): Promise<AccountRow>;
  remove(id: string, actor: AdminActor): Promise<void>;
  /** Revokes every session of the user; returns how many were live. */
  revokeSessions(id: string, actor: AdminActor): Promise<number>;
}

const noSuchUser = () => notFound("No such user.");
const selfProtected = () => new AppError("conflict", 409, "Admins cannot disable, demote or delete their own account.");
const lastAdmin = () => new AppError("conflict", 409, "The last enabled admin cannot be disabled, demoted or deleted.");

function by(actor: AdminActor): string {
  return actor.kind === "admin" ? actor.userId : "cli";
}

function isSelf(actor: AdminActor, user: AccountRow): boolean {
  return actor.kind === "admin" && actor.userId === user.id;
}

/**
 * User administration shared by `/admin/*` and the `tessera` CLI: paging,
 * the self-protection and last-admin rules, and the session revocation and
 * audit trail that go with disabling, deleting and role changes.
 *
 * @example
 * const admin = createAdminUsers(app.services);
 * await admin.update(userId, { disabled: true }, { kind: "admin", userId: me.id });
 */
export function createAdminUsers(s: { users: UserService; sessions: SessionService; audit: AuditSink; clock: { now(): number } }): AdminUsers {
  async function load(id: string): Promise<AccountRow> {
    const user = UUID_PATTERN.test(id) ? await s.users.findById(id) : undefined;
    if (!user) throw noSuchUser();
    return user;
  }

  /** A write refused by the last-admin guard, or lost to a concurrent delete. */
  async function refused(id: string): Promise<AppError> {
    return (await s.users.findById(id)) ? lastAdmin() : noSuchUser();
  }

  return {
    async list({ limit, cursor, emailPrefix }) {
      const afterId = cursor === undefined ? undefined : decodeUserCursor(cursor);
      // One extra row tells whether another page exists, so the last page says `null`.
      const rows = await s.users.list({ limit: limit + 1, afterId, emailPrefix });
      const users = rows.slice(0, limit);
      const last = users[users.length - 1];
      return { users, nextCursor: rows.length > limit && last ? encodeUserCursor(last.id) : null };
    },

    async create(input, actor) {
      const user = await s.users.create(input);
      s.audit({ type: "user_created", user_id: user.id, by: by(actor), role: user.role });
      return user;
    },

    get: load,

    async update(id, change, actor) {
      const user = await load(id);
      const roleChanges = change.role !== undefined && change.role !== user.role;
      const disabling = change.disabled === true && user.disabled_at === null;
      const enabling = change.disabled === false && user.disabled_at !== null;
      // An admin's own role can only change downwards, so any change is a demotion.
      if (isSelf(actor, user) && (roleChanges || change.disabled === true)) throw selfProtected();

      const patch: AccountPatch = {};
      if (change.name !== undefined && change.name !== user.name) patch.name = change.name;
      if (roleChanges) patch.role = change.role;
      if (disabling) patch.disabled_at = s.clock.now();
      if (enabling) patch.disabled_at = null;
      if (Object.keys(patch).length === 0) return user;

      const mayRemoveAdmin = disabling || (roleChanges && change.role !== "admin");
      const updated = mayRemoveAdmin ? await s.users.updateKeepingAnAdmin(id, patch) : await s.users.update(id, patch);
      if (!updated) throw await refused(id);

      if (disabling) s.audit({ type: "user_disabled", user_id: id, by: by(actor) });
      if (enabling) s.audit({ type: "user_enabled", user_id: id, by: by(actor) });
      if (roleChanges) s.audit({ type: "role_changed", user_id: id, by: by(actor), from: user.role, to: updated.role });
      // New tokens must carry the new role, and a disabled user keeps nothing.
      if (disabling || roleChanges) await s.sessions.revokeAllOfUser(id, disabling ? "user_disabled" : "role_changed");
      return updated;
    },

    async remove(id, actor) {
      const user = await load(id);
      if (isSelf(actor, user)) throw selfProtected();
      if (user.role === "admin" && user.disabled_at === null && (await s.users.countEnabledAdmins()) <= 1) throw lastAdmin();
      // Revoke first: should the delete fail, the user is signed out rather than left half-removed.
      await s.sessions.revokeAllOfUser(id, "user_deleted");
      if (!(await s.users.removeKeepingAnAdmin(id))) throw await refused(id);
      s.audit({ type: "user_deleted", user_id: id, by: by(actor) });
    },

    async revokeSessions(id) {
      const user = await load(id);
      return s.sessions.revokeAllOfUser(user.id, "revoked_by_admin");
    },
  };
}
