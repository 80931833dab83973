import { invalidArgument } from '@cellshape/core';

/**
 * Classical 2-D shape measures of a binary mask (every non-zero pixel is the object), as
 * scikit-image's `regionprops` defines them, in pixels:
 * * `area`: the pixel count;
 * * `perimeter`: the weighted length of the 4-connected border (Benkrid & Crookes; skimage's
 *   `perimeter`);
 * * `axis_major`, `axis_minor`: 4·√λ of the eigenvalues λ₁ ≥ λ₂ of the pixel coordinates'
 *   covariance (the ellipse with the same second moments);
 * * `eccentricity`: √(1 − λ₂/λ₁) (0 for a disk, → 1 for a line);
 * * `solidity`: area over the pixels whose centres lie in the convex hull of the pixels' edge
 *   midpoints (skimage's `convex_hull_image`);
 * * `extent`: area over the bounding box's;
 * * `circularity`: 4π·area / perimeter² (1 for a disk, smaller for anything else; not in
 *   regionprops).
 */
export const MASK_MEASURES = [
  'area',
  'perimeter',
  'axis_major',
  'axis_minor',
  'eccentricity',
  'solidity',
  'extent',
  'circularity',
] as const;

/** One of {@link MASK_MEASURES}. */
export type MaskMeasure = (typeof MASK_MEASURES)[number];

/** Bounding box (inclusive) and second moments of a mask. */
interface Region {
  area: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Population variances and covariance of the rows and columns of the pixels. */
  varRow: number;
  varCol: number;
  covRowCol: number;
}

function regionOf(mask: ArrayLike<number>, height: number, width: number): Region | null {
  let area = 0;
  let [top, bottom, left, right] = [height, -1, width, -1];
  let [sr, sc, srr, scc, src] = [0, 0, 0, 0, 0];
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) {
      if (mask[r * width + c] === 0) continue;
      area++;
      top = Math.min(top, r);
      bottom = Math.max(bottom, r);
      left = Math.min(left, c);
      right = Math.max(right, c);
      sr += r;
      sc += c;
      srr += r * r;
      scc += c * c;
      src += r * c;
    }
  if (area === 0) return null;
  const [mr, mc] = [sr / area, sc / area];
  return {
    area,
    top,
    bottom,
    left,
    right,
    varRow: srr / area - mr * mr,
    varCol: scc / area - mc * mc,
    covRowCol: src / area - mr * mc,
  };
}

/** Weights of the border codes (centre 1 + 2 per 4-neighbour + 10 per diagonal on the border). */
const PERIMETER_WEIGHTS = new Map<number, number>([
  ...[5, 7, 15, 17, 25, 27].map((code) => [code, 1] as [number, number]),
  [21, Math.SQRT2],
  [33, Math.SQRT2],
  [13, (1 + Math.SQRT2) / 2],
  [23, (1 + Math.SQRT2) / 2],
]);

/** skimage's `perimeter(image, 4)`: border pixels (not 4-surrounded) weighted by their code. */
function perimeterOf(mask: ArrayLike<number>, height: number, width: number): number {
  const on = (r: number, c: number) =>
    r >= 0 && r < height && c >= 0 && c < width && mask[r * width + c] !== 0;
  const border = (r: number, c: number) =>
    on(r, c) && !(on(r - 1, c) && on(r + 1, c) && on(r, c - 1) && on(r, c + 1));
  let total = 0;
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) {
      if (!border(r, c)) continue;
      const sides = +border(r - 1, c) + +border(r + 1, c) + +border(r, c - 1) + +border(r, c + 1);
      const corners =
        +border(r - 1, c - 1) +
        +border(r - 1, c + 1) +
        +border(r + 1, c - 1) +
        +border(r + 1, c + 1);
      total += PERIMETER_WEIGHTS.get(1 + 2 * sides + 10 * corners) ?? 0;
    }
  return total;
}

