import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

// The library in ESM and CJS; `convert-worker` (the worker-thread script of convertDirectory) in
// ESM only: the pool of either build resolves `./convert-worker.js` next to the bundle with
// `new URL(..., import.meta.url)`, and the package is `"type": "module"`, so a CJS copy would
// never run. The two builds run at the same time, so neither cleans `dist`: it is cleaned here.
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

// quickhull3d is ESM-only; required from the CJS build, Node hands back its namespace and the
// default-import interop yields that object instead of the function. Bundled, esbuild links it.
const shared = { ...tsupBase, clean: false, noExternal: ['quickhull3d'] };

export default defineConfig([
  {
    ...shared,
    format: ['esm'],
    entry: { index: 'src/index.ts', 'convert-worker': 'src/convert/convert-worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  },
  { ...shared, format: ['cjs'], entry: { index: 'src/index.ts' } },
]);
