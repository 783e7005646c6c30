// Runs before the browser tests (`npm run test:e2e`). They drive Debian's Chromium at
// /usr/bin/chromium, never a downloaded browser. When it is missing and this process may
// install packages (root, with apt-get), it installs Debian's `chromium`; otherwise it says in
// one line what to run, and the browser tests are skipped (they report as skipped, not passed).
// Under CI=true a browser that cannot be had is a failure, never a quiet skip.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

function hasAptGet() {
  try {
    execFileSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (existsSync(CHROMIUM)) process.exit(0);

/** Leaves the browser tests to skip themselves; in CI that is not good enough. */
function giveUp(message) {
  console.warn(`ensure-chromium: ${message}`);
  process.exit(process.env.CI === "true" ? 1 : 0);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !hasAptGet()) {
  giveUp(`${CHROMIUM} not found; the browser tests will be skipped. Install it with: sudo apt-get install -y chromium`);
}

console.log("ensure-chromium: installing Debian's chromium for the browser tests (apt-get, one time)…");
try {
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
} catch {
  giveUp("apt-get could not install chromium; the browser tests will be skipped.");
}
console.log(`ensure-chromium: ${existsSync(CHROMIUM) ? "installed" : "install finished but " + CHROMIUM + " is still missing"}.`);
