import { describe, expect, it } from 'vitest';
import { categoricalColumns, clusterQuality } from './cluster-quality.js';

describe('clusterQuality', () => {
  // Two tight pairs far apart: silhouette, DB and CH by hand.
  const features = {
    data: new Float64Array([0, 0, 0, 1, 10, 0, 10, 1]),
    shape: [4, 2] as [number, number],
  };
  const labels = Int32Array.from([0, 0, 1, 1]);
  const metadata = [
    { id: 'a', Treatment: 'x', Plate: 1 },
    { id: 'b', Treatment: 'x', Plate: 2 },
    { id: 'c', Treatment: 'y', Plate: 1 },
    { id: 'd', Treatment: 'y', Plate: 2 },
  ];

  it('scores the clusters and their agreement with categorical metadata columns', () => {
    const q = clusterQuality(features, labels, metadata, 0);
    // a = 1, b = mean(10, √101) for every cell.
    const b = (10 + Math.sqrt(101)) / 2;
    expect(q.silhouette).toBeCloseTo((b - 1) / b, 5);
    // centroids (0, .5) and (10, .5): scatter 0.5 each, DB = (0.5 + 0.5) / 10.
    expect(q.daviesBouldin).toBeCloseTo(0.1, 6);
    // CH = [B / (k−1)] / [W / (n−k)] = (4 · 25 / 1) / (1 / 2) = 200.
    expect(q.calinskiHarabasz).toBeCloseTo(200, 3);
    expect(q.silhouetteCells).toBe(4);
    // 'id' has 4 distinct values in 4 cells: not a category; Plate is unrelated to the clusters.
    expect(Object.keys(q.against).sort()).toEqual(['Plate', 'Treatment']);
    expect(q.against.Treatment).toEqual({ classes: 2, vMeasure: 1, adjustedRandIndex: 1 });
    expect(q.against.Plate!.vMeasure).toBeCloseTo(0, 9);
  });

  it('never takes a column that numbers or places objects for a category', () => {
    // Object numbers and labels restart in every image: few values, but not groups of cells.
    const withObjects = metadata.map((m, i) => ({
      ...m,
      object: (i % 2) + 1,
      ObjectNumber: (i % 2) + 1,
      label: (i % 2) + 1,
      centre_x: 10 * (i % 2),
    }));
    expect(categoricalColumns(withObjects).sort()).toEqual(['Plate', 'Treatment']);
  });

  it('gives null internal scores for a single cluster', () => {
    const q = clusterQuality(features, new Int32Array(4), metadata, 0);
    expect(q).toMatchObject({
      silhouette: null,
      daviesBouldin: null,
      calinskiHarabasz: null,
      silhouetteCells: 0,
    });
  });
});
