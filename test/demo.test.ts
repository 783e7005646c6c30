import { describe, expect, it } from "vitest";
import { withDemo } from "../src/node/demo.js";
import { createTestApp } from "./support/harness.js";

describe("the demo SPA is served at /demo outside production only", () => {
  it("serves the page with its own CSP that allows its script, style and API calls", async () => {
    const t = await createTestApp();
    const fetch = withDemo(t.app.fetch, { production: false });
    const res = await fetch(new Request("http://localhost/demo"));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("Content-Security-Policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Strict-Transport-Security")).toBe("max-age=63072000; includeSubDomains");
    expect(await res.text()).toContain('<script type="module" src="/demo/app.js"></script>');

    const js = await fetch(new Request("http://localhost/demo/app.js"));
    expect(js.status).toBe(200);
    expect(js.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    const css = await fetch(new Request("http://localhost/demo/style.css"));
    expect(css.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
  });

  it("serves only its three files", async () => {
    const t = await createTestApp();
    const fetch = withDemo(t.app.fetch, { production: false });
    for (const path of ["/demo/index.html.bak", "/demo/..%2F..%2Fpackage.json", "/demo/%2e%2e/src/app.ts"]) {
      const res = await fetch(new Request(`http://localhost${path}`));
      expect(res.status).toBe(404);
      // `%2e%2e` is normalised away by URL parsing and lands on the API's own 404.
      expect((await res.json()).error).toBe("not_found");
    }
  });

  it("passes every other path to the API, whose strict CSP is unchanged", async () => {
    const t = await createTestApp();
    const res = await withDemo(t.app.fetch, { production: false })(new Request("http://localhost/health"));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("is not there in production", async () => {
    const t = await createTestApp();
    const fetch = withDemo(t.app.fetch, { production: true });
    expect(fetch).toBe(t.app.fetch);
    const res = await fetch(new Request("http://localhost/demo"));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found", error_description: "No such endpoint." });
  });
});
