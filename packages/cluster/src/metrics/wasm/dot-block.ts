import { DOT_BLOCK_WASM_BASE64 } from './dot-block-wasm.js';

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

type DotBlockFn = (
  x: number,
  d: number,
  len: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  out: number,
) => void;
type DotRowFn = (x: number, d: number, i: number, j0: number, j1: number, out: number) => void;

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is missing (then callers use JavaScript). */
function module(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    compiled = wasm ? new wasm.Module(Buffer.from(DOT_BLOCK_WASM_BASE64, 'base64')) : null;
  } catch {
    compiled = null; // no SIMD support: the JavaScript loop gives the same numbers up to rounding
  }
  return compiled;
}

/** Dot products of row blocks in WebAssembly SIMD; rows copied once into its memory. */
export interface WasmDotBlock {
  /**
   * x_i · x_j for i in [i0, i1), j in [j0, j1) (i0 even, j0 a multiple of 4): a view of the
   * module's memory, row-major with `stride` doubles per row (valid until the next call).
   */
  run(i0: number, i1: number, j0: number, j1: number): { view: Float64Array; stride: number };
  /**
   * As {@link WasmDotBlock.run}, over the first `len` features of the rows only (rounded up to
   * an even count; the products of a triangular factor's columns need no more).
   */
  runPrefix(
    len: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
  ): { view: Float64Array; stride: number };
  /** Writes `count` rows of `d` values from `values` into rows `start …` of the module's memory. */
  setRows(start: number, values: Float64Array, count: number): void;
  /**
   * x_i · x_j for j in [j0, j1) (j0 a multiple of 4): a view of the module's memory (valid until
   * the next call) whose element j − j0 is the product with row j.
   */
  row(i: number, j0: number, j1: number): Float64Array;
  /** Swaps rows a and b in the module's memory (products then refer to the new positions). */
  swap(a: number, b: number): void;
}

/**
 * A WebAssembly SIMD kernel over `n` rows of `d` doubles (zero-padded to an even `d` and to a
 * multiple of 4 rows), blocks up to `maxBlock` rows square; undefined where unavailable. The
 * rows of `data` are copied in (`data` may hold fewer than n rows: the rest start at zero, for
 * {@link WasmDotBlock.setRows}).
 */
export function wasmDotBlock(
  data: Float64Array,
  n: number,
  d: number,
  maxBlock: number,
): WasmDotBlock | undefined {
  const mod = module();
  if (mod === null) return undefined;
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const dPad = d + (d % 2);
  const nPad = Math.ceil(n / 4) * 4;
  const rowsBytes = nPad * dPad * 8;
  const outBytes = Math.max((maxBlock + 4) * (maxBlock + 4), nPad) * 8; // a block, or one row
  const memory = new wasm.Memory({ initial: Math.ceil((rowsBytes + outBytes) / 65536) });
  const instance = new wasm.Instance(mod, { env: { memory } });
  const dotBlock = instance.exports.dotBlock as DotBlockFn;
  const dotRow = instance.exports.dotRow as DotRowFn;
  const scratch = new Float64Array(dPad);
  const rows = new Float64Array(memory.buffer, 0, nPad * dPad);
  const given = Math.min(n, Math.floor(data.length / d));
  for (let i = 0; i < given; i++) rows.set(data.subarray(i * d, (i + 1) * d), i * dPad);
  const runPrefix = (len: number, i0: number, i1: number, j0: number, j1: number) => {
    const i1e = Math.min(nPad, i1 + (i1 % 2));
    const j1e = Math.min(nPad, Math.ceil(j1 / 4) * 4);
    dotBlock(0, dPad, Math.min(dPad, len + (len % 2)), i0, i1e, j0, j1e, rowsBytes);
    const stride = j1e - j0;
    return { view: new Float64Array(memory.buffer, rowsBytes, (i1e - i0) * stride), stride };
  };
  return {
    run: (i0, i1, j0, j1) => runPrefix(dPad, i0, i1, j0, j1),
    runPrefix,
    setRows(start, values, count) {
      for (let r = 0; r < count; r++)
        rows.set(values.subarray(r * d, (r + 1) * d), (start + r) * dPad);
    },
    row(i, j0, j1) {
      const j1e = Math.min(nPad, Math.ceil(j1 / 4) * 4);
      dotRow(0, dPad, i, j0, j1e, rowsBytes);
      return new Float64Array(memory.buffer, rowsBytes, j1e - j0);
    },
    swap(a, b) {
      if (a === b) return;
      scratch.set(rows.subarray(a * dPad, (a + 1) * dPad));
      rows.copyWithin(a * dPad, b * dPad, (b + 1) * dPad);
      rows.set(scratch, b * dPad);
    },
  };
}
