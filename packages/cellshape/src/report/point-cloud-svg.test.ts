import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { pointCloudSvg } from './point-cloud-svg.js';

function circles(svg: string): { cx: number; cy: number; fill: string }[] {
  const out: { cx: number; cy: number; fill: string }[] = [];
  for (const group of svg.matchAll(/<g fill="([^"]+)">(.*?)<\/g>/g))
    for (const c of group[2]!.matchAll(/cx="([-\d.]+)" cy="([-\d.]+)"/g))
      out.push({ cx: Number(c[1]), cy: Number(c[2]), fill: group[1]! });
  return out;
}

describe('pointCloudSvg', () => {
  const ring = Array.from({ length: 400 }, (_, i) => {
    const t = (2 * Math.PI * i) / 400;
    return [10 + 5 * Math.cos(t), -3 + 5 * Math.sin(t), 7];
  });

  it('draws every point (up to maxPoints) inside the picture, centred', () => {
    const svg = pointCloudSvg(ring, { size: 200 });
    const dots = circles(svg);
    expect(dots).toHaveLength(400);
    for (const d of dots) {
      expect(d.cx).toBeGreaterThanOrEqual(0);
      expect(d.cx).toBeLessThanOrEqual(200);
      expect(d.cy).toBeGreaterThanOrEqual(0);
      expect(d.cy).toBeLessThanOrEqual(200);
    }
    const meanX = dots.reduce((s, d) => s + d.cx, 0) / dots.length;
    expect(meanX).toBeCloseTo(100, 0);
    expect(circles(pointCloudSvg(ring, { maxPoints: 100 }))).toHaveLength(100);
  });

  it('looking down the z axis (elevation 90) shows a horizontal ring as a circle', () => {
    const dots = circles(pointCloudSvg(ring, { size: 200, elevation: 90, azimuth: 0 }));
    const radii = dots.map((d) => Math.hypot(d.cx - 100, d.cy - 100));
    // Scaled to 45 % of the picture: radius 90 px for every point.
    for (const r of radii) expect(r).toBeCloseTo(90, 0);
  });

  it('shades nearer points darker and draws them last', () => {
    // Seen from the −y side at elevation 0: the point at y = −1 is nearest.
    const svg = pointCloudSvg(
      [
        [0, 1, 0],
        [0, -1, 0],
        [1, 0, 0],
      ],
      { elevation: 0, azimuth: 0 },
    );
    const dots = circles(svg);
    expect(dots[0]!.fill).toBe('#c6dbef');
    expect(dots.at(-1)!.fill).toBe('#08306b');
  });

  it('escapes the title and handles an empty cloud', () => {
    const svg = pointCloudSvg([], { title: '<script>x</script>' });
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('no points');
  });

  it('rejects invalid input', () => {
    expect(() => pointCloudSvg('x' as unknown as number[][])).toThrow(InvalidArgumentError);
    expect(() => pointCloudSvg([[0, 0]])).toThrow(/\[x, y, z\] rows of finite numbers/);
    expect(() => pointCloudSvg([[0, Number.NaN, 0]])).toThrow(InvalidArgumentError);
    expect(() => pointCloudSvg(ring, { size: 0 })).toThrow(/options.size/);
    expect(() => pointCloudSvg(ring, { maxPoints: 1.5 })).toThrow(/options.maxPoints/);
    expect(() => pointCloudSvg(ring, { azimuth: Number.NaN })).toThrow(/options.azimuth/);
    expect(() => pointCloudSvg(ring, { elevation: Number.POSITIVE_INFINITY })).toThrow(
      /options.elevation/,
    );
  });
});
