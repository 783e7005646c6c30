// Real Tessera processes (the Node entry, as `npm start` runs it) and the plumbing to test
// several of them on one PostgreSQL database: an empty database of their own, and a TCP relay
// that can play an unreachable server.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect, type Server, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { adminClient, requirePostgresUrl } from "./postgres.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Instance {
  base: string;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `src/node/main.ts` with `env` on a free port; does not wait for it to listen. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/node/main.ts"], {
    env: { PATH: process.env.PATH, PORT: String(port), ARGON2_MEMORY_KIB: "64", ARGON2_ITERATIONS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { base: `http://127.0.0.1:${port}`, output: () => output, exited, kill: (signal = "SIGKILL") => void child.kill(signal) };
}

/** Waits until the instance answers /health with 200. */
export async function untilHealthy(instance: Instance, withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${instance.base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`instance did not become healthy:\n${instance.output()}`);
}

/** A new empty database on the test server, and its URL; dropped by `drop()`. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `tessera_test_${randomBytes(6).toString("hex")}`;
  const admin = await adminClient();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(requirePostgresUrl());
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    async drop() {
      const client = await adminClient();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A TCP relay on a port of its own to the test server. `close()` refuses new connections and
 * cuts the open ones (the server is "down"); `open()` relays again (it is back).
 */
export async function createRelay(): Promise<{ port: number; urlFor(databaseUrl: string): string; open(): Promise<void>; close(): Promise<void> }> {
  const target = new URL(requirePostgresUrl());
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  return {
    port,
    urlFor(databaseUrl) {
      const url = new URL(databaseUrl);
      url.port = String(port);
      return url.href;
    },
    async open() {
      if (server) return;
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    },
    async close() {
      const closing = server;
      server = null;
      for (const s of sockets) s.destroy();
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
