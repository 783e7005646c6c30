import { describe, expect, it } from "vitest";
import { withApiDocs } from "../src/node/api-docs-page.js";
import { createTestApp } from "./support/harness.js";

describe("the /docs page on Node", () => {
  it("serves the page and its assets from the installed package, under a CSP of its own", async () => {
    const t = await createTestApp();
    const fetch = withApiDocs(t.app.fetch, { apiDocs: true });
    const page = await fetch(new Request("http://localhost/docs"));
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(page.headers.get("Content-Security-Policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    const html = await page.text();
    expect(html).toContain('<script src="/docs/swagger-ui-bundle.js"></script>');
    expect(html).not.toMatch(/<script>|https?:\/\//); // no inline script, no other origin
    for (const [path, type] of [
      ["/docs/init.js", "text/javascript"],
      ["/docs/swagger-ui-bundle.js", "text/javascript"],
      ["/docs/swagger-ui.css", "text/css"],
    ] as const) {
      const res = await fetch(new Request(`http://localhost${path}`));
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toContain(type);
      expect((await res.text()).length).toBeGreaterThan(path === "/docs/init.js" ? 10 : 10_000);
    }
  });

  it("serves nothing else from the package", async () => {
    const t = await createTestApp();
    const fetch = withApiDocs(t.app.fetch, { apiDocs: true });
    for (const path of ["/docs/package.json", "/docs/index.html", "/docs/..%2Fpackage.json"]) {
      expect((await fetch(new Request(`http://localhost${path}`))).status).toBe(404);
    }
  });

  it("is off with API_DOCS=false, and then /docs is the API's 404", async () => {
    const t = await createTestApp({ env: { API_DOCS: "false" } });
    const fetch = withApiDocs(t.app.fetch, t.config);
    expect(fetch).toBe(t.app.fetch);
    const res = await fetch(new Request("http://localhost/docs"));
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe("not_found");
  });
});
