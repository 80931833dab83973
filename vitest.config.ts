import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources through the `@cellshape/source` export condition,
// so no build is needed first. Slow tests (`*.slow.test.ts`) run only with CELLSHAPE_SLOW=1.
const slow = process.env.CELLSHAPE_SLOW === '1';

export default defineConfig({
  resolve: { conditions: ['@cellshape/source'] },
  ssr: { resolve: { conditions: ['@cellshape/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts'],
    exclude: slow ? ['**/node_modules/**'] : ['**/node_modules/**', '**/*.slow.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
