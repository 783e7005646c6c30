// Item 4 floor: argon2id verifications per second with @node-rs/argon2 (the fastest
// implementation here) at the service's parameters, as many in flight as cores.
import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { serveJob } from "./lib/child.mjs";

serveJob(async (job) => {
  const { memoryKiB, iterations, parallelism } = job.argon2;
  const stored = await hash(job.password, { algorithm: 2, version: 1, memoryCost: memoryKiB, timeCost: iterations, parallelism, outputLen: 32 });
  const concurrency = availableParallelism();
  const loop = async (until) => {
    let n = 0;
    while (performance.now() < until) {
      if (!(await verify(stored, job.password))) throw new Error("verify failed");
      n++;
    }
    return n;
  };
  await Promise.all(Array.from({ length: concurrency }, () => loop(performance.now() + 500)));
  const start = performance.now();
  const end = start + job.seconds * 1000;
  const counts = await Promise.all(Array.from({ length: concurrency }, () => loop(end)));
  const elapsed = (performance.now() - start) / 1000;
  const total = counts.reduce((a, b) => a + b, 0);
  return { verifications: total, rps: total / elapsed, concurrency, msPerHash: (elapsed * 1000 * concurrency) / total };
});
