/**
 * Classical shape measures of meshes and masks (volume, surface area, sphericity, extents,
 * principal axes, elongation, flatness, convex hull and solidity, centroid).
 *
 * ```ts
 * import { maskShapeMeasures, meshShapeMeasures } from '@cellshape/helper';
 * const m = maskShapeMeasures({ data, shape: [z, y, x], spacing: [2.18, 1, 1] });
 * m.sphericity; // 1 for a ball
 * ```
 */
export { convexHull } from './convex-hull.js';
export { maskShapeMeasures, meshShapeMeasures, type ShapeMeasures } from './shape-measures.js';
