import type { ProgressEvent } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { dbscan } from './density/dbscan.js';
import { hdbscan } from './density/hdbscan.js';
import { silhouetteSamples, silhouetteScore } from './metrics/silhouette.js';
import { gaussianBlobs } from './test-utils/blobs.js';

/** The events of one run, checked to rise to their total within each phase. */
function collect(run: (onProgress: (e: ProgressEvent) => void) => unknown): ProgressEvent[] {
  const events: ProgressEvent[] = [];
  run((e) => events.push(e));
  const phases = [...new Set(events.map((e) => e.phase))];
  for (const phase of phases) {
    const mine = events.filter((e) => e.phase === phase);
    expect(
      mine.every((e, i) => i === 0 || e.done > mine[i - 1]!.done),
      phase,
    ).toBe(true);
    expect(mine.at(-1)!.done, phase).toBe(mine.at(-1)!.total);
  }
  return events;
}

describe('progress of the long analysis functions', () => {
  // Enough samples for several blocks of pairs.
  const { points, labels } = gaussianBlobs({
    k: 3,
    perCluster: 300,
    dim: 4,
    spread: 6,
    std: 1,
    seed: 2,
  });

  it('silhouette reports its distance blocks and gives the same score', () => {
    let score = 0;
    const events = collect((onProgress) => {
      score = silhouetteScore(points, labels, { onProgress });
    });
    expect(new Set(events.map((e) => e.phase))).toEqual(new Set(['silhouette']));
    expect(events.length).toBeGreaterThan(1);
    expect(score).toBe(silhouetteScore(points, labels));
    expect(collect((onProgress) => silhouetteSamples(points, labels, { onProgress })).length).toBe(
      events.length,
    );
  });

  it('dbscan reports its neighbourhood search', () => {
    const events = collect((onProgress) => dbscan(points, { eps: 1.5, minSamples: 5, onProgress }));
    expect(new Set(events.map((e) => e.phase))).toEqual(new Set(['neighbours']));
  });

  it('hdbscan reports core distances, then the spanning tree', () => {
    const events = collect((onProgress) => hdbscan(points, { minClusterSize: 10, onProgress }));
    const phases = events.map((e) => e.phase);
    expect([...new Set(phases)]).toEqual(['core distances', 'spanning tree']);
    expect(events.at(-1)).toMatchObject({ phase: 'spanning tree', done: 899, total: 899 });
  });

  it('rejects a progress callback that is not a function', () => {
    const bad = { onProgress: 'yes' as never };
    expect(() => silhouetteScore(points, labels, bad)).toThrow(
      /silhouetteScore: 'options.onProgress'/,
    );
    expect(() => dbscan(points, bad)).toThrow(/dbscan: 'options.onProgress'/);
    expect(() => hdbscan(points, bad)).toThrow(/hdbscan: 'options.onProgress'/);
  });
});
