import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { mcNemarExact, runBaseline } from './baseline.js';
import { CLASSICAL_COLUMNS, type ClassicalTable } from './feature-sets.js';

const N = 48;
const family = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 'A' : 'B'));

/** Learned features: 6 noise columns, shifted by `shift` along the first for family B. */
function learned(seed: number, shift: number) {
  const rng = createRng(seed);
  const data = new Float64Array(N * 6);
  for (let i = 0; i < N; i++)
    for (let c = 0; c < 6; c++)
      data[i * 6 + c] = rng.normal() + (c === 0 && family[i] === 'B' ? shift : 0);
  return { data, shape: [N, 6] as [number, number] };
}

/**
 * Classical measures of a ball-like cell: every measure drawn around a ball's, with family B
 * `scale` times larger (volumes scale³), the shape ratios shared.
 */
function classical(seed: number, scale: number): ClassicalTable {
  const rng = createRng(seed);
  const d = CLASSICAL_COLUMNS.length;
  const data = new Float64Array(N * d);
  for (let i = 0; i < N; i++) {
    const s = (family[i] === 'B' ? scale : 1) * (1 + 0.05 * rng.normal());
    const row: Record<string, number> = {
      volume: 4.19 * s ** 3,
      sphericity: 0.9 + 0.02 * rng.normal(),
      extent_x: 2 * s,
      extent_y: 2 * s * (1 + 0.05 * rng.normal()),
      extent_z: 2 * s * (1 + 0.05 * rng.normal()),
      axis_major: 2.2 * s,
      axis_intermediate: 2 * s,
      axis_minor: 1.8 * s,
      elongation: 0.9 + 0.03 * rng.normal(),
      flatness: 0.9 + 0.03 * rng.normal(),
      convex_hull_volume: 4.4 * s ** 3,
      solidity: 0.95 + 0.01 * rng.normal(),
      area: 12.6 * s ** 2 * (1 + 0.02 * rng.normal()),
    };
    CLASSICAL_COLUMNS.forEach((c, k) => {
      data[i * d + k] = row[c]!;
    });
  }
  return {
    columns: CLASSICAL_COLUMNS,
    values: { data, shape: [N, d] },
    source: 'manifest',
    manifest: '/x/manifest.csv',
    spacing: [2.18, 1, 1],
    spacingFrom: 'file',
    missing: [],
  };
}

const metadata = family.map((f) => ({ family: f }));
const clusters = Int32Array.from(family, (f) => (f === 'A' ? 0 : 1));

describe('runBaseline', () => {
  it('finds families only the learned features separate (same classical measures)', () => {
    const b = runBaseline({
      learned: learned(1, 10),
      classical: classical(2, 1),
      metadata,
      clusters,
      seed: 0,
    });
    expect(b.sets).toEqual(['learned', 'classical', 'both']);
    const [col] = b.columns;
    expect(col!.column).toBe('family');
    expect(col!.majority).toBe(0.5);
    expect(col!.scores.learned!.nearestNeighbour).toBeGreaterThan(0.95);
    expect(col!.scores.classical!.nearestNeighbour).toBeLessThan(0.75);
    expect(col!.scores.learned!.classifier!.accuracy).toBeGreaterThan(0.9);
    expect(col!.scores.learned!.silhouette!).toBeGreaterThan(col!.scores.classical!.silhouette!);
    expect(col!.winner).toBe('learned');
    expect(col!.pValue!).toBeLessThan(0.05);
    expect(col!.verdict).toMatch(/learned features separate family better than classical measures/);
  });

  it('finds families only the classical measures separate (same shape, twice the size)', () => {
    const b = runBaseline({
      learned: learned(3, 0),
      classical: classical(4, 2),
      metadata,
      clusters,
      seed: 0,
    });
    const [col] = b.columns;
    expect(col!.scores.classical!.nearestNeighbour).toBeGreaterThan(0.95);
    // Both together keeps what the classical measures know.
    expect(col!.scores.both!.nearestNeighbour).toBeGreaterThan(0.8);
    expect(col!.winner).toBe('classical');
    expect(col!.verdict).toMatch(/learned features separate family worse than classical measures/);
    expect(b.classical!.spacing).toEqual([2.18, 1, 1]);
  });

  it('calls a tie a tie, and says when nothing beats guessing', () => {
    const b = runBaseline({
      learned: learned(5, 0),
      classical: classical(6, 1),
      metadata,
      clusters,
      seed: 0,
    });
    const [col] = b.columns;
    expect(col!.winner).toBe('tie');
    expect(col!.verdict).toMatch(/the difference could be chance/);
    expect(col!.verdict).toMatch(/Neither set predicts family much better than guessing/);
  });

  it('without metadata, compares the clusters of each feature set (ARI)', () => {
    const b = runBaseline({
      learned: learned(7, 6),
      classical: classical(8, 2),
      metadata: [],
      clusters,
      seed: 0,
    });
    expect(b.columns).toEqual([]);
    // Both sets split A from B: the clusters agree.
    expect(b.clusterAgreement!.learnedVsClassical).toBeGreaterThan(0.9);
    expect(b.findings.join(' ')).toMatch(/No metadata column to predict.*ARI 1\.00/);
  });

  it('without classical measures, reports the learned features alone', () => {
    const b = runBaseline({ learned: learned(9, 6), classical: null, metadata, clusters, seed: 0 });
    expect(b.sets).toEqual(['learned']);
    expect(b.columns[0]!.winner).toBeNull();
    expect(b.findings.join(' ')).toMatch(/No classical measures found/);
  });
});

describe('mcNemarExact', () => {
  it('is the two-sided binomial tail of the discordant pairs', () => {
    expect(mcNemarExact(0, 0)).toBe(1);
    // 10 vs 0: 2 · 0.5¹⁰.
    expect(mcNemarExact(10, 0)).toBeCloseTo(2 / 1024, 12);
    // 5 vs 5 is as balanced as can be.
    expect(mcNemarExact(5, 5)).toBe(1);
    // scipy.stats.binomtest(2, 12).pvalue = 0.03857421875.
    expect(mcNemarExact(2, 10)).toBeCloseTo(0.03857421875, 10);
  });
});
