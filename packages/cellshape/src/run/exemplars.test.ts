import { describe, expect, it } from 'vitest';
import { chooseExemplars, exemplarClusters } from './exemplars.js';

describe('chooseExemplars', () => {
  const q = {
    data: Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.7, 0.3, 0.2, 0.8, 0.95, 0.05),
    shape: [5, 2] as [number, number],
  };
  const labels = Int32Array.of(0, 0, 0, 1, 0);

  it('keeps the members of each cluster with the highest q, best first', () => {
    expect(chooseExemplars(q, labels)).toEqual([
      {
        cluster: 0,
        size: 4,
        members: [
          { index: 4, q: 0.95 },
          { index: 0, q: 0.9 },
          { index: 2, q: 0.7 },
        ],
      },
      { cluster: 1, size: 1, members: [{ index: 3, q: 0.8 }] },
    ]);
    expect(chooseExemplars(q, labels, { perCluster: 1 })[0]!.members).toEqual([
      { index: 4, q: 0.95 },
    ]);
  });

  it('gives an empty cluster no exemplars', () => {
    expect(chooseExemplars(q, Int32Array.of(0, 0, 0, 0, 0))[1]).toEqual({
      cluster: 1,
      size: 0,
      members: [],
    });
  });

  it('exemplarClusters reads the points of each exemplar', async () => {
    const clusters = await exemplarClusters(
      chooseExemplars(q, labels, { perCluster: 1 }),
      ['a', 'b', 'c', 'd', 'e'],
      async (i) => [[i, 0, 0]],
    );
    expect(clusters).toEqual([
      { cluster: 0, size: 4, exemplars: [{ id: 'e', q: 0.95, points: [[4, 0, 0]] }] },
      { cluster: 1, size: 1, exemplars: [{ id: 'd', q: 0.8, points: [[3, 0, 0]] }] },
    ]);
  });
});
