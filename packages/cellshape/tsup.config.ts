import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli/main` is the `cellshape` binary (package.json `bin`); esbuild keeps its shebang.
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
});
