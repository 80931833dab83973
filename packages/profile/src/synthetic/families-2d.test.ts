import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Image2D } from '../types.js';
import { CELL_FAMILIES_2D, type CellFamily2D, drawCell2D } from './families-2d.js';

/** Foreground pixel coordinates `[x, y]` of a single-channel mask. */
function pixels(mask: Image2D<Uint8Array>): [number, number][] {
  const [h, w] = mask.shape;
  const out: [number, number][] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if (mask.data[y * w + x]) out.push([x, y]);
  return out;
}

/** Eccentricity of the ellipse with the same second moments (scikit-image's definition). */
function eccentricity(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let [sxx, syy, sxy] = [0, 0, 0];
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2 / n;
    syy += (y - my) ** 2 / n;
    sxy += ((x - mx) * (y - my)) / n;
  }
  const root = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy ** 2);
  const [l1, l2] = [(sxx + syy) / 2 + root, (sxx + syy) / 2 - root];
  return Math.sqrt(1 - l2 / l1);
}

/** Pixel area over the area of the convex hull of the pixels' corners (1 for a convex shape). */
function solidity(points: [number, number][]): number {
  const corners = points.flatMap(([x, y]) => [
    [x, y],
    [x + 1, y],
    [x, y + 1],
    [x + 1, y + 1],
  ]);
  corners.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  const cross = (o: number[], a: number[], b: number[]): number =>
    (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const half = (list: number[][]): number[][] => {
    const hull: number[][] = [];
    for (const p of list) {
      while (hull.length >= 2 && cross(hull[hull.length - 2]!, hull[hull.length - 1]!, p) <= 0)
        hull.pop();
      hull.push(p);
    }
    return hull.slice(0, -1);
  };
  const hull = [...half(corners), ...half([...corners].reverse())];
  let area = 0;
  for (let i = 0; i < hull.length; i++) {
    const [a, b] = [hull[i]!, hull[(i + 1) % hull.length]!];
    area += a[0]! * b[1]! - b[0]! * a[1]!;
  }
  return points.length / (Math.abs(area) / 2);
}

/** Mean eccentricity and solidity of 12 cells of a family. */
function measures(family: CellFamily2D): { eccentricity: number; solidity: number } {
  let [e, s] = [0, 0];
  for (let seed = 0; seed < 12; seed++) {
    const p = pixels(drawCell2D(family, { seed, radius: 16 }));
    e += eccentricity(p) / 12;
    s += solidity(p) / 12;
  }
  return { eccentricity: e, solidity: s };
}

describe('drawCell2D', () => {
  it('is reproducible and differs between seeds', () => {
    for (const family of CELL_FAMILIES_2D) {
      const a = drawCell2D(family, { seed: 5 });
      expect(Buffer.from(drawCell2D(family, { seed: 5 }).data).equals(Buffer.from(a.data))).toBe(
        true,
      );
      expect(Buffer.from(drawCell2D(family, { seed: 6 }).data).equals(Buffer.from(a.data))).toBe(
        false,
      );
    }
  });

  it('draws one object inside its square with a background border', () => {
    for (const family of CELL_FAMILIES_2D) {
      const mask = drawCell2D(family, { seed: 2, radius: 10 });
      const [h, w, c] = mask.shape;
      expect([h === w, h % 2, c]).toEqual([true, 1, 1]);
      for (let i = 0; i < w; i++) {
        expect(mask.data[i]).toBe(0);
        expect(mask.data[(h - 1) * w + i]).toBe(0);
        expect(mask.data[i * w]).toBe(0);
        expect(mask.data[i * w + w - 1]).toBe(0);
      }
      // Area close to the nominal disc's (π r²), within the size jitter and the family's extras.
      const area = pixels(mask).length;
      expect(area).toBeGreaterThan(0.4 * Math.PI * 100);
      expect(area).toBeLessThan(2.2 * Math.PI * 100);
    }
  });

  it('gives families that differ in classical shape measures', () => {
    const m = Object.fromEntries(CELL_FAMILIES_2D.map((f) => [f, measures(f)]));
    // Elongated spindles have aspect ≥ 2.2 (eccentricity ≥ 0.89 for an ellipse); round cells
    // are discs within ±8% (eccentricity ≤ 0.55 with the noise).
    expect(m.elongated!.eccentricity).toBeGreaterThan(0.85);
    expect(m.round!.eccentricity).toBeLessThan(0.55);
    // Round and elongated cells are convex; protrusions and lobes leave concave bays.
    expect(m.round!.solidity).toBeGreaterThan(0.9);
    expect(m.protrusive!.solidity).toBeLessThan(m.round!.solidity - 0.2);
    expect(m.lobed!.solidity).toBeLessThan(m.round!.solidity - 0.08);
    expect(m.blebbed!.solidity).toBeLessThan(m.round!.solidity - 0.03);
    // Protrusions make an elongated cell's inertia ellipse too, but a lobed clover stays balanced.
    expect(m.protrusive!.eccentricity).toBeGreaterThan(m.lobed!.eccentricity + 0.15);
  });

  it('refuses bad arguments with typed errors', () => {
    expect(() => drawCell2D('square' as CellFamily2D)).toThrow(InvalidArgumentError);
    expect(() => drawCell2D('round', { radius: 1 })).toThrow(/'radius'/);
    expect(() => drawCell2D('round', { noise: -0.1 })).toThrow(/'noise'/);
    expect(() => drawCell2D('round', { sizeJitter: 0.9 })).toThrow(/'sizeJitter'/);
  });
});
