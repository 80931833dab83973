import { CloudAutoEncoder, PointCloudDataset, trainAutoencoder } from '@cellshape/cloud';
import { encodeDataset, selectBackend } from '@cellshape/engine';
import { generateSyntheticCells, maskToPointCloud } from '@cellshape/helper';
import { beforeAll, describe, expect, it } from 'vitest';
import { kmeans } from './kmeans.js';
import { adjustedRandIndex } from './metrics/adjusted-rand-index.js';
import { trainIdec } from './train-idec.js';

// Synthetic cells of five shape families → 2048 surface points, resampled to 128 per cloud, in
// their PCA pose and unit-sphere normalised → a small CloudAutoEncoder (F = 16, k = 10, 8 × 8
// source grid) pretrained until its decoder has unfolded (60 epochs of batches of 4, lr 3e-4) →
// IDEC with trainIdec's defaults (γ = 100, lr 1e-4, centres at 100 × lr, batch norm in train
// mode, the model's own Chamfer loss), on two seeded data sets. IDEC assumes a converged
// autoencoder; the package README has the measurements behind these choices.
const FEATURES = 16;
const FAMILIES = 5;

describe.each([0, 1])(
  'trainIdec on pretrained CloudAutoEncoder features of synthetic cell families (seed %i)',
  (seed) => {
    let dataset: PointCloudDataset;
    let autoencoder: CloudAutoEncoder;
    let truth: Int32Array;

    beforeAll(async () => {
      await selectBackend('wasm');
      const { cells } = generateSyntheticCells({ count: 10, size: 40, seed });
      truth = Int32Array.from(cells.map((c) => c.label));
      const clouds = cells.map((c, i) => maskToPointCloud(c.mask, { numPoints: 2048, seed: i }));
      dataset = await PointCloudDataset.fromArrays(clouds, {
        numPoints: 128,
        normalise: 'pcaPoseUnitSphere',
        seed,
      });
      autoencoder = new CloudAutoEncoder({
        numFeatures: FEATURES,
        k: 10,
        numSourcePoints: 64,
        seed,
      });
      const pretraining = await trainAutoencoder(autoencoder, dataset, {
        epochs: 60,
        batchSize: 4,
        lr: 3e-4,
        seed,
      });
      // The decoder has unfolded: from the collapsed blob (~75 per cloud) to a fitted surface.
      expect(pretraining.loss).toBeLessThan(25);
    }, 1_800_000);

    it('with the defaults (γ = 100, lr 1e-4, centres at 100 × lr) recovers the families at least as well as k-means and stops by the label-change rule', async () => {
      // IDEC starts from k-means (10 restarts) on the same pretrained features.
      const pretrained = await encodeDataset(autoencoder, dataset, { batchSize: 16, seed });
      const km = kmeans(
        { data: pretrained.features, shape: [dataset.length, FEATURES] },
        FAMILIES,
        { restarts: 10, seed: 0 },
      );
      const result = await trainIdec(autoencoder, dataset, {
        numClusters: FAMILIES,
        epochs: 20,
        batchSize: 4,
        seed: 0,
        kmeansRestarts: 10,
        logPath: false,
      });
      expect(adjustedRandIndex(km.labels, result.initialLabels)).toBe(1);
      const ariKmeans = adjustedRandIndex(result.initialLabels, truth);
      const ariIdec = adjustedRandIndex(result.labels, truth);
      const changes = result.updates.slice(1).map((u) => u.labelChange ?? Number.NaN);
      const sizes = result.updates.at(-1)!.clusterSizes;
      let moved = 0;
      for (let i = 0; i < result.centres.data.length; i++)
        moved = Math.max(moved, Math.abs(result.centres.data[i]! - result.initialCentres.data[i]!));
      console.log(
        `seed ${seed}: ARI against the true families: k-means ${ariKmeans.toFixed(4)}, IDEC ${ariIdec.toFixed(4)}; centres moved up to ${moved.toExponential(2)}; label changes ${changes.map((c) => c.toFixed(3)).join(', ')}; sizes ${sizes.join(', ')}; stop: ${result.training.stopped?.reason}`,
      );
      expect(ariIdec).toBeGreaterThanOrEqual(ariKmeans);
      expect(result.converged).toBe(true);
      expect(moved).toBeGreaterThan(1e-2);
      expect(Math.min(...sizes)).toBeGreaterThan(0);
      expect(Math.max(...sizes)).toBeLessThan(dataset.length / 2);
    });
  },
);
