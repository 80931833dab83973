import {
  instantiateRowKernels,
  type RowKernelExports,
  simdKernels,
  WASM_PAGE_BYTES,
} from '../kernels/wasm/simd-kernels.js';
import { type WasmMemory, webAssembly } from '../web-assembly.js';

/** Adam's constants of one step, each a float32 value (see `Adam.step`). */
export interface AdamStepConstants {
  /** Weight decay; 0 leaves the gradient as it is. */
  decay: number;
  /** 1 − β1, β1, 1 − β2, β2. */
  a1: number;
  b1: number;
  a2: number;
  b2: number;
  /** −lr / (1 − β1^step). */
  stepSize: number;
  /** √(1 − β2^step). */
  correction2: number;
  eps: number;
}

/** Room for one float32 array: whole 16-byte blocks, so the two-value loop may read a pad. */
const padded = (length: number): number => Math.ceil((length * 4) / 16) * 16;

/**
 * Adam's update loop in WebAssembly SIMD (`adamStep` of row-kernels.wat: the same bits as the
 * JavaScript loop, two values at a time), on a memory of its own that holds every parameter's
 * moments for the optimizer's lifetime, so that a step copies only the parameter in and out.
 */
export class AdamKernel {
  private readonly memory: WasmMemory;
  private readonly adamStep: RowKernelExports['adamStep'];
  /** Byte offsets of each parameter's first and second moments. */
  private readonly slots: Array<{ m: number; v: number; length: number }> = [];
  private readonly scratch: { p: number; g: number; out: number };

  /**
   * @param lengths values per parameter, in the optimizer's order.
   * @throws when WebAssembly (SIMD, shared memory) is not available or the moments do not fit
   *   in 4 GiB; the caller falls back to JavaScript.
   */
  constructor(lengths: readonly number[]) {
    let top = 0;
    for (const length of lengths) {
      this.slots.push({ m: top, v: top + padded(length), length });
      top += 2 * padded(length);
    }
    const largest = Math.max(0, ...lengths);
    this.scratch = { p: top, g: top + padded(largest), out: top + 2 * padded(largest) };
    top += 3 * padded(largest);
    const pages = Math.max(1, Math.ceil(top / WASM_PAGE_BYTES));
    // Allocated once: the views below stay valid (the memory never grows).
    this.memory = new (webAssembly().Memory)({ initial: pages, maximum: pages, shared: true });
    this.adamStep = instantiateRowKernels(simdKernels().module, this.memory).adamStep;
  }

  /** Parameter `index`'s first and second moments (views into the kernel's memory). */
  moments(index: number): [Float32Array, Float32Array] {
    const { m, v, length } = this.slots[index]!;
    return [
      new Float32Array(this.memory.buffer, m, length),
      new Float32Array(this.memory.buffer, v, length),
    ];
  }

  /**
   * One step of parameter `index`: its moments are updated in place; returns the new values.
   */
  step(
    index: number,
    param: ArrayLike<number>,
    grad: ArrayLike<number>,
    c: AdamStepConstants,
  ): Float32Array {
    const { m, v, length } = this.slots[index]!;
    const { p, g, out } = this.scratch;
    new Float32Array(this.memory.buffer, p, length).set(param);
    new Float32Array(this.memory.buffer, g, length).set(grad);
    this.adamStep(
      p,
      g,
      m,
      v,
      out,
      length,
      c.decay !== 0 ? 1 : 0,
      c.decay,
      c.a1,
      c.b1,
      c.a2,
      c.b2,
      c.stepSize,
      c.correction2,
      c.eps,
    );
    return new Float32Array(this.memory.buffer, out, length).slice();
  }
}
