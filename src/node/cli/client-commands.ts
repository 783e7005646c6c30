import * as v from "valibot";
import type { ClientService } from "../../clients/client-service.js";
import { toPublicClient } from "../../clients/public-client.js";
import type { ClientRow } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import { AdminClientCreate } from "../../schemas/requests.js";
import { withServices } from "./admin-services.js";
import { CliError, usageError } from "./cli-error.js";
import { say, type CliIo, type Command, type Options, type Values } from "./command.js";

const idOption: Options = { id: { type: "string" } };

/** `--id`, required; its shape is the service's to judge (an unknown id is "no client"). */
function idArg(values: Values): string {
  const id = values.id;
  if (typeof id !== "string" || id.trim() === "") throw usageError("--id is required");
  return id.trim();
}

/**
 * `--name`, `--scopes` and `--audience`, by the rules `POST /admin/clients` applies to its body.
 *
 * @example
 * const input = newClientArgs({ name: "billing", scopes: "read write" });
 */
export function newClientArgs(values: Values): { name: string; scopes: string[]; audience: string | null } {
  if (values.name === undefined) throw usageError("--name is required");
  if (values.scopes === undefined) throw usageError("--scopes is required");
  const parsed = v.safeParse(AdminClientCreate, { name: values.name, scopes: values.scopes, audience: values.audience });
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw usageError(`--${v.getDotPath(issue) ?? "name"} ${issue.message}`);
  }
  return { name: parsed.output.name, scopes: parsed.output.scopes, audience: parsed.output.audience ?? null };
}

/** The service's own refusal of a value (an unknown scope), reported against the option that carried it. */
function asUsageError(e: unknown): never {
  if (e instanceof AppError && e.code === "invalid_request" && e.issues?.[0]) {
    throw usageError(`--${e.issues[0].path} ${e.issues[0].message}`);
  }
  throw e;
}

/** Runs `fn` on the client with this id, or fails with a CLI error naming the id. */
async function onClient<T>(io: CliIo, id: string, fn: (clients: ClientService, client: ClientRow) => Promise<T>): Promise<T> {
  return withServices(io, async (s) => {
    let client: ClientRow;
    try {
      client = await s.clients.get(id);
    } catch (e) {
      if (e instanceof AppError && e.code === "not_found") throw new CliError(`no client with the id ${id}`);
      throw e;
    }
    return fn(s.clients, client);
  });
}

const label = (client: ClientRow) => `${client.id} (${client.name})`;

/** Disables or enables the client, saying so when there is nothing to change. */
async function setClientDisabled(io: CliIo, id: string, disabled: boolean): Promise<void> {
  await onClient(io, id, async (clients, before) => {
    if ((before.disabled_at !== null) === disabled) {
      return say(io, `${label(before)} is already ${disabled ? "disabled" : "enabled"}; nothing changed.`);
    }
    await clients.update(id, { disabled });
    say(
      io,
      disabled
        ? `${label(before)} is disabled: it gets no new tokens, and introspection calls its tokens inactive.`
        : `${label(before)} is enabled.`,
    );
  });
}

/** The id and secret, one labelled line each, then the warning: the secret is not kept. */
function saySecret(io: CliIo, client: ClientRow, secret: string): void {
  say(io, `client_id:     ${client.id}`);
  say(io, `client_secret: ${secret}`);
  say(io, "The secret is shown only this once (Tessera keeps only its SHA-256): store it now.");
}

/** The clients as a table, one line each, columns padded to their widest value. */
function clientTable(rows: ClientRow[]): string[] {
  const header = ["ID", "NAME", "SCOPES", "AUDIENCE", "STATUS", "LAST USED"];
  const lines = rows.map(toPublicClient).map((c) => [
    c.id,
    c.name,
    c.scopes,
    c.audience ?? "(JWT_AUDIENCE)",
    c.disabled ? "disabled" : "enabled",
    c.last_used_at ?? "never",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((cells) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

/** The commands that manage machine clients, through the same client module as the HTTP API. */
export const CLIENT_COMMANDS: Record<string, Command> = {
  "create-client": {
    summary: "Register a machine client and print its secret once",
    usage: 'tessera create-client --name NAME --scopes "SCOPE ..." [--audience AUDIENCE]',
    details:
      "Scopes are space-separated and must be ones ROLE_SCOPES knows. Without --audience the client's tokens\n" +
      "carry JWT_AUDIENCE. Prints the client id and secret on stdout; the secret is stored only as its\n" +
      "SHA-256 and cannot be shown again (`tessera rotate-client-secret` makes a new one).\n" +
      'Example: tessera create-client --name billing --scopes "read write" --audience orders',
    options: { name: { type: "string" }, scopes: { type: "string" }, audience: { type: "string" } },
    async run(values, io) {
      const input = newClientArgs(values);
      const { client, secret } = await withServices(io, (s) => s.clients.create(input).catch(asUsageError));
      say(io, `Created the client ${client.name} with the scopes ${client.scopes}.`);
      saySecret(io, client, secret);
    },
  },

  "list-clients": {
    summary: "List the machine clients",
    usage: "tessera list-clients",
    details: "One line per client, oldest first: id, name, scopes, audience, enabled or disabled, last successful authentication.",
    options: {},
    async run(_values, io) {
      const rows = await withServices(io, (s) => s.clients.list());
      if (rows.length === 0) return say(io, "No clients.");
      for (const line of clientTable(rows)) say(io, line);
    },
  },

  "disable-client": {
    summary: "Disable a machine client",
    usage: "tessera disable-client --id ID",
    details:
      "A disabled client cannot authenticate (no new tokens, no introspection), and introspection answers its\n" +
      "tokens {\"active\":false}. Services that verify tokens locally accept them until they expire.",
    options: idOption,
    run: (values, io) => setClientDisabled(io, idArg(values), true),
  },

  "enable-client": {
    summary: "Enable a disabled machine client",
    usage: "tessera enable-client --id ID",
    details: "The client can authenticate again with its current secret.",
    options: idOption,
    run: (values, io) => setClientDisabled(io, idArg(values), false),
  },

  "rotate-client-secret": {
    summary: "Give a machine client a new secret (the old one keeps working for a while)",
    usage: "tessera rotate-client-secret --id ID",
    details:
      "Prints the new secret once. The previous secret is still accepted for CLIENT_SECRET_OVERLAP seconds\n" +
      "(default 3600), so the client can be redeployed with the new one without an outage.",
    options: idOption,
    async run(values, io) {
      const id = idArg(values);
      const { client, secret } = await onClient(io, id, (clients) => clients.rotateSecret(id));
      const until = client.previous_secret_expires_at ?? 0;
      const seconds = Math.round((until - client.updated_at) / 1000);
      say(io, `New secret for ${label(client)}.`);
      saySecret(io, client, secret);
      say(
        io,
        seconds > 0
          ? `The previous secret keeps working until ${new Date(until).toISOString()} (${seconds} seconds, CLIENT_SECRET_OVERLAP).`
          : "The previous secret no longer works (CLIENT_SECRET_OVERLAP is 0).",
      );
    },
  },
};
