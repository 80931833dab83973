import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

// The library in ESM and CJS; its test helpers (`@cellshape/engine/test`) in ESM only, because
// they import vitest, which refuses `require()`. The ESM build of both entries is one build with
// code splitting, so the modules they share (backend selection) are one chunk: a process that
// loads both has one copy of the engine's module state. The two builds run at the same time, so
// neither cleans `dist` (one could delete what the other wrote): it is cleaned once, here.
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

export default defineConfig([
  {
    ...tsupBase,
    clean: false,
    format: ['esm'],
    entry: { index: 'src/index.ts', test: 'src/test/index.ts' },
    splitting: true,
  },
  { ...tsupBase, clean: false, format: ['cjs'], entry: { index: 'src/index.ts' } },
]);
