import { createRng, isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { augmentView } from '../augment/view.js';
import { focusScore } from '../qc/focus.js';
import { intensityStats } from '../qc/intensity.js';
import type { Image2D } from '../types.js';
import { centerCrop } from './center-crop.js';
import { gaussianBlur } from './gaussian.js';
import { estimateIllumination } from './illumination.js';
import { medianFilter, removeOutliers } from './median.js';
import { normalizeImage } from './normalize.js';
import { rollingBallBackground, subtractBackground } from './rolling-ball.js';
import { denoiseTvChambolle } from './tv-denoise.js';

const calls: [string, (image: Image2D) => unknown][] = [
  ['normalizeImage', (i) => normalizeImage(i)],
  ['gaussianBlur', (i) => gaussianBlur(i, 1)],
  ['medianFilter', (i) => medianFilter(i)],
  ['removeOutliers', (i) => removeOutliers(i)],
  ['rollingBallBackground', (i) => rollingBallBackground(i)],
  ['subtractBackground', (i) => subtractBackground(i)],
  ['denoiseTvChambolle', (i) => denoiseTvChambolle(i)],
  ['centerCrop', (i) => centerCrop(i as Image2D<Float32Array>, [1, 1])],
  ['estimateIllumination', (i) => estimateIllumination([i])],
  ['focusScore', (i) => focusScore(i)],
  ['intensityStats', (i) => intensityStats(i)],
  ['augmentView', (i) => augmentView(i, undefined, createRng(0))],
];

const bad: [string, unknown][] = [
  ['null', null],
  ['a plain array', { data: [1, 2, 3, 4], shape: [2, 2, 1] }],
  ['a rank-2 shape', { data: new Float32Array(4), shape: [2, 2] }],
  ['a data length that does not match', { data: new Float32Array(5), shape: [2, 2, 1] }],
  ['a zero dimension', { data: new Float32Array(0), shape: [0, 2, 1] }],
];

describe('every image function refuses malformed images with a typed error naming itself', () => {
  for (const [name, call] of calls)
    it(name, () => {
      for (const [, image] of bad) {
        let error: unknown;
        try {
          call(image as Image2D);
        } catch (err) {
          error = err;
        }
        expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
        expect(String(error)).toContain(name);
      }
    });
});
