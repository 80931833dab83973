import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, WASM_THREADS_ENV_VAR, wasmThreadCount } from './index.js';

/** A seeded product large enough for XNNPACK to split it over its threads, as a hash. */
const PRODUCT = `
  const a = tf.randomUniform([300, 200], -1, 1, 'float32', 1);
  const b = tf.randomUniform([200, 150], -1, 1, 'float32', 2);
  const bytes = new Uint8Array(tf.matMul(a, b).dataSync().buffer);
`;

/** The same snippet evaluated here, on the threaded build. */
function productHash(): string {
  const bytes = new Function('tf', `${PRODUCT} return bytes;`)(tf) as Uint8Array;
  return createHash('sha256').update(bytes).digest('hex');
}

describe('the threaded wasm build', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  test('runs one XNNPACK thread per core (at most 8) unless told otherwise', () => {
    const cores = Math.min(availableParallelism(), 8);
    const env = Number(process.env[WASM_THREADS_ENV_VAR]);
    expect(wasmThreadCount()).toBe(Number.isInteger(env) && env >= 1 ? Math.min(env, 8) : cores);
  });

  test('gives bit-identical products to the single-threaded build', () => {
    const code = `
      import * as tf from '@tensorflow/tfjs-core';
      import { createHash } from 'node:crypto';
      import { selectBackend, wasmThreadCount } from '@cellshape/engine';
      await selectBackend('wasm');
      ${PRODUCT}
      console.log(wasmThreadCount(), createHash('sha256').update(bytes).digest('hex'));
    `;
    const child = spawnSync(
      process.execPath,
      ['--conditions=@cellshape/source', '--import', 'tsx', '--input-type=module', '-e', code],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: { ...process.env, [WASM_THREADS_ENV_VAR]: '1' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe('');
    const [threads, hash] = child.stdout.trim().split(' ');
    expect(threads).toBe('1');
    expect(productHash()).toBe(hash);
  });
});
