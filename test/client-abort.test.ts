import { serve, type ServerType } from "@hono/node-server";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp } from "./support/harness.js";

let server: ServerType | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function listen(t: Awaited<ReturnType<typeof createTestApp>>): Promise<number> {
  return new Promise((resolve) => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => resolve(info.port));
  });
}

/** Sends the start of a request, then drops the connection, as a client that goes away mid-body. */
async function abortMidBody(port: number, head: string, partialBody: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(head + partialBody, () => setTimeout(() => socket.destroy(), 50));
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the server notice and answer
}

// An unauthenticated client can do this hundreds of times a minute: it must not fill the error log.
describe("a client that disconnects mid-body is not a server error", () => {
  it("a body shorter than its Content-Length", async () => {
    const t = await createTestApp();
    const port = await listen(t);
    const head = "POST /auth/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n";
    await abortMidBody(port, head, '{"email":"a@example.com","pass');
    expect(t.errors).toEqual([]);
  });

  it("a chunked body that stops", async () => {
    const t = await createTestApp();
    const port = await listen(t);
    const head = "POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n";
    await abortMidBody(port, head, "a\r\ngrant_type\r\n");
    expect(t.errors).toEqual([]);
  });

  it("while a real failure on the same server is still logged as an error (the control)", async () => {
    const t = await createTestApp();
    const port = await listen(t);
    await t.db.destroy();
    const res = await fetch(`http://127.0.0.1:${port}/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=password&username=a%40example.com&password=whatever-it-is",
    });
    expect(res.status).toBe(500);
    expect(t.errors.map((e) => e.message)).toContain("unhandled error");
  });
});