/** Counter-clockwise convex hull of points (Andrew's monotone chain), collinear points dropped. */
function convexHull(points: [number, number][]): [number, number][] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: [number, number][]) => {
    const out: [number, number][] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0)
        out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half(sorted.reverse())];
}

/**
 * skimage's convex area: the pixels of the bounding box whose centres lie inside or on the
 * convex hull of the edge midpoints (r ± ½, c) and (r, c ± ½) of the first and last pixel of
 * every row and column.
 */
function convexArea(mask: ArrayLike<number>, width: number, box: Region): number {
  const candidates: [number, number][] = [];
  const add = (r: number, c: number) =>
    candidates.push([r - 0.5, c], [r + 0.5, c], [r, c - 0.5], [r, c + 0.5]);
  for (let r = box.top; r <= box.bottom; r++) {
    let [first, last] = [-1, -1];
    for (let c = box.left; c <= box.right; c++)
      if (mask[r * width + c] !== 0) {
        if (first < 0) first = c;
        last = c;
      }
    if (first >= 0) add(r, first);
    if (last > first) add(r, last);
  }
  for (let c = box.left; c <= box.right; c++) {
    let [first, last] = [-1, -1];
    for (let r = box.top; r <= box.bottom; r++)
      if (mask[r * width + c] !== 0) {
        if (first < 0) first = r;
        last = r;
      }
    if (first >= 0) add(first, c);
    if (last > first) add(last, c);
  }
  const hull = convexHull(candidates);
  let count = 0;
  for (let r = box.top; r <= box.bottom; r++)
    for (let c = box.left; c <= box.right; c++) if (insideConvex(hull, r, c)) count++;
  return count;
}

/** Whether (r, c) lies inside or on a counter-clockwise convex polygon (1e-10 tolerance). */
function insideConvex(hull: [number, number][], r: number, c: number): boolean {
  for (let i = 0; i < hull.length; i++) {
    const [a, b] = [hull[i]!, hull[(i + 1) % hull.length]!];
    if ((b[0] - a[0]) * (c - a[1]) - (b[1] - a[1]) * (r - a[0]) < -1e-10) return false;
  }
  return true;
}

/**
 * The {@link MASK_MEASURES} of a mask `[height, width]` (row-major, non-zero = object), or null
 * when it has no object pixel.
 *
 * ```ts
 * maskMeasures(crop.mask.data, 48, 48); // { area: 412, perimeter: 78.9, eccentricity: 0.61, … }
 * ```
 */
export function maskMeasures(
  mask: ArrayLike<number>,
  height: number,
  width: number,
): Record<MaskMeasure, number> | null {
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0))
    throw invalidArgument('maskMeasures', 'height, width', 'positive integers', [height, width]);
  if (mask?.length !== height * width)
    throw invalidArgument('maskMeasures', 'mask', `${height * width} values`, mask?.length);
  const region = regionOf(mask, height, width);
  if (region === null) return null;
  const { area, varRow, varCol, covRowCol } = region;
  // Eigenvalues of the 2×2 covariance, largest first.
  const mean = (varRow + varCol) / 2;
  const spread = Math.sqrt(((varRow - varCol) / 2) ** 2 + covRowCol ** 2);
  const [l1, l2] = [mean + spread, Math.max(0, mean - spread)];
  const perimeter = perimeterOf(mask, height, width);
  const box = (region.bottom - region.top + 1) * (region.right - region.left + 1);
  return {
    area,
    perimeter,
    axis_major: 4 * Math.sqrt(l1),
    axis_minor: 4 * Math.sqrt(l2),
    eccentricity: l1 === 0 ? 0 : Math.sqrt(1 - l2 / l1),
    solidity: area / convexArea(mask, width, region),
    extent: area / box,
    circularity: perimeter > 0 ? (4 * Math.PI * area) / perimeter ** 2 : 0,
  };
}
