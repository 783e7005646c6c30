import type { Kysely } from "kysely";
import type { AuditSink } from "../audit/audit-log.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { AccountRow, Database, UserRow } from "../db/schema.js";
import { AppError, invalidGrant, invalidRequest } from "../errors.js";
import { uuidv7 } from "../ids.js";
import type { PasswordHasher } from "../passwords/password-hasher.js";
import { normalizePassword, passwordProblem } from "../passwords/password-policy.js";
import type { LoginThrottle } from "../ratelimit/login-throttle.js";
import type { Role } from "../verify/roles.js";
import * as repo from "./user-repository.js";

/** Accounts. Answers `AccountRow`s: the password hash never leaves this module. */
export interface UserService {
  /** Creates an account; 409 when the email is taken, 400 when the password breaks the rules. */
  create(input: { email: string; password: string; name: string | null; role: Role }): Promise<AccountRow>;
  /** Creates a password-less account for a provider-proven identity; `undefined` when the email is taken. */
  createFromProvider(input: { email: string; name: string | null; emailVerified: boolean }): Promise<AccountRow | undefined>;
  /** Records that a provider vouched for the account's email. */
  markEmailVerified(id: string): Promise<AccountRow | undefined>;
  /** Whether the account can sign in with a password. */
  hasPassword(id: string): Promise<boolean>;
  /** Checks credentials with rate limits first and equal cost for unknown emails; `invalid_grant` on any failure. */
  authenticate(email: string, password: string, ip: string | null): Promise<AccountRow>;
  /**
   * Verifies the current password (a failed login if wrong) and stores the new one. With
   * `current` `null`, sets a first password, only for an account that has none (else `invalid_request`).
   */
  changePassword(userId: string, current: string | null, next: string, ip: string | null): Promise<void>;
  findById(id: string): Promise<AccountRow | undefined>;
  /** Looks up an already-normalized email. */
  findByEmail(email: string): Promise<AccountRow | undefined>;
  update(id: string, patch: AccountPatch): Promise<AccountRow | undefined>;
  /** Like `update`, but `undefined` when it would demote or disable the last enabled admin (atomic). */
  updateKeepingAnAdmin(id: string, patch: AccountPatch): Promise<AccountRow | undefined>;
  /** Deletes the user; `false` when they are the last enabled admin (atomic). */
  removeKeepingAnAdmin(id: string): Promise<boolean>;
  list(options: { limit: number; afterId?: string; emailPrefix?: string }): Promise<AccountRow[]>;
  countEnabledAdmins(): Promise<number>;
  hasAdmin(): Promise<boolean>;
}

/** What may change on an account from outside this module: everything but the password. */
export type AccountPatch = Omit<repo.UserPatch, "password_hash">;

export interface UserServiceDeps {
  db: Kysely<Database>;
  config: Config;
  clock: Clock;
  passwords: PasswordHasher;
  throttle: LoginThrottle;
  audit: AuditSink;
}

/**
 * The only writer of `users`.
 *
 * @example
 * const user = await users.authenticate("alice@example.com", "correct horse", ip);
 */
