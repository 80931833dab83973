import { selectBackend } from '@cellshape/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { siameseSeparation } from './test-separation.js';

beforeAll(async () => {
  await selectBackend();
});

// Four shape families (chance: 1-NN 0.25, silhouette ≈ 0), 192 crops of 48×48, 40 epochs of
// Barlow Twins with each kind of views: about 10 s per case on 2 quiet cores. The numbers
// measured when this was written are in docs/profile.md.
describe.each(['dihedral', 'pbr', 'fbr'] as const)(
  'a Siamese encoder trained with %s views on drawn cells',
  (views) => {
    it('lowers the loss and separates round, elongated, protrusive and lobed cells', async () => {
      const { before, after, losses } = await siameseSeparation({
        families: ['round', 'elongated', 'protrusive', 'lobed'],
        count: 48,
        size: 48,
        epochs: 40,
        batchSize: 64,
        features: 32,
        views,
        seed: 1,
      });
      console.log(
        `${views}: 1-NN ${before.accuracy.toFixed(3)} → ${after.accuracy.toFixed(3)}, silhouette ${before.silhouette.toFixed(3)} → ${after.silhouette.toFixed(3)}, loss ${losses[0]!.toFixed(2)} → ${losses.at(-1)!.toFixed(2)}`,
      );
      expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
      expect(after.accuracy).toBeGreaterThan(0.25 + 0.25);
      expect(after.silhouette).toBeGreaterThan(0.02);
    }, 1_200_000);
  },
);
