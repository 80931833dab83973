import { decimalNumber } from '@cellshape/core';
import { convertLength, type TiffPageTags, tiffDescription } from '@cellshape/helper';

/** A physical pixel size `[y, x]` and its unit, as {@link Image2D} carries them. */
export interface PixelSize {
  pixelSize: [number, number];
  unit: string;
}

const MICRO = /^(\\u00B5|µ|μ|u|micro)(m|n|ns|meters?|metres?)?$/i;

/** Spelling of a unit as a file states it → the spelling cellshape reports (`'µm'` for microns). */
export function normaliseUnit(unit: string): string {
  const trimmed = unit.trim();
  if (/^microns?$/i.test(trimmed) || MICRO.test(trimmed)) return 'µm';
  return trimmed;
}

const positive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

/** `key=value` lines of an ImageJ description. */
export function imageJFields(description: string | undefined): Map<string, string> | undefined {
  if (description === undefined || !description.startsWith('ImageJ=')) return undefined;
  const map = new Map<string, string>();
  for (const match of description.matchAll(/^([A-Za-z]\w*)=(.*)$/gm))
    map.set(match[1]!, match[2]!.trim());
  return map;
}

/** The attributes of the first OME-XML `<Pixels …>` element of a description. */
export function omePixels(description: string | undefined): Map<string, string> | undefined {
  if (description === undefined) return undefined;
  // Linear searches only: `([^>]*)>` retried from every `<Pixels` with no `>` after it, and
  // `(\w+)\s*=` from every letter of a long word, were quadratic in the description.
  const open = /<(?:\w+:)?Pixels\b/.exec(description);
  const close = open === null ? -1 : description.indexOf('>', open.index + open[0].length);
  if (open === null || close < 0) return undefined;
  const pixels = description.slice(open.index + open[0].length, close);
  if (!pixels) return undefined;
  const map = new Map<string, string>();
  for (const match of pixels.matchAll(/\b(\w+)\s*=\s*"([^"]*)"/g)) map.set(match[1]!, match[2]!);
  return map;
}

/** Physical size of a unit of TIFF ResolutionUnit (2 inch, 3 centimetre) in µm. */
const RESOLUTION_UNIT_UM: Record<number, number> = { 2: 25400, 3: 10000 };

/**
 * The pixel size a TIFF page states, or undefined when it states none. In order:
 * 1. an ImageJ description with a physical `unit=` (not `pixel`): size = 1 / X/YResolution in
 *    that unit (ImageJ stores pixels per unit there);
 * 2. OME-XML `PhysicalSizeX/Y` (+ `PhysicalSizeXUnit`, default µm);
 * 3. X/YResolution with ResolutionUnit inch or centimetre: converted to µm. A missing
 *    ResolutionUnit means inch (the TIFF default); ResolutionUnit none (1) states no size.
 */
export function tiffPixelSize(ifd: TiffPageTags): PixelSize | undefined {
  const size = statedPixelSize(ifd);
  // A resolution near zero (a DOUBLE of 5e-324) gives an infinite size: no calibration then.
  return size?.pixelSize.every(Number.isFinite) ? size : undefined;
}

function statedPixelSize(ifd: TiffPageTags): PixelSize | undefined {
  const description = tiffDescription(ifd);
  const xRes = ifd.xResolution as unknown;
  const yRes = (ifd.yResolution as unknown) ?? xRes;
  const imageJ = imageJFields(description);
  const imageJUnit = imageJ?.get('unit');
  if (imageJUnit !== undefined && !/^pixels?$/i.test(imageJUnit) && positive(xRes)) {
    // ImageJ writes `yunit=` when y has a unit of its own: y is given in x's unit (read as is,
    // `yunit=nm` beside `unit=micron` made the pixel 1000× too tall); a unit that cannot be
    // converted is no size, as for OME-XML.
    const y = 1 / (positive(yRes) ? yRes : xRes);
    const yUnit = imageJ?.get('yunit');
    const unescaped = (unit: string) => unit.replace(/\\u00B5/i, 'µ');
    const yInUnit =
      yUnit === undefined || yUnit === imageJUnit
        ? y
        : convertLength(y, unescaped(yUnit), unescaped(imageJUnit));
    if (yInUnit === undefined) return undefined;
    return { pixelSize: [yInUnit, 1 / xRes], unit: normaliseUnit(imageJUnit) };
  }
  const ome = omePixels(description);
  if (ome) {
    const x = decimalNumber(ome.get('PhysicalSizeX'));
    const yText = ome.get('PhysicalSizeY');
    // y may have its own unit (default µm): it is given in x's (read as is, a y in µm beside an
    // x in nm was reported in nm, 1000× too small); a unit that cannot be converted is no size.
    const [xUnit, yUnit] = [
      ome.get('PhysicalSizeXUnit') ?? 'µm',
      ome.get('PhysicalSizeYUnit') ?? 'µm',
    ];
    const y =
      yText === undefined
        ? x
        : yUnit === xUnit
          ? decimalNumber(yText)
          : convertLength(decimalNumber(yText), yUnit, xUnit);
    if (y === undefined) return undefined;
    if (positive(x))
      return {
        pixelSize: [positive(y) ? y : x, x],
        unit: normaliseUnit(xUnit),
      };
  }
  if (imageJ) return undefined; // ImageJ without a unit: the resolution is not a calibration
  const unit = (ifd.get(296) as number | undefined) ?? 2;
  const um = RESOLUTION_UNIT_UM[unit];
  if (um === undefined || !positive(xRes)) return undefined;
  return { pixelSize: [um / (positive(yRes) ? yRes : xRes), um / xRes], unit: 'µm' };
}
