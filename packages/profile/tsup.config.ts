import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

// The library in ESM and CJS; `crop-worker` (the worker-thread script of cropFolder) in ESM
// only: the pool resolves `./crop-worker.js` next to the bundle with `new URL(...,
// import.meta.url)`, and the package is `"type": "module"`, so a CJS copy would never run. The
// two builds run at the same time, so neither cleans `dist`: it is cleaned here.
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

const shared = { ...tsupBase, clean: false };

export default defineConfig([
  {
    ...shared,
    format: ['esm'],
    entry: { index: 'src/index.ts', 'crop-worker': 'src/crops/crop-worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  },
  { ...shared, format: ['cjs'], entry: { index: 'src/index.ts' } },
]);
