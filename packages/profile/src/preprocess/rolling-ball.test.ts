import { describe, expect, it } from 'vitest';
import type { Image2D } from '../types.js';
import { rollingBallBackground, subtractBackground } from './rolling-ball.js';
import { caseImage, maxAbsDiff, referenceCases, syntheticImage } from './test-helpers.js';

describe('rolling ball against scikit-image and the opening by the ball (fixtures/reference.json)', () => {
  for (const c of referenceCases('rollingBall'))
    it(c.name, () => {
      const method = c.method as 'skimage' | 'exact';
      const out = rollingBallBackground(caseImage(c), { radius: c.radius as number, method });
      expect(maxAbsDiff(out.data, c.output)).toBeLessThan(1e-4); // float32 output of values ≈ 100
    });

  it("skimage's result is the erosion: it never lies above the opening ('exact')", () => {
    const c = referenceCases('rollingBall')[0]!;
    const image = caseImage(c);
    const erosion = rollingBallBackground(image, { radius: 5, method: 'skimage' }).data;
    const opening = rollingBallBackground(image, { radius: 5, method: 'exact' }).data;
    for (let i = 0; i < erosion.length; i++) {
      expect(erosion[i]).toBeLessThanOrEqual((opening[i] as number) + 1e-4);
      expect(opening[i]).toBeLessThanOrEqual((image.data[i] as number) + 1e-4);
    }
  });
});

describe("rolling ball 'imagej' against ImageJ 1.52i itself (fixtures/reference.json)", () => {
  for (const c of referenceCases('rollingBallImagej'))
    it(c.name, () => {
      const out = rollingBallBackground(caseImage(c), {
        radius: c.radius as number,
        presmooth: c.presmooth as boolean,
      });
      // ImageJ rolls in float32, we in float64: 1.5e-5 at most was measured on values up to 120
      expect(maxAbsDiff(out.data, c.output)).toBeLessThan(1e-4);
    });
});

/** A smooth background (a plane plus a wide bump), three narrow bright cells and nothing else. */
function cellsOnBackground(
  height: number,
  width: number,
): { image: Image2D<Float32Array>; background: Float32Array } {
  const data = new Float32Array(height * width);
  const background = new Float32Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const b =
        30 +
        0.05 * x +
        0.03 * y +
        10 * Math.exp(-((x - width / 2) ** 2 + (y - height / 2) ** 2) / (2 * 60 ** 2));
      background[y * width + x] = b;
      let cell = 0;
      for (const [cy, cx] of [
        [40, 40],
        [90, 130],
        [150, 70],
      ] as const)
        cell += 80 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 4 ** 2));
      data[y * width + x] = b + cell;
    }
  return { image: { data, shape: [height, width, 1] }, background };
}

describe("rolling ball, ImageJ's algorithm (default)", () => {
  it('a flat image is all background', () => {
    const image = { data: new Float32Array(70 * 90).fill(12), shape: [70, 90, 1] as const };
    for (const radius of [5, 20, 50, 120]) {
      const out = subtractBackground(image, { radius });
      expect(maxAbsDiff(out.data, new Float32Array(out.data.length))).toBeLessThan(1e-4);
    }
  });

  it('recovers a smooth background under small cells within 0.5 % of the cell height (r = 50)', () => {
    const { image, background } = cellsOnBackground(192, 200);
    const bg = rollingBallBackground(image, { radius: 50 }).data;
    // away from the cells, the background is the image itself
    expect(maxAbsDiff(bg, background)).toBeLessThan(0.4);
  });

  it("stays within 3 units (4 % of the 80-unit cells) of the full-resolution 'exact' ball, mean 0.35", () => {
    // ImageJ's shrunk image (block minima), trimmed ball patch and bilinear enlargement let the
    // background climb a little further up the cells' flanks; elsewhere both follow the surface.
    const { image } = cellsOnBackground(96, 100);
    for (const radius of [20, 50]) {
      const imagej = rollingBallBackground(image, { radius }).data;
      const exact = rollingBallBackground(image, { radius, method: 'exact' }).data;
      expect(maxAbsDiff(imagej, exact)).toBeLessThan(3);
      let sum = 0;
      for (let i = 0; i < exact.length; i++)
        sum += Math.abs((imagej[i] as number) - (exact[i] as number));
      expect(sum / exact.length).toBeLessThan(0.35);
    }
  });

  it('light background: the same as rolling the inverted image', () => {
    const image = syntheticImage(40, 50);
    const inverted = { data: image.data.map((v) => -v), shape: image.shape };
    const light = rollingBallBackground(image, { radius: 8, lightBackground: true }).data;
    const dark = rollingBallBackground(inverted, { radius: 8 }).data;
    expect(
      maxAbsDiff(
        light,
        dark.map((v) => -v),
      ),
    ).toBeLessThan(1e-4);
  });

  it('refuses a radius ≤ 0 and an unknown method', () => {
    const image = syntheticImage(8, 8);
    expect(() => subtractBackground(image, { radius: 0 })).toThrow(
      /subtractBackground.*options\.radius/,
    );
    expect(() => rollingBallBackground(image, { method: 'fiji' as never })).toThrow(
      /options\.method/,
    );
  });
});
