import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

// The library in ESM and CJS; `convert-worker` (the worker-thread script of convertDirectory) in
// ESM only: the pool of either build resolves `./convert-worker.js` next to the bundle with
// `new URL(..., import.meta.url)`, and the package is `"type": "module"`, so a CJS copy would
// never run. The two builds run at the same time, so neither cleans `dist`: it is cleaned here.
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

// quickhull3d is bundled, so it is only a devDependency (installs do not pull it and its
// dependencies). Bundling also fixes its interop: it is ESM-only, and required from the CJS build
// Node hands back its namespace, which the default-import interop yields instead of the function.
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
