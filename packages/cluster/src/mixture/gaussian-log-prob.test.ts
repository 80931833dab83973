import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { estimateGaussian } from './gaussian-estimate.js';
import { mahalanobisSimd, mahalanobisTriangular } from './gaussian-log-prob.js';

describe('the Mahalanobis term of the E-step', () => {
  // 7 features and 301 samples: odd sizes exercise the kernel's padding.
  const { points, labels } = gaussianBlobs({
    k: 3,
    perCluster: 100,
    dim: 7,
    spread: 4,
    std: 1,
    seed: 9,
  });
  const x = { data: points.data, shape: [300, 7] as [number, number] };

  for (const type of ['full', 'tied'] as const) {
    it(`${type}: the WebAssembly SIMD product equals the JavaScript loop`, () => {
      const resp = new Float64Array(300 * 3);
      labels.forEach((c, s) => {
        resp[s * 3 + c] = 0.8;
        resp[s * 3 + ((c + 1) % 3)] = 0.2;
      });
      const p = estimateGaussian('test', x, resp, 3, type, 1e-6);
      const simd = mahalanobisSimd(x, p)!;
      expect(simd).toHaveLength(3);
      for (let c = 0; c < 3; c++) {
        const js = mahalanobisTriangular(x, p, c);
        for (let s = 0; s < 300; s++) expect(simd[c]![s]).toBeCloseTo(js[s]!, 8);
      }
    });
  }
});
