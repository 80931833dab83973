import type { Options } from 'tsup';

/**
 * The build every package shares: ESM + CJS bundles for Node 20 with declarations and source maps.
 * Each package's `tsup.config.ts` spreads it and adds its own `entry`.
 */
export const tsupBase = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // `import.meta.url` / `__dirname` work in both formats.
  shims: true,
} satisfies Options;
