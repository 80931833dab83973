import { describe, expect, test } from 'vitest';
import { compileWat } from './compile-wat.js';
import { FUSED_KERNELS_WASM_BASE64 } from './fused-kernels-wasm.js';

describe('the generated fused kernels module', () => {
  test('is fused-kernels.wat compiled (run build:wasm after editing the .wat)', async () => {
    const compiled = Buffer.from(await compileWat('fused-kernels.wat')).toString('base64');
    expect(FUSED_KERNELS_WASM_BASE64).toBe(compiled);
  });
});