export function createUserService(deps: UserServiceDeps): UserService {
  const { db, config, clock, passwords, throttle, audit } = deps;
  let dummyHash: Promise<string> | undefined;

  const account = (row: UserRow): AccountRow => {
    const { password_hash: _hash, ...rest } = row;
    return rest;
  };
  const accountOrUndefined = (row: UserRow | undefined) => (row === undefined ? undefined : account(row));

  function checkNewPassword(password: string, field: string): string {
    const problem = passwordProblem(password, config.passwordMinLength);
    if (problem) throw invalidRequest(`The ${field} ${problem}.`, [{ path: field, message: problem }]);
    return normalizePassword(password);
  }

  async function verifyOrDummy(user: UserRow | undefined, password: string): Promise<boolean> {
    if (user?.password_hash) return passwords.verify(user.password_hash, password);
    // Unknown email: spend the same time as a wrong password so timing does not reveal accounts.
    dummyHash ??= passwords.hash(`dummy:${crypto.randomUUID()}`);
    await passwords.verify(await dummyHash, password);
    return false;
  }

  async function rehashIfNeeded(user: UserRow, password: string): Promise<void> {
    if (!user.password_hash || !passwords.needsRehash(user.password_hash)) return;
    const fresh = await passwords.hash(password);
    await repo.replacePasswordHash(db, user.id, user.password_hash, fresh, clock.now());
  }

  /** Inserts a new account; `undefined` when the email is taken. */
  async function insertNew(input: {
    email: string;
    name: string | null;
    passwordHash: string | null;
    role: Role;
    emailVerified: boolean;
  }): Promise<AccountRow | undefined> {
    const now = clock.now();
    const row: UserRow = {
      id: uuidv7(now),
      email: input.email,
      name: input.name,
      password_hash: input.passwordHash,
      role: input.role,
      disabled_at: null,
      email_verified_at: input.emailVerified ? now : null,
      created_at: now,
      updated_at: now,
    };
    if (!(await repo.insertUser(db, row))) return undefined;
    audit({ type: "user_registered", user_id: row.id });
    return account(row);
  }

  return {
    async create(input) {
      const password = checkNewPassword(input.password, "password");
      const created = await insertNew({ ...input, passwordHash: await passwords.hash(password), emailVerified: false });
      if (!created) throw new AppError("conflict", 409, "An account with this email already exists.");
      return created;
    },

    // No password: password logins fail like a wrong one (verifyOrDummy) until the user sets one.
    createFromProvider: (input) => insertNew({ ...input, passwordHash: null, role: "user" }),

    markEmailVerified: async (id) => accountOrUndefined(await repo.markEmailVerified(db, id, clock.now())),

    hasPassword: async (id) => Boolean((await repo.findUserById(db, id))?.password_hash),

    async authenticate(email, rawPassword, ip) {
      await throttle.attempt(email, ip);
      const password = normalizePassword(rawPassword);
      const user = await repo.findUserByEmail(db, email);
      const ok = await verifyOrDummy(user, password);
      // Disabled is checked after the hash, so its timing and answer match a wrong password.
      if (!ok || !user || user.disabled_at !== null) {
        audit({ type: "login_failed", ip, reason: ok ? "disabled" : "bad_credentials" });
        throw invalidGrant();
      }
      await throttle.succeeded(email, ip);
      await rehashIfNeeded(user, password);
      return account(user);
    },

    async changePassword(userId, current, next, ip) {
      const nextPassword = checkNewPassword(next, "new_password");
      if (current === null) {
        const hash = await passwords.hash(nextPassword);
        // Conditional on there being no password, so a first password can never replace one.
        if (!(await repo.setFirstPasswordHash(db, userId, hash, clock.now()))) {
          throw invalidRequest("current_password is required: this account already has a password.", [
            { path: "current_password", message: "is required" },
          ]);
        }
        audit({ type: "password_changed", user_id: userId });
        return;
      }
      const user = await repo.findUserById(db, userId);
      // The caller holds a live session, so the user exists; a concurrent delete answers like a wrong password.
      const email = user?.email ?? userId;
      await throttle.attempt(email, ip);
      if (!(await verifyOrDummy(user, normalizePassword(current))) || !user) {
        audit({ type: "login_failed", ip, reason: "bad_credentials" });
        throw invalidGrant();
      }
      await throttle.succeeded(email, ip);
      const hash = await passwords.hash(nextPassword);
      await repo.updateUser(db, user.id, { password_hash: hash }, clock.now());
      audit({ type: "password_changed", user_id: user.id });
    },

    findById: async (id) => accountOrUndefined(await repo.findUserById(db, id)),
    findByEmail: async (email) => accountOrUndefined(await repo.findUserByEmail(db, email)),
    update: async (id, patch) => accountOrUndefined(await repo.updateUser(db, id, patch, clock.now())),
    updateKeepingAnAdmin: async (id, patch) =>
      accountOrUndefined(await repo.updateUser(db, id, patch, clock.now(), { keepAnAdmin: true })),
    removeKeepingAnAdmin: (id) => repo.deleteUserKeepingAnAdmin(db, id),
    list: async (options) => (await repo.listUsers(db, options)).map(account),
    countEnabledAdmins: () => repo.countEnabledAdmins(db),
    hasAdmin: async () => (await repo.countEnabledAdmins(db)) > 0,
  };
}
