import { defineConfig } from 'tsup';

export default defineConfig({
  // `convert-worker` is the worker-thread script of convertDirectory; it must sit next to the
  // bundle as dist/convert-worker.js (the pool resolves it with `new URL(..., import.meta.url)`).
  entry: { index: 'src/index.ts', 'convert-worker': 'src/convert/convert-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
});
