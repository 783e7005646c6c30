import { emailArg, emailOption, nameArg, roleArg } from "./args.js";
import { OPERATOR, userByEmail, withAdmin } from "./admin-services.js";
import { say, type CliIo, type Command } from "./command.js";
import { readPassword } from "./password-input.js";

/** Disables or enables the user, saying so when there is nothing to change. */
async function setDisabled(io: CliIo, email: string, disabled: boolean): Promise<void> {
  await withAdmin(io, async (admin, users) => {
    const before = await userByEmail(users, email);
    if ((before.disabled_at !== null) === disabled) {
      return say(io, `${email} is already ${disabled ? "disabled" : "enabled"}; nothing changed.`);
    }
    await admin.update(before.id, { disabled }, OPERATOR);
    say(io, disabled ? `${email} is disabled; every session revoked.` : `${email} is enabled.`);
  });
}

/** The commands that manage accounts, through the same admin module as the HTTP API. */
export const USER_COMMANDS: Record<string, Command> = {
  "create-user": {
    summary: "Create an account with a role",
    usage: "tessera create-user --email EMAIL --role viewer|user|admin [--name NAME]",
    details:
      "The password is read from stdin when piped (one line), otherwise from a prompt that does not echo.\n" +
      "It is never taken as an argument: arguments end up in shell history and `ps`.\n" +
      "Example: printf '%s\\n' \"$PASSWORD\" | tessera create-user --email ops@example.com --role admin",
    options: { ...emailOption, role: { type: "string" }, name: { type: "string" } },
    async run(values, io) {
      const email = emailArg(values);
      const role = roleArg(values);
      const name = nameArg(values);
      const user = await withAdmin(io, async (admin) => {
        // Asked only once the database is known to be ready, so a typo does not cost a prompt.
        const password = await readPassword(io.stdin, io.stderr, { confirm: true });
        return admin.create({ email, password, name, role }, OPERATOR);
      });
      say(io, `Created ${user.email} with the role ${user.role} (id ${user.id}).`);
    },
  },

  "set-role": {
    summary: "Change a user's role (revokes their sessions)",
    usage: "tessera set-role --email EMAIL --role viewer|user|admin",
    details: "Every session of the user is revoked so new tokens carry the new role. The last enabled admin cannot be demoted.",
    options: { ...emailOption, role: { type: "string" } },
    async run(values, io) {
      const email = emailArg(values);
      const role = roleArg(values);
      await withAdmin(io, async (admin, users) => {
        const before = await userByEmail(users, email);
        if (before.role === role) return say(io, `${email} already has the role ${role}; nothing changed.`);
        await admin.update(before.id, { role }, OPERATOR);
        say(io, `${email}: role changed from ${before.role} to ${role}; every session revoked.`);
      });
    },
  },

  disable: {
    summary: "Disable a user (revokes their sessions)",
    usage: "tessera disable --email EMAIL",
    details: "A disabled user cannot sign in or refresh. The last enabled admin cannot be disabled.",
    options: emailOption,
    run: (values, io) => setDisabled(io, emailArg(values), true),
  },

  enable: {
    summary: "Enable a disabled user",
    usage: "tessera enable --email EMAIL",
    details: "The user can sign in again; sessions revoked when they were disabled stay revoked.",
    options: emailOption,
    run: (values, io) => setDisabled(io, emailArg(values), false),
  },

  "revoke-sessions": {
    summary: "Sign a user out everywhere",
    usage: "tessera revoke-sessions --email EMAIL",
    details: "Revokes every session (refresh token family) of the user. Access tokens already issued stay valid until they expire.",
    options: emailOption,
    async run(values, io) {
      const email = emailArg(values);
      await withAdmin(io, async (admin, users) => {
        const user = await userByEmail(users, email);
        const count = await admin.revokeSessions(user.id, OPERATOR);
        say(io, `${email}: ${count} session(s) revoked.`);
      });
    },
  },
};
