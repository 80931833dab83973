import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseNpz } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_GOLDEN_DIR, SHARED_GOLDEN_DIR } from '../test-utils/index.js';
import { importTorchCheckpoint } from './import-checkpoint.js';

// Full forward of the PyTorch golden checkpoints (small.pt, basic.pt of the shared reference
// harness) after importing the .pt: features and reconstructions as PyTorch within 1e-4.
const golden = (name: string): string | undefined =>
  [resolve(LOCAL_GOLDEN_DIR, name), resolve(SHARED_GOLDEN_DIR, name)].find((p) => existsSync(p));
const HAVE_GOLDEN = golden('small.pt') !== undefined && golden('basic.pt') !== undefined;
if (!HAVE_GOLDEN)
  console.warn(`SKIPPED: PyTorch .pt forward tests need ${SHARED_GOLDEN_DIR}/{small,basic}.pt`);

beforeAll(async () => {
  await selectBackend('cpu');
});

describe.skipIf(!HAVE_GOLDEN)('importTorchCheckpoint: forward of PyTorch checkpoints (cpu)', () => {
  it.each(['small', 'basic'])('%s.pt: eval features and reconstruction within 1e-4', (name) => {
    const arrays = parseNpz(readFileSync(golden(`${name}.npz`)!));
    const model = importTorchCheckpoint(golden(`${name}.pt`)!, {
      k: Number(arrays.k!.data[0]),
    }).eval();
    const input = tf.tensor(arrays.input!.data as Float32Array, arrays.input!.shape);
    const { features, reconstruction } = model.forward(input);
    expect(reconstruction.shape).toEqual(arrays.eval_recon!.shape);
    expectTensorsClose(features, arrays.eval_features!, { label: `${name} features` });
    expectTensorsClose(reconstruction, arrays.eval_recon!, { label: `${name} reconstruction` });
    tf.dispose([input, features, reconstruction]);
    model.dispose();
  });
});
