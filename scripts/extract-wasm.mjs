#!/usr/bin/env node
// Extracts hash-wasm's embedded argon2 and blake2b wasm into src/worker/wasm/*.wasm so that
// wrangler can bundle them as precompiled modules (workerd forbids runtime WebAssembly.compile).
// Each output gets a custom section "tessera:source" = "<name> <byteLength> <sha256 of the
// original bytes>", which wasm-shim.ts reads with WebAssembly.Module.customSections() to match
// the bytes hash-wasm later asks to compile. A stale file therefore fails loudly at runtime
// instead of silently running different code.
//
// It also writes src/worker/wasm/hash-wasm.mjs: hash-wasm's ESM build with the argon2 and blake2b
// base64 payloads replaced by short markers ("tessera-wasm <section text>"). wrangler.toml aliases
// "hash-wasm" to it, so the Workers bundle does not carry ~20 KB of wasm twice (once as base64,
// once as precompiled modules); wasm-shim.ts answers a marker with its precompiled module.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const NAMES = ["argon2", "blake2b"];
const SECTION = "tessera:source";
const MARKER = "tessera-wasm ";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "src", "worker", "wasm");

function fail(message) {
  console.error(`extract-wasm: ${message}`);
  process.exit(1);
}

let pkgJsonPath;
try {
  pkgJsonPath = createRequire(join(root, "package.json")).resolve("hash-wasm/package.json");
} catch {
  fail("cannot resolve hash-wasm from " + root + " (run npm install)");
}
const pkgDir = dirname(pkgJsonPath);
const pkg = JSON.parse(readFileSync(pkgJsonPath, "utf8"));

// Bundlers take "module" (esbuild/wrangler/vite), Node takes "main": read both so that a
// divergence between the two builds cannot go unnoticed.
const files = [...new Set([pkg.module, pkg.main].filter(Boolean))].map((f) => join(pkgDir, f));
if (files.length === 0) fail(`hash-wasm ${pkg.version}: package.json has neither "module" nor "main"`);

// Two layouts occur in hash-wasm's dist: `var name$k = "argon2"; var data$k = "<b64>";`
// (rollup, unminified) and `{name:"argon2",data:"<b64>",...}` (minified).
const NAME_RE = /\bname(\$\w*)?\s*[:=]\s*["'](\w+)["']/g;
const DATA_RE = /^[\s;,]*(?:var\s+|let\s+|const\s+)?data(\$\w*)?\s*[:=]\s*["']([A-Za-z0-9+/]+={0,2})["']/;

function extractFrom(file) {
  const src = readFileSync(file, "utf8");
  const found = new Map();
  for (const m of src.matchAll(NAME_RE)) {
    const [, suffix = "", name] = m;
    if (!NAMES.includes(name)) continue;
    const after = src.slice(m.index + m[0].length, m.index + m[0].length + 64);
    const d = DATA_RE.exec(src.slice(m.index + m[0].length));
    if (!d || (d[1] ?? "") !== suffix) {
      fail(`${relative(root, file)}: found name "${name}" but no data string right after it (near: ${JSON.stringify(after)})`);
    }
    const b64 = d[2];
    const prev = found.get(name);
    if (prev !== undefined && prev !== b64) fail(`${relative(root, file)}: two different "${name}" payloads`);
    found.set(name, b64);
  }
  return found;
}

const payloads = new Map();
for (const file of files) {
  const found = extractFrom(file);
  for (const name of NAMES) {
    const b64 = found.get(name);
    if (b64 === undefined) fail(`hash-wasm ${pkg.version}: no "${name}" wasm found in ${relative(root, file)}`);
    const prev = payloads.get(name);
    if (prev !== undefined && prev !== b64) fail(`hash-wasm ${pkg.version}: "${name}" differs between its builds`);
    payloads.set(name, b64);
  }
}

function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return Buffer.from(out);
}

function customSection(name, payload) {
  const nameBytes = Buffer.from(name, "utf8");
  const body = Buffer.concat([uleb(nameBytes.length), nameBytes, Buffer.from(payload, "utf8")]);
  return Buffer.concat([Buffer.from([0]), uleb(body.length), body]);
}

mkdirSync(outDir, { recursive: true });
const markers = new Map();
for (const name of NAMES) {
  const bytes = Buffer.from(payloads.get(name), "base64");
  // "\0asm" + version 1
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x0061736d || bytes.readUInt32LE(4) !== 1) {
    fail(`hash-wasm ${pkg.version}: "${name}" payload is not a wasm v1 module (bad magic/version)`);
  }
  let exportsOk = false;
  try {
    exportsOk = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).some((e) => e.name === "Hash_Calculate");
  } catch (err) {
    fail(`hash-wasm ${pkg.version}: "${name}" does not compile: ${err.message}`);
  }
  if (!exportsOk) fail(`hash-wasm ${pkg.version}: "${name}" lacks the Hash_Calculate export hash-wasm relies on`);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const sectionText = `${name} ${bytes.length} ${sha}`;
  const out = Buffer.concat([bytes, customSection(SECTION, sectionText)]);
  // Padded to a multiple of 3 bytes so the base64 has no "=" (hash-wasm's decoder ignores padding).
  let marker = MARKER + sectionText;
  while (Buffer.byteLength(marker) % 3 !== 0) marker += " ";
  markers.set(name, Buffer.from(marker, "utf8").toString("base64"));
  const target = join(outDir, `${name}.wasm`);
  let current;
  try {
    current = readFileSync(target);
  } catch {}
  // Unchanged files are not rewritten so that wrangler/vitest watchers stay quiet.
  if (current === undefined || !current.equals(out)) writeFileSync(target, out);
  console.log(`extract-wasm: ${relative(root, target)} ${bytes.length} B (hash-wasm ${pkg.version})${current && current.equals(out) ? " unchanged" : ""}`);
}

// The slim ESM build for the Workers bundle (see the header).
const esmFile = join(pkgDir, pkg.module ?? "");
if (!pkg.module) fail(`hash-wasm ${pkg.version}: package.json has no "module" build to slim down`);
let esm = readFileSync(esmFile, "utf8");
for (const name of NAMES) {
  const literal = JSON.stringify(payloads.get(name));
  const count = esm.split(literal).length - 1;
  if (count !== 1) fail(`${relative(root, esmFile)}: expected the "${name}" payload once, found it ${count} times`);
  esm = esm.replace(literal, JSON.stringify(markers.get(name)));
}
const slim =
  `// GENERATED by scripts/extract-wasm.mjs from hash-wasm ${pkg.version} (MIT, (c) Dani Biro): do not edit.\n` +
  `// The argon2 and blake2b payloads are markers that src/worker/wasm-shim.ts resolves to precompiled modules.\n` +
  esm;
const slimTarget = join(outDir, "hash-wasm.mjs");
let currentSlim;
try {
  currentSlim = readFileSync(slimTarget, "utf8");
} catch {}
if (currentSlim !== slim) writeFileSync(slimTarget, slim);
console.log(`extract-wasm: ${relative(root, slimTarget)} ${Buffer.byteLength(slim)} B${currentSlim === slim ? " unchanged" : ""}`);
