import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

// Debian's Chromium, driven by playwright-core, with a fresh profile. Without the
// background-networking flags it keeps trying to reach hosts this machine cannot reach.
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Whether the browser can run here. `npm run test:e2e` installs it first where it may
 * (scripts/ensure-chromium.mjs); elsewhere the browser suites are skipped, visibly.
 */
export const hasChromium = existsSync(CHROMIUM);
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** A headless Chromium with a throw-away profile; `close` removes the profile too. */
export async function launchChromium(viewport = { width: 1100, height: 680 }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "tessera-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
