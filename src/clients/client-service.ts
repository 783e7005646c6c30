import { base64url } from "jose";
import type { Kysely } from "kysely";
import type { AuditSink } from "../audit/audit-log.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { ClientRow, Database } from "../db/schema.js";
import { AppError, invalidRequest, notFound, rateLimited } from "../errors.js";
import type { RateLimiter } from "../ratelimit/rate-limiter.js";
import type { TokenDigests } from "../tokens/token-digests.js";
import * as repo from "./client-repository.js";

export interface NewClient {
  name: string;
  scopes: string[];
  audience: string | null;
}

export interface ClientChange {
  name?: string;
  scopes?: string[];
  disabled?: boolean;
}

export interface ClientWithSecret {
  client: ClientRow;
  /** Shown once: only its SHA-256 is stored. */
  secret: string;
}

/** Machine clients: the only writer of `clients`. */
export interface ClientService {
  create(input: NewClient): Promise<ClientWithSecret>;
  list(): Promise<ClientRow[]>;
  /** 404 for an unknown id. */
  get(id: string): Promise<ClientRow>;
  update(id: string, change: ClientChange): Promise<ClientRow>;
  remove(id: string): Promise<void>;
  /** A new secret; the old one keeps working for `CLIENT_SECRET_OVERLAP` seconds. */
  rotateSecret(id: string): Promise<ClientWithSecret>;
  /**
   * The enabled client these credentials prove, or `401 invalid_client`. Failures are
   * rate-limited per client id and IP like logins, counted before the secret is checked.
   */
  authenticate(id: string, secret: string, ip: string | null): Promise<ClientRow>;
  /** The client if it exists and is enabled (introspection of its tokens). */
  findEnabled(id: string): Promise<ClientRow | undefined>;
}

export function invalidClient(headers?: Record<string, string>): AppError {
  return new AppError("invalid_client", 401, "Client authentication failed.", { headers });
}

const ID_SHAPE = /^svc_[A-Za-z0-9_-]{22}$/;
const SECRET_SHAPE = /^cs_[A-Za-z0-9_-]{43}$/;

const randomToken = (prefix: string, bytes: number) =>
  prefix + base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));

/** Equal-length strings compared without an early exit: how long it takes says nothing of where they differ. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * @example
 * const clients = createClientService({ db, config, clock, digests, limiter, audit });
 * const { client, secret } = await clients.create({ name: "billing", scopes: ["read"], audience: null });
 */
export function createClientService(deps: {
  db: Kysely<Database>;
  config: Config;
  clock: Clock;
  digests: TokenDigests;
  limiter: RateLimiter;
  audit: AuditSink;
}): ClientService {
  const { db, config, clock, digests, limiter, audit } = deps;
  const knownScopes = new Set(Object.values(config.roleScopes).flat());
  const hash = async (secret: string) => digests.sha256(secret);

  function checkScopes(scopes: string[]): string {
    const unique = [...new Set(scopes.filter((s) => s !== ""))];
    if (unique.length === 0) throw invalidRequest("A client needs at least one scope.", [{ path: "scopes", message: "must name at least one scope" }]);
    const unknown = unique.filter((s) => !knownScopes.has(s));
    if (unknown.length > 0) {
      throw invalidRequest("Unknown scope.", [{ path: "scopes", message: `not a scope of ROLE_SCOPES: ${unknown.join(" ")}` }]);
    }
    return unique.join(" ");
  }

  async function load(id: string): Promise<ClientRow> {
    const client = ID_SHAPE.test(id) ? await repo.findClient(db, id) : undefined;
    if (!client) throw notFound("No such client.");
    return client;
  }

  async function secretMatches(client: ClientRow, secret: string, now: number): Promise<boolean> {
    const presented = await hash(secret);
    const current = constantTimeEqual(presented, client.secret_hash);
    // Both compared every time, so a rotation in progress does not change the timing.
    const previous =
      client.previous_secret_hash !== null && constantTimeEqual(presented, client.previous_secret_hash);
    return current || (previous && (client.previous_secret_expires_at ?? 0) > now);
  }

  return {
    async create(input) {
      const now = clock.now();
      const secret = randomToken("cs_", 32);
      const client: ClientRow = {
        id: randomToken("svc_", 16),
        name: input.name,
        secret_hash: await hash(secret),
        previous_secret_hash: null,
        previous_secret_expires_at: null,
        scopes: checkScopes(input.scopes),
        audience: input.audience,
        created_at: now,
        updated_at: now,
        disabled_at: null,
        last_used_at: null,
      };
      await repo.insertClient(db, client);
      audit({ type: "client_created", client_id: client.id });
      return { client, secret };
    },

    list: () => repo.listClients(db),
    get: load,

    async update(id, change) {
      const client = await load(id);
      const patch: repo.ClientPatch = {};
      if (change.name !== undefined) patch.name = change.name;
      if (change.scopes !== undefined) patch.scopes = checkScopes(change.scopes);
      if (change.disabled === true && client.disabled_at === null) patch.disabled_at = clock.now();
      if (change.disabled === false && client.disabled_at !== null) patch.disabled_at = null;
      if (Object.keys(patch).length === 0) return client;
      const updated = await repo.updateClient(db, id, patch, clock.now());
      if (!updated) throw notFound("No such client.");
      if (patch.disabled_at !== undefined) audit({ type: patch.disabled_at === null ? "client_enabled" : "client_disabled", client_id: id });
      return updated;
    },

    async remove(id) {
      await load(id);
      if (!(await repo.deleteClient(db, id))) throw notFound("No such client.");
      audit({ type: "client_deleted", client_id: id });
    },

    async rotateSecret(id) {
      const client = await load(id);
      const now = clock.now();
      const secret = randomToken("cs_", 32);
      const updated = await repo.replaceClientSecret(
        db,
        id,
        client.secret_hash,
        {
          secret_hash: await hash(secret),
          previous_secret_hash: client.secret_hash,
          previous_secret_expires_at: now + config.clientSecretOverlap * 1000,
        },
        now,
      );
      if (!updated) {
        if (!(await repo.findClient(db, id))) throw notFound("No such client.");
        throw new AppError("conflict", 409, "The secret was rotated by another request at the same time; rotate again.");
      }
      audit({ type: "client_secret_rotated", client_id: id });
      return { client: updated, secret };
    },

    async authenticate(id, secret, ip) {
      // Counted up front and cleared on success, like logins: parallel guesses cannot race past it.
      const key = `client:${id}|${ip ?? "unknown"}`;
      const { allowed, retryAfter } = await limiter.hit(key, config.rateLimits.login);
      if (!allowed) {
        audit({ type: "rate_limited", ip, limit: "client" });
        throw rateLimited(retryAfter);
      }
      const now = clock.now();
      const client = ID_SHAPE.test(id) ? await repo.findClient(db, id) : undefined;
      const ok = client !== undefined && SECRET_SHAPE.test(secret) && (await secretMatches(client, secret, now));
      if (!ok || client.disabled_at !== null) {
        audit({ type: "client_auth_failed", client_id: ID_SHAPE.test(id) ? id : null, ip, reason: ok ? "disabled" : "bad_credentials" });
        throw invalidClient();
      }
      await limiter.reset(key);
      await repo.touchClient(db, id, now);
      return client;
    },

    async findEnabled(id) {
      const client = ID_SHAPE.test(id) ? await repo.findClient(db, id) : undefined;
      return client?.disabled_at === null ? client : undefined;
    },
  };
}
