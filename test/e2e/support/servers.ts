import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { createApp } from "../../../src/app.js";
import { parseConfig } from "../../../src/config.js";
import { nodeClientIp } from "../../../src/node/client-ip.js";
import { migrateToLatest, openNodeDatabase } from "../../../src/node/database.js";
import { withApiDocs } from "../../../src/node/api-docs-page.js";
import { withDemo } from "../../../src/node/demo.js";
import { createHashWasmHasher } from "../../../src/passwords/hash-wasm-hasher.js";
import { CHEAP_ARGON2, TEST_SECRET } from "../../support/harness.js";

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** One request as the API saw it: enough to prove what a browser sent and what it got. */
export interface SeenRequest {
  method: string;
  path: string;
  origin: string | null;
  cookie: string | null;
  status: number;
}

async function listen(handler: { fetch: Fetch }): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: (req, env) => handler.fetch(req, env), port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    );
  });
}

function close(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    if ("closeAllConnections" in server) server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * The real service on an ephemeral port: createApp + @hono/node-server + the docs page and the demo, exactly
 * as the Node entry wires them. The port is only known after listening, and the demo's origin
 * must be trusted (named by `trustedBy`: ALLOWED_ORIGINS or PUBLIC_URL), so the app is built
 * after the socket is bound.
 */
export async function startTessera(trustedBy: "ALLOWED_ORIGINS" | "PUBLIC_URL" = "ALLOWED_ORIGINS", extraEnv: Record<string, string> = {}) {
  const handler: { fetch: Fetch } = { fetch: () => new Response("starting", { status: 503 }) };
  const { server, port } = await listen(handler);
  const origin = `http://localhost:${port}`;
  const config = parseConfig({ JWT_SECRET: TEST_SECRET, ...CHEAP_ARGON2, [trustedBy]: origin, ...extraEnv });
  const { db, writeBatch } = openNodeDatabase(":memory:");
  await migrateToLatest(db);
  const app = createApp({
    db,
    writeBatch,
    config,
    passwords: createHashWasmHasher(config.argon2),
    audit: () => {},
    clientIp: nodeClientIp(config.trustProxy),
  });
  const fetch = withDemo(withApiDocs(app.fetch, config), config);
  const seen: SeenRequest[] = [];
  /** When set, refresh requests wait until `count` of them have arrived (to force a true race). */
  let barrier: { count: number; arrived: number; open: () => void; gate: Promise<void> } | null = null;

  handler.fetch = async (req, env) => {
    const path = new URL(req.url).pathname;
    if (barrier && req.method === "POST" && path === "/auth/session/refresh") {
      const b = barrier;
      if (++b.arrived >= b.count) {
        barrier = null;
        b.open();
      }
      await b.gate;
    }
    const res = await fetch(req, env);
    seen.push({ method: req.method, path, origin: req.headers.get("Origin"), cookie: req.headers.get("Cookie"), status: res.status });
    return res;
  };

  return {
    origin,
    seen,
    /** Holds refresh requests until `count` of them have arrived, so they all carry the same cookie. */
    holdRefreshesUntil(count: number) {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      barrier = { count, arrived: 0, open, gate };
    },
    async stop() {
      await close(server);
      await db.destroy();
    },
  };
}

/** A page on another origin (same site: localhost, another port), where an attacker's script would run. */
export async function startForeignSite() {
  const app = new Hono();
  app.get("/", (c) => c.html("<!doctype html><title>not the SPA</title><h1>Some other site</h1>"));
  const { server, port } = await listen(app);
  return { origin: `http://localhost:${port}`, stop: () => close(server) };
}
