import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { paramsDiffer, type Argon2Params, type PasswordHasher } from "../passwords/password-hasher.js";
import type { HashJob, HashResult } from "./hash-worker.js";

interface Pending {
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

type Job = { op: "hash"; password: string; params: Argon2Params } | { op: "verify"; password: string; hash: string };

export interface HashPool extends PasswordHasher {
  close(): Promise<void>;
}

/**
 * argon2id (hash-wasm) on a fixed pool of worker threads. One job per
 * worker at a time bounds memory to `size × ARGON2_MEMORY_KIB`; extra jobs
 * wait in a queue instead of stalling the event loop.
 *
 * @example
 * const passwords = createHashPool(config.argon2);
 * await passwords.close(); // on shutdown
 */
export function createHashPool(params: Argon2Params, size = Math.max(1, Math.min(4, availableParallelism()))): HashPool {
  const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./hash-worker.ts" : "./hash-worker.js", import.meta.url);
  const idle: Worker[] = [];
  const busy = new Map<Worker, number>();
  const pending = new Map<number, Pending>();
  const queue: Array<{ id: number; job: Job }> = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Worker {
    // From sources (tests, `npm run dev`): Node 20 ignores `--import tsx` in a worker's execArgv,
    // so a tiny ESM bootstrap registers tsx inside the worker before loading it.
    const worker = workerUrl.pathname.endsWith(".ts")
      ? new Worker(
          `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); })`,
          { eval: true },
        )
      : new Worker(workerUrl);
    worker.unref();
    worker.on("message", (result: HashResult) => {
      const p = pending.get(result.id);
      pending.delete(result.id);
      busy.delete(worker);
      idle.push(worker);
      if (p) result.ok ? p.resolve(result.value) : p.reject(new Error("password hashing failed"));
      drain();
    });
    worker.on("error", () => {
      const id = busy.get(worker);
      busy.delete(worker);
      if (id !== undefined) pending.get(id)?.reject(new Error("password hashing worker crashed"));
      if (id !== undefined) pending.delete(id);
      if (!closed) idle.push(spawn());
      drain();
    });
    return worker;
  }

  for (let i = 0; i < size; i++) idle.push(spawn());

  function drain(): void {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const { id, job } = queue.shift()!;
      busy.set(worker, id);
      worker.postMessage({ id, ...job } as HashJob);
    }
  }

  function run(job: Job): Promise<string | boolean> {
    if (closed) return Promise.reject(new Error("hash pool is closed"));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      queue.push({ id, job });
      drain();
    });
  }

  return {
    hash: async (password) => (await run({ op: "hash", password, params })) as string,
    verify: async (hash, password) => (await run({ op: "verify", password, hash })) as boolean,
    needsRehash: (hash) => paramsDiffer(hash, params),
    async close() {
      closed = true;
      await Promise.all([...idle, ...busy.keys()].map((w) => w.terminate()));
    },
  };
}
