import { silhouetteScore } from '@cellshape/cluster';
import { encodeDataset } from '@cellshape/engine';
import { augmentBatch } from '../augment/index.js';
import { SiameseEncoder } from '../models/siamese-encoder.js';
import { normalizeImage } from '../preprocess/index.js';
import { CropDataset } from '../train/crop-dataset.js';
import { trainSiamese } from '../train/train-siamese.js';
import { dihedralBlurViews, type ViewFunction } from '../train/views.js';
import type { CellFamily2D } from './families-2d.js';
import { syntheticCrops2D } from './synthetic-crops.js';

/**
 * Test support: how well a Siamese encoder trained with Barlow Twins on drawn cells separates
 * their shape families — leave-one-out 1-NN accuracy and silhouette of the true families in
 * feature space, before and after training.
 */

/** Leave-one-out 1-nearest-neighbour accuracy of `labels` in the rows of `x` (`n × f`). */
export function leaveOneOutAccuracy(x: Float32Array, f: number, labels: Int32Array): number {
  const n = labels.length;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let [best, bestD] = [-1, Number.POSITIVE_INFINITY];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let k = 0; k < f; k++) d += (x[i * f + k]! - x[j * f + k]!) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (labels[best] === labels[i]) hits++;
  }
  return hits / n;
}

/** 1-NN accuracy and silhouette of the families in an encoder's features. */
export interface Separation {
  accuracy: number;
  silhouette: number;
}

/** Settings of {@link siameseSeparation}. */
export interface SeparationSettings {
  families: readonly CellFamily2D[];
  count: number;
  size: number;
  epochs: number;
  views: 'dihedral' | 'pbr' | 'fbr';
  batchSize: number;
  seed: number;
  /** Features F. Default 32. */
  features?: number;
  /** Nominal cell radius in pixels. Default `size / 4`. */
  radius?: number;
}

function viewsOf(views: SeparationSettings['views']): ViewFunction {
  if (views === 'dihedral') return dihedralBlurViews();
  return (batch, rng) => [
    augmentBatch(batch.data, batch.shape, batch.masks, rng, { blackout: views }),
    augmentBatch(batch.data, batch.shape, batch.masks, rng, { blackout: views }),
  ];
}

async function separation(encoder: SiameseEncoder, data: CropDataset, labels: Int32Array) {
  const { features, numFeatures } = await encodeDataset(encoder, data, { batchSize: 64 });
  const rows = Array.from({ length: labels.length }, (_, i) =>
    Array.from(features.subarray(i * numFeatures, (i + 1) * numFeatures)),
  );
  return {
    accuracy: leaveOneOutAccuracy(features, numFeatures, labels),
    silhouette: silhouetteScore(rows, Array.from(labels)),
  };
}

/** Trains a small Siamese encoder on z-scored drawn crops; separation before and after, and the losses. */
export async function siameseSeparation(s: SeparationSettings): Promise<{
  before: Separation;
  after: Separation;
  losses: number[];
}> {
  const crops = syntheticCrops2D({
    families: s.families,
    count: s.count,
    size: s.size,
    radius: s.radius ?? s.size / 4,
    seed: s.seed,
  });
  const plane = s.size * s.size;
  const data = new Float32Array(crops.images.length * plane);
  const masks = new Uint8Array(crops.images.length * plane);
  crops.images.forEach((image, i) => {
    data.set(normalizeImage(image, { method: 'zscore' }).data as Float32Array, i * plane);
    masks.set(crops.masks[i]!.data, i * plane);
  });
  const dataset = new CropDataset({
    data,
    shape: [crops.images.length, s.size, s.size, 1],
    ids: crops.ids,
    masks,
  });
  const encoder = new SiameseEncoder({
    inputShape: [s.size, s.size, 1],
    filters: [8, 16, 32],
    numFeatures: s.features ?? 32,
    dropout: 0,
    seed: s.seed,
  });
  try {
    const before = await separation(encoder, dataset, crops.labels);
    const result = await trainSiamese(encoder, dataset, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      lr: 2e-3,
      lambda: 0.01,
      seed: s.seed,
      views: viewsOf(s.views),
    });
    const after = await separation(encoder, dataset, crops.labels);
    return { before, after, losses: result.history.map((h) => h.loss) };
  } finally {
    encoder.dispose();
  }
}
