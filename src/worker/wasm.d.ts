// wrangler (CompiledWasm rule, the default for *.wasm) and vitest-pool-workers both turn a .wasm
// import into a precompiled WebAssembly.Module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
