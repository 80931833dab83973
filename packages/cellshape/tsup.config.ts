import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

export default defineConfig({
  ...tsupBase,
  // `cli/main` is the `cellshape` binary (package.json `bin`); esbuild keeps its shebang.
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
});
