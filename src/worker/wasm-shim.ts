// Workers entry only: workerd forbids compiling wasm from bytes at run time ("Wasm code
// generation disallowed by embedder"), but hash-wasm compiles its embedded base64 wasm lazily
// with WebAssembly.compile(bytes). wrangler can bundle the same wasm (extracted at build time by
// scripts/extract-wasm.mjs) as precompiled modules; this shim hands those back when hash-wasm asks
// to compile their bytes. Matching is exact (length + SHA-256 of the original bytes, recorded by
// the extractor in a custom section), so a stale extracted file is a loud error, not a silent
// mismatch. Any other bytes go to the original functions unchanged.
//
// The Workers bundle aliases "hash-wasm" to a slim copy (also made by the extractor) whose payloads
// are markers, "tessera-wasm <name> <length> <sha256>", so the bundle carries each module once; a
// marker resolves to its module the same exact way. Unpatched hash-wasm (the vitest pool) still works.

const SECTION = "tessera:source";
const MARKER = "tessera-wasm ";

type Bytes = ArrayBuffer | ArrayBufferView;
interface PatchableWasm {
  compile(bytes: Bytes): Promise<WebAssembly.Module>;
  instantiate(
    source: Bytes | WebAssembly.Module,
    imports?: object,
  ): Promise<WebAssembly.Instance | { module: WebAssembly.Module; instance: WebAssembly.Instance }>;
}

// Keys: "<length> <sha256>" of the original bytes, and the marker text of the slim build.
const byFingerprint = new Map<string, WebAssembly.Module>();
const knownLengths = new Set<number>();
let patched = false;

function fingerprintOf(module: WebAssembly.Module): { name: string; length: number; sha256: string } {
  const sections = WebAssembly.Module.customSections(module, SECTION);
  const text = sections.length === 1 ? new TextDecoder().decode(sections[0]) : "";
  const m = /^(\S+) (\d+) ([0-9a-f]{64})$/.exec(text);
  if (!m) {
    throw new Error(
      `installHashWasmShim: a module has no "${SECTION}" section; build it with scripts/extract-wasm.mjs`,
    );
  }
  return { name: m[1]!, length: Number(m[2]), sha256: m[3]! };
}

function toView(bytes: unknown): Uint8Array | undefined {
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return undefined;
}

async function lookup(bytes: unknown): Promise<WebAssembly.Module | undefined> {
  const view = toView(bytes);
  // Hashing only happens for byte lengths we know, i.e. once per hash-wasm algorithm per isolate.
  if (view === undefined || !knownLengths.has(view.byteLength)) return undefined;
  const text = new TextDecoder().decode(view);
  if (text.startsWith(MARKER)) return byFingerprint.get(text.trimEnd());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", view.slice()));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return byFingerprint.get(`${view.byteLength} ${hex}`);
}

function withHint(err: unknown, bytes: unknown): unknown {
  const length = toView(bytes)?.byteLength;
  if (length === undefined || !(err instanceof Error)) return err;
  return new Error(
    `${err.message} (wasm-shim: ${length} bytes match none of the precompiled modules ` +
      `[${[...byFingerprint.keys()].filter((k) => !k.startsWith(MARKER)).map((k) => k.split(" ")[0]).join(", ")} B]; ` +
      `re-run scripts/extract-wasm.mjs after changing hash-wasm)`,
    { cause: err },
  );
}

/**
 * Registers precompiled hash-wasm modules (e.g. `{ argon2, blake2b }` imported from
 * `./wasm/*.wasm`) and patches `WebAssembly.compile` / `WebAssembly.instantiate` once so that
 * hash-wasm receives them instead of compiling bytes. Safe to call more than once.
 */
export function installHashWasmShim(
  modules: Readonly<Record<string, WebAssembly.Module>> | readonly WebAssembly.Module[],
): void {
  for (const module of Object.values(modules)) {
    const fp = fingerprintOf(module);
    byFingerprint.set(`${fp.length} ${fp.sha256}`, module);
    knownLengths.add(fp.length);
    const marker = `${MARKER}${fp.name} ${fp.length} ${fp.sha256}`;
    byFingerprint.set(marker, module);
    // The extractor pads markers to a multiple of 3 bytes (no base64 "=").
    knownLengths.add(Math.ceil(new TextEncoder().encode(marker).byteLength / 3) * 3);
  }
  if (patched) return;
  patched = true;

  // Declared here because @cloudflare/workers-types omits compile() (it always throws in workerd).
  const wasm = WebAssembly as unknown as PatchableWasm;
  const originalCompile = wasm.compile.bind(WebAssembly);
  const originalInstantiate = wasm.instantiate.bind(WebAssembly);

  wasm.compile = async (bytes) => {
    const module = await lookup(bytes);
    if (module !== undefined) return module;
    try {
      return await originalCompile(bytes);
    } catch (err) {
      throw withHint(err, bytes);
    }
  };

  wasm.instantiate = async (source, imports) => {
    if (source instanceof WebAssembly.Module) return originalInstantiate(source, imports);
    const module = await lookup(source);
    if (module !== undefined) {
      const instance = (await originalInstantiate(module, imports)) as WebAssembly.Instance;
      return { module, instance };
    }
    try {
      return await originalInstantiate(source, imports);
    } catch (err) {
      throw withHint(err, source);
    }
  };
}
