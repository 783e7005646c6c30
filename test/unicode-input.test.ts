import { describe, expect, it } from "vitest";
import { createTestApp, PASSWORD } from "./support/harness.js";

// Text that is not well-formed Unicode used to be turned into U+FFFD on its way to the hasher,
// so "abcdefg\ud800h" and "abcdefg\udc00h" were one password. Such text is now refused whole.
async function post(t: Awaited<ReturnType<typeof createTestApp>>, path: string, type: string, body: string | Uint8Array<ArrayBuffer>) {
  const res = await t.app.request(path, { method: "POST", headers: { "Content-Type": type }, body });
  return { status: res.status, json: (await res.json()) as { error: string; error_description: string } };
}

describe("text that is not well-formed Unicode is refused with 400 invalid_request", () => {
  it("a lone surrogate in a JSON password creates no account, and its look-alike cannot sign in", async () => {
    const t = await createTestApp();
    const res = await post(t, "/auth/register", "application/json", '{"email":"eve@example.com","password":"abcdefg\\ud800h"}');
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
    expect(await t.app.services.users.findByEmail("eve@example.com")).toBeUndefined();
    const look = await post(t, "/auth/token", "application/json", '{"grant_type":"password","username":"eve@example.com","password":"abcdefg\\udc00h"}');
    expect(look.status).toBe(400);
    expect(look.json.error).toBe("invalid_request");
  });

  it("a lone surrogate anywhere in a JSON body, a key or a nested value, is refused", async () => {
    const t = await createTestApp();
    for (const body of [
      `{"email":"a@example.com","password":"${PASSWORD}","name":"x\\udfffy"}`,
      `{"email":"a@example.com","password":"${PASSWORD}","\\ud83d":1}`,
      `{"email":"a@example.com","password":"${PASSWORD}","extra":[{"deep":["\\ud800"]}]}`,
    ]) {
      const res = await post(t, "/auth/register", "application/json", body);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("invalid_request");
    }
    expect(await t.app.services.users.findByEmail("a@example.com")).toBeUndefined();
  });

  it("invalid UTF-8 bytes in a JSON body are refused, not replaced", async () => {
    const t = await createTestApp();
    const prefix = new TextEncoder().encode(`{"email":"b@example.com","password":"abcdefgh`);
    const suffix = new TextEncoder().encode(`"}`);
    const body = new Uint8Array([...prefix, 0xff, 0xfe, ...suffix]);
    const res = await post(t, "/auth/register", "application/json", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
    expect(await t.app.services.users.findByEmail("b@example.com")).toBeUndefined();
  });

  it("a form body whose percent-encoding is not UTF-8 is refused", async () => {
    const t = await createTestApp();
    await t.register();
    for (const password of ["%ED%A0%80abcdefgh", "abcdefgh%FF", "%C3"]) {
      const res = await post(t, "/auth/token", "application/x-www-form-urlencoded", `grant_type=password&username=alice%40example.com&password=${password}`);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("invalid_request");
    }
    // Well-formed percent-encoding and '+' still decode as before.
    const ok = await post(t, "/auth/token", "application/x-www-form-urlencoded", `grant_type=password&username=alice%40example.com&password=${encodeURIComponent(PASSWORD).replaceAll("%20", "+")}`);
    expect(ok.status).toBe(200);
  });

  it("well-formed text outside the BMP (a surrogate pair) is accepted", async () => {
    const t = await createTestApp();
    const res = await post(t, "/auth/register", "application/json", JSON.stringify({ email: "c@example.com", password: "pässwörd 😀 long enough", name: "Zoë 😀" }));
    expect(res.status).toBe(201);
  });
});
