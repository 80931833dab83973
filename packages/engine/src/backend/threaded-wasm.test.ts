import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { selectBackend, WASM_THREADS_ENV_VAR, wasmThreadCount } from './index.js';
import {
  acceptWasmVersion,
  isTestedWasmVersion,
  THREADED_WASM_TESTED_VERSION,
} from './threaded-wasm.js';

describe('the tfjs-backend-wasm version check', () => {
  test('accepts the tested minor release, any patch', () => {
    expect(THREADED_WASM_TESTED_VERSION).toBe('4.22.0');
    for (const v of ['4.22.0', '4.22.3', '4.22.1-rc.0'])
      expect(isTestedWasmVersion(v), v).toBe(true);
  });

  test('refuses another minor or major release, and anything not a version', () => {
    for (const v of ['4.21.0', '4.23.0', '5.22.0', '4.2', '', 'latest', undefined, 4.22])
      expect(isTestedWasmVersion(v), String(v)).toBe(false);
    expect(isTestedWasmVersion('5.0.2', '5.0.0')).toBe(true);
  });

  test('warns once when the installed release is another one', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      expect(acceptWasmVersion('4.22.0')).toBe(true);
      expect(warn).not.toHaveBeenCalled();
      expect(acceptWasmVersion('4.23.0')).toBe(false);
      expect(acceptWasmVersion('4.24.1')).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(
        /@tensorflow\/tfjs-backend-wasm 4\.23\.0 is installed; .* 4\.22\.x only, so the stock single-threaded wasm backend runs/,
      );
    } finally {
      warn.mockRestore();
    }
  });
});

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
