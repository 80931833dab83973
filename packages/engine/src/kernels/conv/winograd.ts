import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import type { ConvGeometry } from './geometry.js';
import { convKernels, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';

/**
 * 3×3 stride-1 2-D convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray,
 * 2016): each 2×2 output tile is `Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A` of its 4×4 input patch `d`, so
 * over a batch the convolution is 16 independent products `U_ξ [tiles, C_in] · V_ξ [C_in,
 * C_out]` — 2.25× fewer multiply-adds than the columns' `[rows, 9·C_in] · [9·C_in, C_out]`,
 * and products with a short inner side, which XNNPACK runs faster still. The data and output
 * transforms are SIMD kernels of conv-kernels.wat on the threaded wasm backend's memory; the
 * products are `tf.matMul` (XNNPACK on every core). Both channel counts must be multiples of 4
 * (the kernels transform 4 channels at once); other shapes use the columns.
 *
 * The rounding differs from the direct sum (the transforms add and subtract up to 4 values
 * before the products): relative differences stay near 1e-6 of the output's magnitude.
 */

/** Bᵀ, G and Aᵀ of F(2×2, 3×3) — the filter transform is done here, the others in wasm. */
const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
] as const;

/** Transformed input and output values per chunk (U and M together; 64 MB of float32). */
export const WINOGRAD_CHUNK_VALUES = 2 ** 24;

/**
 * Whether {@link winogradConvolution} computes this geometry: a 2-D 3×3 convolution of
 * stride 1 and padding at most 2, channel counts multiples of 4, on the threaded wasm backend.
 */
export function winogradApplies(g: ConvGeometry): boolean {
  return (
    g.dims === 2 &&
    g.kernel[1] === 3 &&
    g.kernel[2] === 3 &&
    g.stride[1] === 1 &&
    g.stride[2] === 1 &&
    g.padding[1] <= 2 &&
    g.padding[2] <= 2 &&
    g.inChannels % 4 === 0 &&
    g.outChannels % 4 === 0 &&
    wasmColumnsAvailable()
  );
}

/**
 * The 16 matrices `V_ξ = (G·g·Gᵀ)_ξ` `[C_in, C_out]` of a filter `[3, 3, C_in, C_out]`, or,
 * with `flipped`, of the filter of the input gradient (rotated 180°, channels swapped:
 * `g'[i, j, o, c] = g[2 − i, 2 − j, c, o]`, `[C_out, C_in]`).
 */
function filterPlanes(filter: tf.Tensor, flipped: boolean): tf.Tensor2D[] {
  const [, , ci, co] = filter.shape as [number, number, number, number];
  const f = filter.dataSync() as Float32Array;
  const [rows, cols] = flipped ? [co, ci] : [ci, co];
  const n = ci * co;
  const planes: tf.Tensor2D[] = [];
  const tap = new Float64Array(9);
  for (let a = 0; a < 4; a++)
    for (let b = 0; b < 4; b++) {
      const plane = new Float32Array(n);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          tap[3 * i + j] = flipped
            ? (G[a]?.[2 - i] as number) * (G[b]?.[2 - j] as number)
            : (G[a]?.[i] as number) * (G[b]?.[j] as number);
      for (let e = 0; e < n; e++) {
        // e = c·co + o in the filter; the flipped plane is [co, ci], index o·ci + c.
        let s = 0;
        for (let t = 0; t < 9; t++) s += (tap[t] as number) * (f[t * n + e] as number);
        const out = flipped ? (e % co) * ci + Math.floor(e / co) : e;
        plane[out] = s;
      }
      planes.push(tf.tensor2d(plane, [rows, cols]));
    }
  return planes;
}

/** The shape a Winograd pass needs: input, output and padding of one 2-D convolution. */
interface Pass {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  padH: number;
  padW: number;
}

