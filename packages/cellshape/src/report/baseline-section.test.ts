import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { runBaseline } from '../run/baseline.js';
import { CLASSICAL_COLUMNS } from '../run/feature-sets.js';
import { baselineSection } from './baseline-section.js';

/** A baseline where the classical measures (size) separate the families and learned features do not. */
function baseline() {
  const n = 40;
  const rng = createRng(3);
  const d = CLASSICAL_COLUMNS.length;
  const classical = new Float64Array(n * d);
  const learned = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    const size = i % 2 === 0 ? 1 : 2;
    for (let c = 0; c < d; c++) classical[i * d + c] = size * (1 + 0.05 * rng.normal());
    for (let c = 0; c < 4; c++) learned[i * 4 + c] = rng.normal();
  }
  return runBaseline({
    learned: { data: learned, shape: [n, 4] },
    classical: {
      columns: CLASSICAL_COLUMNS,
      values: { data: classical, shape: [n, d] },
      source: 'manifest',
      manifest: 'manifest.csv',
      spacing: [2.18, 1, 1],
      spacingFrom: 'option',
      missing: [],
    },
    metadata: Array.from({ length: n }, (_, i) => ({ Stage: i % 2 === 0 ? '8-cell' : '16-cell' })),
    clusters: Int32Array.from({ length: n }, (_, i) => i % 2),
    seed: 0,
  });
}

describe('baselineSection', () => {
  it('leads with the verdict, then the numbers of each set beside guessing, and the spacing', () => {
    const html = baselineSection({ baseline: JSON.parse(JSON.stringify(baseline())) });
    expect(html).toContain('id="baseline"');
    expect(html).toContain(
      'On this data, learned features separate Stage worse than classical measures',
    );
    expect(html).toMatch(/<th>classical measures<\/th><td>100 %<\/td>/);
    expect(html).toMatch(/always guessing the most common value<\/th><td>50 %/);
    expect(html).toContain('voxel size (z, y, x) 2.18, 1, 1 (given with --spacing)');
    expect(html).toContain('40 cells compared');
  });

  it('tells an older run how to get the comparison', () => {
    expect(baselineSection({})).toMatch(/summary\.json has no baseline.*retrain/);
  });
});
