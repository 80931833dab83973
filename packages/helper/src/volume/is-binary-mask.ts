import type { Volume } from '../types.js';
import { assertVolume } from './assert-volume.js';

/**
 * True when the volume holds at most one non-zero value besides 0 (a binary mask such as 0/1 or
 * 0/255, or an empty one), false for label images with several labels or for NaN. Binary masks
 * need `labelConnectedComponents` before `labelObjects` to split them into objects.
 */
export function isBinaryMask(volume: Volume): boolean {
  assertVolume('isBinaryMask', 'volume', volume);
  const { data } = volume;
  let foreground = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v === 0 || v === foreground) continue;
    if (foreground !== 0 || Number.isNaN(v)) return false;
    foreground = v;
  }
  return true;
}
