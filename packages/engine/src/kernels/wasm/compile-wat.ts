import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The WebAssembly features the row kernels use. */
const FEATURES = { simd: true, threads: true, bulk_memory: true };

/**
 * Compiles row-kernels.wat with wabt (a development dependency: used by the build script and
 * the test that keeps the generated module in step with its source, never at run time).
 */
export async function compileRowKernels(): Promise<Uint8Array> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const path = fileURLToPath(new URL('./row-kernels.wat', import.meta.url));
  const module = wabt.parseWat('row-kernels.wat', readFileSync(path, 'utf8'), FEATURES);
  try {
    // wabt's typings omit validate's feature argument; without it shared memory is refused.
    (module.validate as (features: typeof FEATURES) => void)(FEATURES);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
