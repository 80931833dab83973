import { type WasmMemory, webAssembly } from '../../web-assembly.js';
import { ROW_KERNELS_WASM_BASE64 } from './row-kernels-wasm.js';

/** The exports of row-kernels.wat (pointers are byte offsets into {@link SimdKernels.memory}). */
export interface RowKernelExports {
  selectFromGram(
    gram: number,
    sq: number,
    n: number,
    k: number,
    i0: number,
    i1: number,
    out: number,
    top: number,
  ): void;
  selectFromHalves(
    p: number,
    q: number,
    sq: number,
    n: number,
    k: number,
    r0: number,
    r1: number,
    out: number,
    top4: number,
  ): void;
  selectFromCoordinates(
    xyz: number,
    sq: number,
    n: number,
    k: number,
    i0: number,
    i1: number,
    out: number,
    top: number,
    scratch: number,
  ): void;
  gatherRows(
    src: number,
    stride: number,
    sign: number,
    idx: number,
    n: number,
    co: number,
    k: number,
    p0: number,
    p1: number,
    best: number,
    arg: number,
    sum: number,
    withArg: number,
    withSum: number,
  ): void;
  edgeActivate(
    best: number,
    c: number,
    stride: number,
    sign: number,
    scale: number,
    mean: number,
    beta: number,
    slope: number,
    co: number,
    p0: number,
    p1: number,
    out: number,
    z: number,
    withZ: number,
    flag: number,
  ): void;
  channelExtremes(
    src: number,
    n: number,
    c: number,
    sign: number,
    s0: number,
    s1: number,
    best: number,
    arg: number,
  ): void;
  scatterRows(
    src: number,
    stride: number,
    offset: number,
    idx: number,
    n: number,
    co: number,
    k: number,
    p0: number,
    p1: number,
    dst: number,
  ): void;
  adamStep(
    p: number,
    g: number,
    m: number,
    v: number,
    out: number,
    n: number,
    hasDecay: number,
    decay: number,
    a1: number,
    b1: number,
    a2: number,
    b2: number,
    stepSize: number,
    correction2: number,
    eps: number,
  ): void;
}

/** Bytes per page of WebAssembly memory. */
export const WASM_PAGE_BYTES = 65_536;
/** 4 GiB, wasm32's limit: address space reserved once, pages committed as they are used. */
const MAX_PAGES = 65_536;

/** Instantiates the row kernels on a shared memory (as the worker thread does with the same one). */
export function instantiateRowKernels(module: object, memory: WasmMemory): RowKernelExports {
  return new (webAssembly().Instance)(module, { env: { memory } }).exports as RowKernelExports;
}

/**
 * The SIMD row kernels on this thread, their shared memory (which the kernel worker thread
 * instantiates the same module on), and a bump arena in it for the operands of one call.
 */
export class SimdKernels {
  readonly module: object;
  readonly memory: WasmMemory;
  readonly exports: RowKernelExports;
  private top = 0;

  constructor() {
    this.module = new (webAssembly().Module)(Buffer.from(ROW_KERNELS_WASM_BASE64, 'base64'));
    this.memory = new (webAssembly().Memory)({ initial: 16, maximum: MAX_PAGES, shared: true });
    this.exports = instantiateRowKernels(this.module, this.memory);
  }

  /** Frees every arena allocation (views from before must no longer be used). */
  reset(): void {
    this.top = 0;
  }

  /** The arena's current end, for {@link SimdKernels.release}. */
  mark(): number {
    return this.top;
  }

  /** Frees what was allocated since `mark` (views of it must no longer be used). */
  release(mark: number): void {
    this.top = mark;
  }

  /**
   * A float32 array of `length` in the arena, not cleared (it holds what the arena held); its
   * `byteOffset` is its wasm pointer.
   */
  f32(length: number): Float32Array {
    const offset = this.alloc(length * 4); // before reading `buffer`: allocating may grow it
    return new Float32Array(this.memory.buffer, offset, length);
  }

  /** A float64 array of `length` in the arena, not cleared. */
  f64(length: number): Float64Array {
    const offset = this.alloc(length * 8);
    return new Float64Array(this.memory.buffer, offset, length);
  }

  /** An int32 array of `length` in the arena, not cleared. */
  i32(length: number): Int32Array {
    const offset = this.alloc(length * 4);
    return new Int32Array(this.memory.buffer, offset, length);
  }

  private alloc(bytes: number): number {
    const offset = this.top;
    this.top = offset + Math.ceil(bytes / 16) * 16;
    const pages =
      Math.ceil(this.top / WASM_PAGE_BYTES) - this.memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (pages > 0) this.memory.grow(pages);
    return offset;
  }
}

let instance: SimdKernels | undefined;

/** The row kernels of this thread (instantiated on first use). */
export function simdKernels(): SimdKernels {
  instance ??= new SimdKernels();
  return instance;
}
