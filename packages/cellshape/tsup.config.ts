import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

// The library in ESM and CJS; `cli/main`, the `cellshape` binary (package.json `bin`), in ESM
// only (nothing requires it; esbuild keeps its shebang). The ESM build of both entries is one
// build with code splitting, so they share one chunk. The two builds run at the same time, so
// neither cleans `dist`: it is cleaned once, here.
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

export default defineConfig([
  {
    ...tsupBase,
    clean: false,
    format: ['esm'],
    entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  },
  { ...tsupBase, clean: false, format: ['cjs'], entry: { index: 'src/index.ts' } },
]);
