import { PASSWORD, type TestApp } from "./harness.js";

export { basic, claimsOf } from "./client-basic.js";

/** Creates an admin, signs them in, and registers a machine client through the admin API. */
export async function withClient(t: TestApp, body: Record<string, unknown> = { name: "billing", scopes: "read write" }) {
  await t.app.services.users.create({ email: "root@example.com", password: PASSWORD, name: null, role: "admin" });
  const admin = (await t.login("root@example.com")).json.access_token as string;
  const created = await t.call("POST", "/admin/clients", { json: body, token: admin });
  if (created.status !== 201) throw new Error(`client creation failed: ${created.status} ${created.text}`);
  return { admin, created, id: created.json.client.id as string, secret: created.json.client_secret as string };
}
