import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The WebAssembly features the kernel uses. */
const FEATURES = { simd: true };

/**
 * Compiles dot-block.wat with wabt (a development dependency: used by the build script and the
 * test that keeps the generated module in step with its source, never at run time).
 */
export async function compileDotBlock(): Promise<Uint8Array> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const path = fileURLToPath(new URL('./dot-block.wat', import.meta.url));
  const module = wabt.parseWat('dot-block.wat', readFileSync(path, 'utf8'), FEATURES);
  try {
    (module.validate as (features: typeof FEATURES) => void)(FEATURES);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
