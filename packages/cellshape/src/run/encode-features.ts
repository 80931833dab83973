import { type ProgressCallback, reportProgress } from '@cellshape/core';
import { type Dataset, disposeBatch, type Encoder } from '@cellshape/engine';
import { tidy } from '@tensorflow/tfjs-core';

/** Features of every sample of `dataset`, in dataset order, by `model` in evaluation mode. */
export async function encodeFeatures(
  model: Encoder,
  dataset: Dataset,
  options: { batchSize: number; onProgress?: ProgressCallback },
): Promise<{ features: Float32Array; numFeatures: number }> {
  const rows: Float32Array[] = [];
  let done = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for await (const batch of dataset.batches({
      batchSize: options.batchSize,
      shuffle: false,
      seed: 0,
      epoch: 0,
      dropLast: false,
    })) {
      try {
        const z = tidy(() => model.encode(batch.input));
        rows.push(z.dataSync() as Float32Array);
        z.dispose();
      } finally {
        disposeBatch(batch);
      }
      done += batch.ids.length;
      reportProgress(options.onProgress, {
        phase: 'extract',
        done,
        total: dataset.length,
        message: `${done}/${dataset.length} cells`,
      });
    }
  } finally {
    model.train(wasTraining);
  }
  const features = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let offset = 0;
  for (const r of rows) {
    features.set(r, offset);
    offset += r.length;
  }
  return { features, numFeatures: model.numFeatures };
}
