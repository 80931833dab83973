import { InvalidArgumentError, UnsupportedError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test } from 'vitest';
import { BACKEND_ENV_VAR, type BackendName, currentBackend, selectBackend } from './index.js';
import { importFailure } from './select-backend.js';

const saved = process.env[BACKEND_ENV_VAR];
afterEach(() => {
  if (saved === undefined) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = saved;
});

describe('selectBackend', () => {
  test.each(['cpu', 'wasm'] as const)('forces %s and computes on it', async (name) => {
    expect(await selectBackend(name)).toBe(name);
    expect(currentBackend()).toBe(name);
    expect(tf.getBackend()).toBe(name);
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(product.dataSync())).toEqual([11]);
  });

  test('honours CELLSHAPE_BACKEND when no argument is given', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    expect(await selectBackend()).toBe('cpu');
    process.env[BACKEND_ENV_VAR] = 'WASM';
    expect(await selectBackend()).toBe('wasm');
  });

  test('takes an options object, with backend packages the caller imported', async () => {
    const cpu = await import('@tensorflow/tfjs-backend-cpu');
    expect(await selectBackend({ backend: 'cpu', modules: { cpu } })).toBe('cpu');
    expect(currentBackend()).toBe('cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    expect(await selectBackend({ backend: 'wasm', modules: { wasm } })).toBe('wasm');
    expect(await selectBackend({ backend: 'cpu' })).toBe('cpu');
  });

  test('refuses modules under names that are not backends, and unknown backends', async () => {
    await expect(selectBackend({ modules: { webgl: {} } as never })).rejects.toThrow(
      /selectBackend: 'options\.modules\.webgl' must be an imported module of tensorflow, wasm, cpu/,
    );
    await expect(selectBackend({ modules: { cpu: 'cpu' } as never })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(selectBackend({ backend: 'webgl' as BackendName })).rejects.toThrow(
      /'options\.backend' must be one of tensorflow, wasm, cpu/,
    );
  });

  test('the argument wins over the environment', async () => {
    process.env[BACKEND_ENV_VAR] = 'wasm';
    expect(await selectBackend('cpu')).toBe('cpu');
  });

  test('picks the fastest available backend automatically (wasm without tfjs-node)', async () => {
    delete process.env[BACKEND_ENV_VAR];
    const chosen = await selectBackend();
    expect(['tensorflow', 'wasm']).toContain(chosen);
    expect(currentBackend()).toBe(chosen);
  });

  test('a forced backend that cannot load throws UnsupportedError naming it', async () => {
    const error = await selectBackend('tensorflow').catch((e: unknown) => e);
    // tfjs-node is not installed here; where it is, the call succeeds.
    if (error instanceof Error) {
      expect(error).toBeInstanceOf(UnsupportedError);
      expect(error.message).toMatch(
        /^selectBackend: backend 'tensorflow' is not available: @tensorflow\/tfjs-node is not installed \(an optional peer dependency of @cellshape\/engine: npm install @tensorflow\/tfjs-node\)$/,
      );
    } else expect(error).toBe('tensorflow');
  });

  test('a missing optional backend package is named with its install command', () => {
    const missing = Object.assign(
      new Error("Cannot find package '@tensorflow/tfjs-backend-wasm'"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    expect(importFailure('wasm', missing)).toBe(
      '@tensorflow/tfjs-backend-wasm is not installed (an optional peer dependency of @cellshape/engine: npm install @tensorflow/tfjs-backend-wasm)',
    );
    expect(importFailure('cpu', { code: 'MODULE_NOT_FOUND' })).toMatch(
      /^@tensorflow\/tfjs-backend-cpu is not installed/,
    );
    expect(importFailure('tensorflow', new Error('libtensorflow.so: cannot open'))).toBe(
      'cannot import @tensorflow/tfjs-node (libtensorflow.so: cannot open)',
    );
  });

  test('invalid names throw InvalidArgumentError', async () => {
    await expect(selectBackend('gpu' as BackendName)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(selectBackend('gpu' as BackendName)).rejects.toThrow(
      /selectBackend: 'preferred' must be one of/,
    );
    process.env[BACKEND_ENV_VAR] = 'webgl';
    await expect(selectBackend()).rejects.toThrow(/CELLSHAPE_BACKEND must be one of/);
  });
});