/** Tile rows `[t0, t1)` of at most `chunkValues` transformed values (U and M). */
function tileChunks(tiles: number, p: Pass, chunkValues: number): Array<[number, number]> {
  const step = Math.max(1, Math.floor(chunkValues / (16 * (p.inC + p.outC))));
  const out: Array<[number, number]> = [];
  for (let t0 = 0; t0 < tiles; t0 += step) out.push([t0, Math.min(tiles, t0 + step)]);
  return out;
}

/** The pointer table of the kernels: slots 96 … 111 get the 16 planes' addresses. */
function setPlanes(scratch: tf.Tensor, planes: tf.Tensor[]): void {
  const slots = new Int32Array(readNow(scratch).buffer, readNow(scratch).byteOffset + 384, 16);
  planes.forEach((p, i) => {
    slots[i] = readNow(p).byteOffset;
  });
}

/** One Winograd pass of `x` by the planes `v` (16 × `[inC, outC]`) into a new output tensor. */
function run(x: tf.Tensor, v: tf.Tensor2D[], p: Pass, chunkValues: number): tf.Tensor {
  const k = convKernels();
  const [tH, tW] = [Math.ceil(p.outH / 2), Math.ceil(p.outW / 2)];
  const tiles = p.batch * tH * tW;
  const y = uninitialised([p.batch, p.outH, p.outW, p.outC]);
  const scratch = uninitialised([128]);
  const zero = tf.zeros([p.inC], 'float32');
  const sink = uninitialised([p.outC]); // where outputs past the grid's end go
  for (const [t0, t1] of tileChunks(tiles, p, chunkValues)) {
    const u = Array.from({ length: 16 }, () => uninitialised([t1 - t0, p.inC]) as tf.Tensor2D);
    setPlanes(scratch, u);
    k.winogradInput(
      readNow(x).byteOffset,
      readNow(scratch).byteOffset,
      readNow(zero).byteOffset,
      t0,
      t1,
      p.inH,
      p.inW,
      p.inC,
      tH,
      tW,
      p.padH,
      p.padW,
    );
    const m = u.map((ui, i) => tf.matMul(ui, v[i] as tf.Tensor2D));
    tf.dispose(u);
    setPlanes(scratch, m);
    k.winogradOutput(
      readNow(scratch).byteOffset,
      readNow(y).byteOffset,
      readNow(sink).byteOffset,
      t0,
      t1,
      p.outH,
      p.outW,
      p.outC,
      tH,
      tW,
    );
    tf.dispose(m);
  }
  tf.dispose([scratch, zero, sink]);
  return y;
}

/** The convolution of `x` `[B, H, W, C_in]` by `filter` `[3, 3, C_in, C_out]` (check {@link winogradApplies}). */
export function winogradForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD_CHUNK_VALUES,
): tf.Tensor {
  const v = filterPlanes(filter, false);
  const y = run(
    x,
    v,
    {
      batch: g.batch,
      inH: g.inSize[1],
      inW: g.inSize[2],
      inC: g.inChannels,
      outH: g.outSize[1],
      outW: g.outSize[2],
      outC: g.outChannels,
      padH: g.padding[1],
      padW: g.padding[2],
    },
    chunkValues,
  );
  tf.dispose(v);
  return y;
}

/**
 * The input gradient of that convolution, `dy` `[B, H', W', C_out]` → `[B, H, W, C_in]`: for
 * stride 1 it is the convolution of `dy` padded by `2 − p` with the flipped filter.
 */
export function winogradInputGrad(
  dy: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD_CHUNK_VALUES,
): tf.Tensor {
  const v = filterPlanes(filter, true);
  const dx = run(
    dy,
    v,
    {
      batch: g.batch,
      inH: g.outSize[1],
      inW: g.outSize[2],
      inC: g.outChannels,
      outH: g.inSize[1],
      outW: g.inSize[2],
      outC: g.inChannels,
      padH: 2 - g.padding[1],
      padW: 2 - g.padding[2],
    },
    chunkValues,
  );
  tf.dispose(v);
  return dx;
}
