// The Workers bundle must never carry the PostgreSQL driver or any Node-only database code:
// walk every module the Workers entry reaches through relative imports and list the packages.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/g;

function reachableFrom(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const text = readFileSync(file, "utf8");
    for (const [whole, specifier] of text.matchAll(IMPORT)) {
      if (/^\s*(import|export)\s+type\s/.test(whole.trim())) continue; // erased at build time
      if (!specifier!.startsWith(".")) packages.add(specifier!.split("/").slice(0, specifier!.startsWith("@") ? 2 : 1).join("/"));
      else if (specifier!.endsWith(".js")) visit(resolve(dirname(file), specifier!.replace(/\.js$/, ".ts")));
    }
  };
  visit(resolve("src/worker/index.ts"));
  return { modules, packages };
}

describe("the Workers entry", () => {
  it("reaches no PostgreSQL driver, no better-sqlite3 and nothing under src/node/", () => {
    const { modules, packages } = reachableFrom("src/worker/index.ts");
    expect(modules.size).toBeGreaterThan(50);
    expect(packages.has("kysely")).toBe(true); // the walk does follow imports into the core
    for (const banned of ["pg", "pg-pool", "better-sqlite3"]) expect(packages.has(banned)).toBe(false);
    expect([...modules].filter((m) => m.includes("/src/node/"))).toEqual([]);
  });
});
