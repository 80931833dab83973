import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

// Two entries: the library and its test helpers (`@cellshape/engine/test`). Code splitting in
// both formats puts the modules they share (backend selection) in one chunk, so a process that
// loads both entries has one copy of the engine's module state.
export default defineConfig({
  ...tsupBase,
  entry: { index: 'src/index.ts', test: 'src/test/index.ts' },
  splitting: true,
});
