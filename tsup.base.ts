import type { Options } from 'tsup';

/**
 * The build every package shares: ESM + CJS bundles for Node 20 with declarations. Each
 * package's `tsup.config.ts` spreads it and adds its own `entry`. No source maps: they pointed
 * at `src/`, which the tarballs do not ship, and made up ~60 % of each package; the bundles are
 * not minified, so a stack trace already names the readable function and line.
 */
export const tsupBase = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: false,
  clean: true,
  target: 'node20',
  // `import.meta.url` / `__dirname` work in both formats.
  shims: true,
} satisfies Options;
