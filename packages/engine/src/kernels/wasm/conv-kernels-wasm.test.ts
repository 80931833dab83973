import { describe, expect, test } from 'vitest';
import { compileWat } from './compile-wat.js';
import { CONV_KERNELS_RELAXED_WASM_BASE64, CONV_KERNELS_WASM_BASE64 } from './conv-kernels-wasm.js';

describe('the generated convolution column kernels module', () => {
  test.each([
    ['plain', CONV_KERNELS_WASM_BASE64],
    ['relaxed', CONV_KERNELS_RELAXED_WASM_BASE64],
  ] as const)(
    'its %s build is conv-kernels.wat compiled (run build:wasm after editing the .wat)',
    async (variant, generated) => {
      const compiled = Buffer.from(await compileWat('conv-kernels.wat', variant)).toString(
        'base64',
      );
      expect(generated).toBe(compiled);
    },
  );
});
