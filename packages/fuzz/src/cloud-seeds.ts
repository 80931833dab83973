import { CloudAutoEncoder } from '@cellshape/cloud';
import { exportTorchCheckpoint, selectBackend } from '@cellshape/engine';

/** A small DGCNN + FoldingNet model's `.pt` (16 features, k = 4), as `exportTorchCheckpoint` writes it. */
export async function cloudSeeds(): Promise<Uint8Array[]> {
  await selectBackend('cpu');
  const model = new CloudAutoEncoder({ numFeatures: 16, k: 4, seed: 3 });
  try {
    return [exportTorchCheckpoint(model, { epoch: 1, loss: 0.5 })];
  } finally {
    model.dispose();
  }
}
