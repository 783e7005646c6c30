// Runs inside a worker thread: argon2id off the main event loop.
import { parentPort } from "node:worker_threads";
import { hashWithHashWasm, verifyWithHashWasm } from "../passwords/hash-wasm-hasher.js";
import type { Argon2Params } from "../passwords/password-hasher.js";

export type HashJob =
  | { id: number; op: "hash"; password: string; params: Argon2Params }
  | { id: number; op: "verify"; password: string; hash: string };

export type HashResult = { id: number; ok: true; value: string | boolean } | { id: number; ok: false };

parentPort?.on("message", async (job: HashJob) => {
  try {
    const value =
      job.op === "hash" ? await hashWithHashWasm(job.password, job.params) : await verifyWithHashWasm(job.hash, job.password);
    parentPort?.postMessage({ id: job.id, ok: true, value } satisfies HashResult);
  } catch {
    // The error text could echo input; the caller only needs to know it failed.
    parentPort?.postMessage({ id: job.id, ok: false } satisfies HashResult);
  }
});
