/**
 * Real-data check of the voxel autoencoder (issue 13): the QCANet mouse-embryo nuclei of an
 * 8-cell and a 16-cell embryo (../shared/data/masks3d, voxel aspect z:y:x = 2.18:1:1), one
 * object per connected component, made isotropic and centred in a 32³ cube without rescaling
 * (`fit: 'crop'`), so the features see each nucleus at its true size. A small simple-encoder
 * autoencoder trains for a few minutes; leave-one-out 1-NN accuracy of its features by stage
 * is printed beside the majority rate and the same 1-NN on voxel count alone.
 *
 *   node --conditions=@cellshape/source --import tsx packages/voxel/scripts/real-nuclei.ts [epochs]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@cellshape/engine';
import {
  extractVoxelFeatures,
  trainVoxelAutoencoder,
  VoxelAutoEncoder,
  VoxelDataset,
} from '@cellshape/voxel';

const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'masks3d');
const FILES = ['qcanet_8cell_nuclei_binary.tif', 'qcanet_16cell_nuclei_binary.tif'];

/** Leave-one-out 1-NN accuracy of rows of `x` (n × d) against their labels. */
function looNearestNeighbour(x: Float32Array | Float64Array, d: number, labels: string[]): number {
  const n = labels.length;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    let label = '';
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (x[i * d + c]! - x[j * d + c]!) ** 2;
      if (s < best) [best, label] = [s, labels[j]!];
    }
    if (label === labels[i]) right++;
  }
  return right / n;
}

async function main(): Promise<void> {
  if (!FILES.every((f) => existsSync(join(DATA, f)))) {
    console.log(`SKIPPED: the QCANet masks are not in ${DATA}`);
    return;
  }
  const epochs = Number(process.argv[2] ?? 60);
  const backend = await selectBackend();
  const dir = mkdtempSync(join(tmpdir(), 'voxel-nuclei-'));
  try {
    mkdirSync(join(dir, 'masks'));
    for (const f of FILES) symlinkSync(join(DATA, f), join(dir, 'masks', f));
    const common = { cubeSize: 32, fit: 'crop', objects: 'components', minSize: 50 } as const;
    const data = await VoxelDataset.fromFolder(join(dir, 'masks'), common);
    const train = await VoxelDataset.fromFolder(join(dir, 'masks'), {
      ...common,
      augment: { rotate: true, flip: true },
    });
    const stage = data.ids.map((id) => (id.includes('8cell') ? '8-cell' : '16-cell'));
    const model = new VoxelAutoEncoder({
      inputShape: [32, 32, 32, 1],
      filters: [8, 16, 32],
      numFeatures: 8,
      loss: 'dice-bce',
      seed: 0,
    });
    const started = performance.now();
    const result = await trainVoxelAutoencoder(model, train, { epochs, batchSize: 4, lr: 3e-3 });
    const seconds = (performance.now() - started) / 1000;
    const { features, numFeatures } = await extractVoxelFeatures(model, data);
    const sizes = new Float64Array(data.length);
    let i = 0;
    for await (const batch of data.batches({ batchSize: 1, shuffle: false })) {
      let count = 0;
      for (const v of await batch.input.data()) count += Number(v);
      sizes[i++] = count;
      batch.input.dispose();
    }
    const majority =
      Math.max(...['8-cell', '16-cell'].map((s) => stage.filter((t) => t === s).length)) /
      stage.length;
    const losses = result.history.map((h) => h.loss);
    console.log(
      JSON.stringify({
        backend,
        objects: data.length,
        epochs,
        trainSeconds: Math.round(seconds),
        loss: [losses[0], losses.at(-1)],
        looNearestNeighbour: {
          learned: looNearestNeighbour(features, numFeatures, stage),
          voxelCount: looNearestNeighbour(sizes, 1, stage),
          majority,
        },
      }),
    );
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
