// Child-process plumbing: every server and every load generator runs in its own
// process; they report back over IPC with one message.
import { execFileSync, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

function waitFor(child, type) {
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`${child.spawnfile} ${child.spawnargs.slice(-2).join(" ")} exited with ${code} before "${type}"`));
    child.once("exit", onExit);
    child.on("message", function onMessage(message) {
      if (message?.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message);
    });
  });
}

/**
 * Binds every thread of process `pid` (and those it starts later) to one CPU. With the server on
 * one core and its load generator on the other they no longer take turns on the same core or
 * migrate between them, which on this 2-core VM swung back-to-back runs of one server by 2x.
 */
export function pinToCpu(pid, cpu) {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
  } catch (e) {
    // No taskset (util-linux) or no such CPU: the bench still runs, only noisier.
    if (!warnedUnpinned) console.error(`[bench] not pinned to CPU ${cpu}: ${e.message}`);
    warnedUnpinned = true;
  }
}
let warnedUnpinned = false;

/** Starts `bench/<script>` as a server (on `cpu` alone if given); resolves with its port and a stop function. */
export async function startServer(script, { env = {}, cpu } = {}) {
  const child = fork(here(script), [], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const ready = await waitFor(child, "ready");
  if (cpu !== undefined) pinToCpu(child.pid, cpu);
  return {
    ...ready,
    child,
    /** The server's CPU time so far (user + system), in microseconds. */
    async cpuMicros() {
      const reply = waitFor(child, "cpu");
      child.send({ type: "cpu" });
      return (await reply).micros;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs `bench/<script>` with a JSON job; resolves with its `result` message. */
export async function runChild(script, job) {
  const child = fork(here(script), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const done = waitFor(child, "result");
  child.send({ type: "job", job });
  const { result } = await done;
  child.disconnect();
  return result;
}

/** In a child: receive the job (pinned to `job.cpu` if given), run it, send the result, exit. */
export function serveJob(run) {
  process.once("message", async (message) => {
    try {
      if (message.job.cpu !== undefined) pinToCpu(process.pid, message.job.cpu);
      const result = await run(message.job);
      process.send({ type: "result", result }, () => process.exit(0));
    } catch (e) {
      console.error(e);
      process.exit(1);
    }
  });
}

/** In a server child: announce the port once listening; stop on SIGTERM. */
export function announce(port, extra = {}, onStop = () => {}) {
  process.on("message", (message) => {
    if (message?.type !== "cpu") return;
    const { user, system } = process.cpuUsage();
    process.send({ type: "cpu", micros: user + system });
  });
  process.send({ type: "ready", port, ...extra });
  process.once("SIGTERM", async () => {
    await onStop();
    process.exit(0);
  });
}
