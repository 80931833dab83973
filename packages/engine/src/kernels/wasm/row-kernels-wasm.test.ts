import { describe, expect, test } from 'vitest';
import { compileRowKernels } from './compile-wat.js';
import { ROW_KERNELS_WASM_BASE64 } from './row-kernels-wasm.js';

describe('the generated row-kernels module', () => {
  test('is row-kernels.wat compiled (run build:wasm after editing the .wat)', async () => {
    const compiled = Buffer.from(await compileRowKernels()).toString('base64');
    expect(ROW_KERNELS_WASM_BASE64).toBe(compiled);
  });
});
