import { describe, expect, test } from 'vitest';
import { compileWat } from './compile-wat.js';
import { CONV_KERNELS_WASM_BASE64 } from './conv-kernels-wasm.js';

describe('the generated convolution column kernels module', () => {
  test('is conv-kernels.wat compiled (run build:wasm after editing the .wat)', async () => {
    const compiled = Buffer.from(await compileWat('conv-kernels.wat')).toString('base64');
    expect(CONV_KERNELS_WASM_BASE64).toBe(compiled);
  });
});
