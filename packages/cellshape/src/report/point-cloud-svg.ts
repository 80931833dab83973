import { InvalidArgumentError, invalidArgument, withDefaults } from '@cellshape/core';
import { escapeHtml } from './escape.js';

/** Options of {@link pointCloudSvg}. */
export interface PointCloudSvgOptions {
  /** Width and height of the picture in CSS pixels. Default 180. */
  size?: number;
  /** Rotation of the cloud about its z axis before projecting, in degrees. Default 35. */
  azimuth?: number;
  /** Tilt of the view above the x–y plane, in degrees (90 looks down the z axis). Default 20. */
  elevation?: number;
  /** Most points drawn (an even stride through the cloud). Default 1200. */
  maxPoints?: number;
  /** Accessible title of the picture (escaped). Default 'point cloud'. */
  title?: string;
}

/** Defaults of {@link PointCloudSvgOptions}. */
export const DEFAULT_POINT_CLOUD_SVG_OPTIONS: Readonly<Required<PointCloudSvgOptions>> = {
  size: 180,
  azimuth: 35,
  elevation: 20,
  maxPoints: 1200,
  title: 'point cloud',
};

/** Depth shades, far to near: near points are darker and drawn last (painter's order). */
const SHADES = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

/**
 * A static picture of a 3-D point cloud as inline SVG: an orthographic view from the given
 * azimuth and elevation (z is up), points centred on their centroid and scaled to fill the
 * picture, shaded by depth. It needs no WebGL, so it shows in any browser and in print.
 *
 * @param points `[x, y, z]` rows (any units: the picture is scaled to fit).
 * @returns an `<svg>` element as a string.
 */
export function pointCloudSvg(
  points: readonly (readonly number[])[],
  options: PointCloudSvgOptions = {},
): string {
  const fn = 'pointCloudSvg';
  if (!Array.isArray(points)) throw invalidArgument(fn, 'points', 'an array of [x, y, z]', points);
  const o = withDefaults(fn, DEFAULT_POINT_CLOUD_SVG_OPTIONS, options);
  if (!(Number.isFinite(o.size) && o.size > 0))
    throw invalidArgument(fn, 'options.size', 'a positive number', o.size);
  if (!Number.isFinite(o.azimuth))
    throw invalidArgument(fn, 'options.azimuth', 'a finite number', o.azimuth);
  if (!Number.isFinite(o.elevation))
    throw invalidArgument(fn, 'options.elevation', 'a finite number', o.elevation);
  if (!(Number.isInteger(o.maxPoints) && o.maxPoints >= 1))
    throw invalidArgument(fn, 'options.maxPoints', 'an integer ≥ 1', o.maxPoints);
  points.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 3 || !p.every((v) => Number.isFinite(v)))
      throw new InvalidArgumentError(
        `${fn}: 'points' must hold [x, y, z] rows of finite numbers, got ${JSON.stringify(p)} at row ${i}`,
        { fn, arg: 'points' },
      );
  });
  const s = o.size;
  const title = `<title>${escapeHtml(o.title)}</title>`;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${s} ${s}" width="${s}" height="${s}" role="img" aria-label="${escapeHtml(o.title)}">${title}`;
  if (points.length === 0)
    return `${open}<text x="${s / 2}" y="${s / 2}" text-anchor="middle" font-size="12" fill="#888">no points</text></svg>`;
  const stride = Math.max(1, Math.ceil(points.length / o.maxPoints));
  const chosen = points.filter((_, i) => i % stride === 0);
  const mean = [0, 1, 2].map((a) => chosen.reduce((sum, p) => sum + p[a]!, 0) / chosen.length);
  const az = (o.azimuth * Math.PI) / 180;
  const el = (o.elevation * Math.PI) / 180;
  // Rotate about z by the azimuth, then view from a camera on the −y side raised by the
  // elevation: screen right is +x, `depth` grows away from the camera.
  const projected = chosen.map((p) => {
    const x = p[0]! - mean[0]!;
    const y = p[1]! - mean[1]!;
    const z = p[2]! - mean[2]!;
    const xr = x * Math.cos(az) - y * Math.sin(az);
    const yr = x * Math.sin(az) + y * Math.cos(az);
    return {
      u: xr,
      v: yr * Math.sin(el) + z * Math.cos(el),
      depth: yr * Math.cos(el) - z * Math.sin(el),
    };
  });
  const radius = Math.max(1e-12, ...projected.map((p) => Math.hypot(p.u, p.v)));
  const depths = projected.map((p) => p.depth);
  const dMax = Math.max(...depths);
  const dSpan = Math.max(1e-12, dMax - Math.min(...depths));
  const scale = (s * 0.45) / radius;
  const dot = Math.max(0.8, Math.min(2.2, s / 110));
  const groups = SHADES.map(() => [] as string[]);
  // Larger depth is farther from the viewer (the view looks along +depth).
  for (const p of projected.sort((a, b) => b.depth - a.depth)) {
    const shade = Math.min(
      SHADES.length - 1,
      Math.floor(((dMax - p.depth) / dSpan) * SHADES.length),
    );
    const cx = (s / 2 + p.u * scale).toFixed(1);
    const cy = (s / 2 - p.v * scale).toFixed(1);
    groups[shade]!.push(`<circle cx="${cx}" cy="${cy}" r="${dot.toFixed(1)}"/>`);
  }
  const body = groups
    .map((circles, i) => (circles.length ? `<g fill="${SHADES[i]}">${circles.join('')}</g>` : ''))
    .join('');
  return `${open}${body}</svg>`;
}
