/** A shared (or plain) `WebAssembly.Memory`. */
export interface WasmMemory {
  buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/** The slice of the global `WebAssembly` the engine uses. */
export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }>;
}

/** The global `WebAssembly` (Node has it; this package's DOM-free lib does not type it). */
export function webAssembly(): WebAssemblyApi {
  return (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
}
