import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

export default defineConfig({
  ...tsupBase,
  // `convert-worker` is the worker-thread script of convertDirectory; it must sit next to the
  // bundle as dist/convert-worker.js (the pool resolves it with `new URL(..., import.meta.url)`).
  entry: { index: 'src/index.ts', 'convert-worker': 'src/convert/convert-worker.ts' },
  // quickhull3d is ESM-only; required from the CJS build, Node hands back its namespace and the
  // default-import interop yields that object instead of the function. Bundled, esbuild links it.
  noExternal: ['quickhull3d'],
});
