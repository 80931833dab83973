import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { distanceBlock, MAX_BLOCK, prepareRows } from './pairwise-distance.js';
import { compileDotBlock } from './wasm/compile-wat.js';
import { DOT_BLOCK_WASM_BASE64 } from './wasm/dot-block-wasm.js';

describe('distanceBlock', () => {
  // Odd sizes: the SIMD kernel pads rows (to a multiple of 4) and features (to even).
  const { points } = gaussianBlobs({ k: 2, perCluster: 151, dim: 7, spread: 3, std: 1, seed: 1 });
  const n = points.shape[0];

  for (const metric of ['euclidean', 'cosine'] as const) {
    it(`${metric}: WebAssembly SIMD and JavaScript agree with the direct formula`, () => {
      const simd = prepareRows(points, metric);
      const js = prepareRows(points, metric, { simd: false });
      expect(simd.simd).toBeDefined(); // Node has WebAssembly SIMD
      const a = new Float64Array(MAX_BLOCK * MAX_BLOCK);
      const b = new Float64Array(MAX_BLOCK * MAX_BLOCK);
      for (const [i0, j0] of [
        [0, 0],
        [0, 256],
        [256, 256],
      ] as const) {
        const i1 = Math.min(n, i0 + MAX_BLOCK);
        const j1 = Math.min(n, j0 + MAX_BLOCK);
        distanceBlock(simd, i0, i1, j0, j1, a);
        distanceBlock(js, i0, i1, j0, j1, b);
        for (let i = i0; i < i1; i += 37)
          for (let j = j0; j < j1; j += 11) {
            const x = points.data.subarray(i * 7, i * 7 + 7);
            const y = points.data.subarray(j * 7, j * 7 + 7);
            let direct: number;
            if (metric === 'euclidean') direct = Math.hypot(...x.map((v, c) => v - y[c]!));
            else {
              const dot = x.reduce((s, v, c) => s + v * y[c]!, 0);
              direct = i === j ? 0 : 1 - dot / (Math.hypot(...x) * Math.hypot(...y));
            }
            const o = (i - i0) * (j1 - j0) + j - j0;
            expect(a[o]).toBeCloseTo(direct, 6);
            expect(a[o]).toBeCloseTo(b[o]!, 12);
          }
      }
    });
  }

  it('the generated module is dot-block.wat compiled (run scripts/build-wasm.ts after editing)', async () => {
    expect(DOT_BLOCK_WASM_BASE64).toBe(Buffer.from(await compileDotBlock()).toString('base64'));
  });
});
