import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The WebAssembly features the kernels use. */
const FEATURES = { simd: true, threads: true, bulk_memory: true };

/**
 * Compiles a `.wat` file of this folder with wabt (a development dependency: used by the build
 * script and the tests that keep each generated module in step with its source, never at run
 * time).
 */
export async function compileWat(file: string): Promise<Uint8Array> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const module = wabt.parseWat(file, readFileSync(path, 'utf8'), FEATURES);
  try {
    // wabt's typings omit validate's feature argument; without it shared memory is refused.
    (module.validate as (features: typeof FEATURES) => void)(FEATURES);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** Compiles row-kernels.wat. */
export function compileRowKernels(): Promise<Uint8Array> {
  return compileWat('row-kernels.wat');
}
