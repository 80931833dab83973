import {
  CloudAutoEncoder,
  chamferLoss,
  PointCloudDataset,
  trainAutoencoder,
} from '@cellshape/cloud';
import { selectBackend } from '@cellshape/engine';
import { generateSyntheticCells, maskToPointCloud } from '@cellshape/helper';
import { tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adjustedRandIndex } from './adjusted-rand-index.js';
import type { DenseMatrix } from './dense-matrix.js';
import { kmeans } from './kmeans.js';
import { hardLabels, labelChangeShare, softAssignment } from './soft-assignment.js';
import { trainIdec } from './train-idec.js';

// The demo's setting: synthetic cells of five shape families → 2048 surface points, resampled
// to 128 per cloud, unit-sphere normalised → a small CloudAutoEncoder (F = 16, k = 10, 8 × 8
// source grid) pretrained for 20 epochs → IDEC with the paper's settings (γ = 100, lr 1e-4).
const FEATURES = 16;
const FAMILIES = 5;
let dataset: PointCloudDataset;
let autoencoder: CloudAutoEncoder;
let truth: Int32Array;

/** Features of every cell (evaluation mode) at one epoch of the dataset (its resampling). */
async function encode(epoch: number): Promise<DenseMatrix<Float32Array>> {
  autoencoder.eval();
  const n = dataset.length;
  const data = new Float32Array(n * FEATURES);
  for await (const batch of dataset.batches({ batchSize: 16, shuffle: false, seed: 0, epoch })) {
    const z = tidy(() => autoencoder.encode(batch.points));
    const values = z.dataSync();
    z.dispose();
    batch.points.dispose();
    batch.indices.forEach((index, b) => {
      data.set(values.subarray(b * FEATURES, (b + 1) * FEATURES), index * FEATURES);
    });
  }
  autoencoder.train();
  return { data, shape: [n, FEATURES] };
}

beforeAll(async () => {
  await selectBackend('wasm');
  const { cells } = generateSyntheticCells({ count: 10, size: 40, seed: 0 });
  truth = Int32Array.from(cells.map((c) => c.label));
  const clouds = cells.map((c, i) => maskToPointCloud(c.mask, { numPoints: 2048, seed: i }));
  dataset = await PointCloudDataset.fromArrays(clouds, {
    numPoints: 128,
    normalise: 'unitSphere',
    seed: 0,
  });
  autoencoder = new CloudAutoEncoder({
    numFeatures: FEATURES,
    k: 10,
    numSourcePoints: 64,
    seed: 0,
  });
  // As the demo. The decoder has not unfolded yet (its output is still near the centroid), but
  // the features separate the families about as well as those of a longer pretraining.
  await trainAutoencoder(autoencoder, dataset, { epochs: 20, batchSize: 16, lr: 1e-3, seed: 0 });
}, 900_000);

describe('trainIdec on pretrained CloudAutoEncoder features of synthetic cell families', () => {
  it('resampled views alone move many hard labels (why IDEC reads one fixed view)', async () => {
    const f0 = await encode(0);
    const centres = kmeans(f0, FAMILIES, { restarts: 10, seed: 0 }).centres;
    const l0 = hardLabels(softAssignment(f0, centres));
    const l1 = hardLabels(softAssignment(await encode(1), centres));
    const change = labelChangeShare(l0, l1);
    console.log(`no training, epoch-1 resampling vs epoch 0: label change ${change.toFixed(3)}`);
    expect(change).toBeGreaterThan(0.05);
  });

  // Not asserted (issue #5 open): IDEC ≥ k-means and the stop rule firing. On this small,
  // not yet unfolded autoencoder they hold for some seeds and not others (IDEC − k-means from
  // −0.13 to +0.08); the comparison is printed.
  it('with the settings of the paper (γ = 100, lr 1e-4) trains the centres without collapsing a cluster', async () => {
    // IDEC starts from k-means (10 restarts) on the same pretrained features.
    const km = kmeans(await encode(0), FAMILIES, { restarts: 10, seed: 0 });
    const result = await trainIdec(autoencoder, dataset, {
      numClusters: FAMILIES,
      reconstructionLoss: (x, y) => chamferLoss(x, y),
      epochs: 20,
      batchSize: 16,
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
      `ARI against the true families: k-means ${ariKmeans.toFixed(4)}, IDEC ${ariIdec.toFixed(4)}; centres moved up to ${moved.toExponential(2)}; label changes ${changes.map((c) => c.toFixed(3)).join(', ')}; sizes ${sizes.join(', ')}; stop: ${result.training.stopped?.reason}`,
    );
    expect(moved).toBeGreaterThan(1e-3);
    expect(result.updates.length).toBeGreaterThan(1);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan(dataset.length / 2);
  });
});
