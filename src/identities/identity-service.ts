import type { Kysely } from "kysely";
import type { AuditSink } from "../audit/audit-log.js";
import type { Clock } from "../clock.js";
import type { AccountRow, Database, IdentityRow } from "../db/schema.js";
import { AppError, notFound } from "../errors.js";
import { uuidv7 } from "../ids.js";
import { ProviderSignInFailure, type ProvenIdentity } from "../oauth/provider-client.js";
import type { UserService } from "../users/user-service.js";
import * as repo from "./identity-repository.js";

/** Provider identities linked to accounts. */
export interface IdentityService {
  /**
   * The account a proven identity signs in as, linking or creating one by the rules: the linked
   * identity; else a user with that email when the provider says it is verified; else a new user
   * when the email is unused; else `account_exists`. Throws `ProviderSignInFailure`.
   */
  resolve(proven: ProvenIdentity): Promise<AccountRow>;
  listOfUser(userId: string): Promise<IdentityRow[]>;
  /** 404 when not linked; 409 when it is the user's only way to sign in. */
  unlink(userId: string, provider: string): Promise<void>;
  /** Records a callback's state as used; `false` on a replay. */
  useState(stateHash: string, expiresAt: number): Promise<boolean>;
}

const onlyWayToSignIn = () =>
  new AppError("conflict", 409, "This is the account's only way to sign in; set a password or link another provider first.");

/**
 * @example
 * const identities = createIdentityService({ db, clock, users, audit });
 * const user = await identities.resolve({ provider: "google", subject: "1234", email, emailVerified: true, name });
 */
export function createIdentityService(deps: { db: Kysely<Database>; clock: Clock; users: UserService; audit: AuditSink }): IdentityService {
  const { db, clock, users, audit } = deps;

  async function link(user: AccountRow, proven: ProvenIdentity): Promise<AccountRow> {
    const now = clock.now();
    const row: IdentityRow = {
      id: uuidv7(now),
      user_id: user.id,
      provider: proven.provider,
      subject: proven.subject,
      email: proven.email,
      created_at: now,
      last_used_at: now,
    };
    // A concurrent link of the same identity, or another account of this provider already on the user.
    if (!(await repo.insertIdentity(db, row))) {
      const winner = await repo.findIdentity(db, proven.provider, proven.subject);
      if (winner?.user_id === user.id) return user;
      throw new ProviderSignInFailure("account_exists");
    }
    audit({ type: "identity_linked", user_id: user.id, provider: proven.provider });
    return user;
  }

  return {
    async resolve(proven) {
      const linked = await repo.findIdentity(db, proven.provider, proven.subject);
      if (linked) {
        const user = await users.findById(linked.user_id);
        if (!user) throw new ProviderSignInFailure("access_denied");
        await repo.touchIdentity(db, linked.id, proven.email, clock.now());
        return user;
      }
      if (proven.email === null) throw new ProviderSignInFailure("email_required");
      const existing = await users.findByEmail(proven.email);
      if (existing) {
        // An unverified address proves nothing about who owns the account: linking on it is account takeover.
        if (!proven.emailVerified) throw new ProviderSignInFailure("account_exists");
        const verified = (await users.markEmailVerified(existing.id)) ?? existing;
        return link(verified, proven);
      }
      const created = await users.createFromProvider({ email: proven.email, name: proven.name, emailVerified: proven.emailVerified });
      // Someone registered this email in the meantime: same answer as if they had been first.
      if (!created) throw new ProviderSignInFailure("account_exists");
      return link(created, proven);
    },

    listOfUser: (userId) => repo.listIdentitiesOfUser(db, userId),

    async unlink(userId, provider) {
      const identities = await repo.listIdentitiesOfUser(db, userId);
      if (!identities.some((i) => i.provider === provider)) throw notFound("No identity of this provider is linked.");
      if (identities.length === 1 && !(await users.hasPassword(userId))) {
        throw onlyWayToSignIn();
      }
      // Checked again inside the delete: an unlink of the user's other identity may be running at once.
      if (await repo.deleteIdentityKeepingASignIn(db, userId, provider)) audit({ type: "identity_unlinked", user_id: userId, provider });
      else if ((await repo.listIdentitiesOfUser(db, userId)).some((i) => i.provider === provider)) {
        throw onlyWayToSignIn();
      }
    },

    useState: (stateHash, expiresAt) => repo.markStateUsed(db, stateHash, expiresAt, clock.now()),
  };
}
