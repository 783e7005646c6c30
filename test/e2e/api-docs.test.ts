import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium } from "./support/chromium.js";
import { startTessera } from "./support/servers.js";

const SCREENSHOT = new URL("../../docs/api-docs.png", import.meta.url);

describe.skipIf(!hasChromium)("in real Chromium", () => {
  let tessera: Awaited<ReturnType<typeof startTessera>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    tessera = await startTessera();
    browser = await launchChromium({ width: 1100, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await tessera?.stop();
  });

  describe("the API reference page at /docs", () => {
    it("renders the document offline under its CSP, and an operation can be opened and tried", async () => {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      const offOrigin: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(e.message));
      // Every request the page makes stays on Tessera's origin: no CDN, works offline.
      page.on("request", (r) => {
        if (!r.url().startsWith(tessera.origin) && !r.url().startsWith("data:")) offOrigin.push(r.url());
      });

      const res = await page.goto(`${tessera.origin}/docs`);
      expect(res?.status()).toBe(200);
      await page.getByText("Tessera", { exact: false }).first().waitFor();

      const health = page.locator("#operations-service-getHealth");
      await health.locator(".opblock-summary").click();
      await health.getByRole("button", { name: "Try it out" }).click();
      await health.getByRole("button", { name: "Execute" }).click();
      await health.locator(".live-responses-table tbody .response-col_status").first().waitFor();
      expect(await health.locator(".live-responses-table tbody .response-col_status").first().innerText()).toContain("200");

      if (!existsSync(SCREENSHOT) || process.env.UPDATE_SCREENSHOTS === "1") {
        await page.screenshot({ path: SCREENSHOT.pathname });
      }
      expect(offOrigin).toEqual([]);
      expect(problems).toEqual([]);
      expect(tessera.seen.some((r) => r.path === "/openapi.json" && r.status === 200)).toBe(true);
    });
  });
});
