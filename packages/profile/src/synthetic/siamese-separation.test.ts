import { selectBackend } from '@cellshape/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { siameseSeparation } from './test-separation.js';

beforeAll(async () => {
  await selectBackend();
});

// A quick version of siamese-separation.slow.test.ts: three very different families, few
// small crops, a few epochs — the loss falls and the families stay well above chance (1/3).
describe('a Siamese encoder on drawn cells (quick)', () => {
  it('lowers the Barlow Twins loss and separates round, elongated and lobed cells', async () => {
    const { before, after, losses } = await siameseSeparation({
      families: ['round', 'elongated', 'lobed'],
      count: 12,
      size: 24,
      epochs: 6,
      batchSize: 12,
      views: 'dihedral',
      seed: 1,
    });
    console.log(
      `quick separation: 1-NN ${before.accuracy.toFixed(3)} → ${after.accuracy.toFixed(3)}, silhouette ${before.silhouette.toFixed(3)} → ${after.silhouette.toFixed(3)}, loss ${losses.map((l) => l.toFixed(2)).join(' → ')}`,
    );
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(after.accuracy).toBeGreaterThan(1 / 3 + 0.25);
    expect(after.silhouette).toBeGreaterThan(0);
  }, 120_000);
});
