import { selectBackend } from '@cellshape/engine';
import {
  generateSyntheticCells,
  maskToPointCloud,
  pcaPose,
  scaleToUnitSphere,
} from '@cellshape/helper';
import { beforeAll, describe, expect, it } from 'vitest';
import { PointCloudDataset } from '../data/index.js';
import { CloudAutoEncoder } from '../model/index.js';
import { extractFeatures } from './extract-features.js';
import { trainAutoencoder } from './train-autoencoder.js';

// The DGCNN + FoldingNet autoencoder on a small configuration (N = 128, k = 8, F = 16,
// M = 64): minutes on the cpu backend, so it runs only with CELLSHAPE_SLOW=1.
const FAMILIES = ['round', 'elongated', 'flat', 'protrusive'] as const;

describe('trainAutoencoder with CloudAutoEncoder (slow)', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('lowers the Chamfer loss and yields features that separate shape families', async () => {
    const { cells } = generateSyntheticCells({ count: 4, families: FAMILIES, size: 32, seed: 5 });
    const clouds = cells.map((c, i) =>
      scaleToUnitSphere(pcaPose(maskToPointCloud(c.mask, { numPoints: 256, seed: i })).cloud),
    );
    const dataset = await PointCloudDataset.fromArrays(clouds, {
      numPoints: 128,
      normalise: 'none',
      ids: cells.map((c) => c.id),
      metadata: cells.map((c) => ({ family: c.family })),
    });
    const model = new CloudAutoEncoder({ numFeatures: 16, k: 8, numSourcePoints: 64, seed: 0 });
    const result = await trainAutoencoder(model, dataset, {
      epochs: 6,
      batchSize: 8,
      lr: 1e-3,
      seed: 0,
    });
    const losses = result.history.map((h) => h.loss);
    expect(Math.min(...losses.slice(-2))).toBeLessThan(0.8 * losses[0]!);

    const { features: f, numFeatures: d, metadata } = await extractFeatures(model, dataset);
    const n = metadata.length;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestDist = Number.POSITIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        let dist = 0;
        for (let k = 0; k < d; k++) dist += (f[i * d + k]! - f[j * d + k]!) ** 2;
        if (dist < bestDist) [best, bestDist] = [j, dist];
      }
      if (metadata[best]!.family === metadata[i]!.family) correct++;
    }
    console.log(
      `DGCNN: loss ${losses.map((l) => l.toFixed(3)).join(' → ')}; 1-NN family accuracy ${(correct / n).toFixed(3)} (chance 0.25)`,
    );
    expect(correct / n).toBeGreaterThan(0.5);
    model.dispose();
  }, 1_800_000);
});
