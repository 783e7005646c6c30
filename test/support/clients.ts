import { PASSWORD, type TestApp } from "./harness.js";

/** Creates an admin, signs them in, and registers a machine client through the admin API. */
export async function withClient(t: TestApp, body: Record<string, unknown> = { name: "billing", scopes: "read write" }) {
  await t.app.services.users.create({ email: "root@example.com", password: PASSWORD, name: null, role: "admin" });
  const admin = (await t.login("root@example.com")).json.access_token as string;
  const created = await t.call("POST", "/admin/clients", { json: body, token: admin });
  if (created.status !== 201) throw new Error(`client creation failed: ${created.status} ${created.text}`);
  return { admin, created, id: created.json.client.id as string, secret: created.json.client_secret as string };
}

/** RFC 6749 §2.3.1: each part form-urlencoded, then `id:secret` in base64. */
export function basic(id: string, secret: string): string {
  const form = (s: string) => encodeURIComponent(s).replaceAll("%20", "+");
  return `Basic ${Buffer.from(`${form(id)}:${form(secret)}`).toString("base64")}`;
}

export const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
