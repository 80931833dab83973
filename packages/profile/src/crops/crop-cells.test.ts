import { join } from 'node:path';
import { isCellshapeError } from '@cellshape/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage2D, readLabelImage2D } from '../image/read-image.js';
import { haveImages2D, IMAGES_2D } from '../image/test-data.js';
import { parseCentroidTable, readCentroidTable } from '../tables/parse-centroid-table.js';
import type { Image2D } from '../types.js';
import { cropCells } from './crop-cells.js';
import { cropsFromLabels, labelCentroids } from './crops-from-labels.js';

/** A 40×50 image whose pixel (y, x) holds y * 1000 + x in channel 0 and -(y * 1000 + x) in 1. */
function coordinates(height = 40, width = 50): Image2D<Float32Array> {
  const data = new Float32Array(height * width * 2);
  for (let i = 0; i < height * width; i++) {
    const v = Math.floor(i / width) * 1000 + (i % width);
    data[2 * i] = v;
    data[2 * i + 1] = -v;
  }
  return { data, shape: [height, width, 2] };
}

/** Labels: a filled rectangle per [id, top, left, bottom, right] (inclusive). */
function rectangles(height: number, width: number, boxes: number[][]): Image2D<Int32Array> {
  const data = new Int32Array(height * width);
  for (const [id, t, l, b, r] of boxes)
    for (let y = t!; y <= b!; y++) for (let x = l!; x <= r!; x++) data[y * width + x] = id!;
  return { data, shape: [height, width, 1] };
}

/** A table of pixel centres (TrackMate tables without a units row must say so). */
const table = (text: string) => parseCentroidTable(text, { unit: 'pixel' });
const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('cropCells', () => {
  it('centres crop index floor(S/2) on the rounded centroid, for even and odd S', () => {
    const image = coordinates();
    const cells = table('id,x,y\n1,20.5,10.49\n2,30.2,25.7\n');
    for (const size of [8, 7]) {
      const { crops, skipped } = cropCells(image, cells, { size });
      expect(skipped).toEqual([]);
      const half = Math.floor(size / 2);
      // Cell 1: x 20.5 rounds up to 21, y 10.49 down to 10; cell 2: (26, 30).
      expect(crops.map((c) => c.centre)).toEqual([
        [10, 21],
        [26, 30],
      ]);
      for (const crop of crops) {
        expect(crop.image.shape).toEqual([size, size, 2]);
        const at = (2 * (half * size + half)) as number;
        expect(crop.image.data[at]).toBe(crop.centre[0] * 1000 + crop.centre[1]);
        expect(crop.image.data[at + 1]).toBe(-(crop.centre[0] * 1000 + crop.centre[1]));
        // The top-left pixel is the centre minus floor(S/2) along both axes.
        expect(crop.image.data[0]).toBe((crop.centre[0] - half) * 1000 + crop.centre[1] - half);
      }
    }
  });

  it('skips and lists crops that leave the image, or pads them with the fill value', () => {
    const image = coordinates();
    const cells = table('id,x,y,well\n1,2,20,A1\n2,25,20,A1\n3,25,37,B2\n');
    const { crops, skipped } = cropCells(image, cells, { size: 10 });
    expect(crops.map((c) => c.row.id)).toEqual([2]);
    expect(skipped.map((s) => [s.row.id, s.reason])).toEqual([
      [1, 'edge'],
      [3, 'edge'],
    ]);
    expect(skipped[1]!.row.metadata.well).toBe('B2');
    expect(skipped[0]!.detail).toMatch(/cell 1 .* leaves the 40×50 image/);
    const padded = cropCells(image, cells, { size: 10, edge: 'pad', fill: -1 });
    expect(padded.crops.map((c) => c.padded)).toEqual([true, false, true]);
    const first = padded.crops[0]!.image; // centre (20, 2): columns -3 … 6, so 3 padded columns
    expect(first.data[2 * (0 * 10 + 2)]).toBe(-1);
    expect(first.data[2 * (0 * 10 + 3)]).toBe(15 * 1000 + 0);
  });

  it('mask crops keep the component under the centre, dilated by a disk', () => {
    const image = coordinates();
    // Cell 1: a 3×3 square and a detached square of the same label; cell 2 touches it.
    const labels = rectangles(40, 50, [
      [1, 18, 18, 20, 20],
      [1, 18, 24, 20, 26],
      [2, 21, 18, 23, 20],
    ]);
    const cells = table('id,x,y\n1,19,19\n2,19,22\n');
    const { crops } = cropCells(image, cells, { size: 16, labels });
    const ones = (c: (typeof crops)[number]) => c.mask!.data.reduce((s, v) => s + v, 0);
    expect(crops.map((c) => c.label)).toEqual([1, 2]);
    expect(ones(crops[0]!)).toBe(9); // the detached square is another component
    expect(ones(cropCells(image, cells, { size: 16, labels, mask: 'label' }).crops[0]!)).toBe(18);
    // Radius 1 adds the 4-neighbours ring: a 3×3 square grows to 5×5 less its 4 corners.
    const dilated = cropCells(image, cells, { size: 16, labels, dilate: 1 }).crops[0]!;
    expect(ones(dilated)).toBe(21);
    expect(dilated.mask!.data[8 * 16 + 8]).toBe(1);
  });

  it('moves the centre of a concave cell into the cell and says how far', () => {
    // An L-shaped cell whose centroid lies in the notch, where cell 2 is.
    const labels = rectangles(40, 50, [
      [1, 10, 10, 29, 13],
      [1, 26, 10, 29, 29],
      [2, 15, 18, 20, 24],
    ]);
    const centroid = labelCentroids(labels).rows[0]!;
    expect(labels.data[Math.floor(centroid.y + 0.5) * 50 + Math.floor(centroid.x + 0.5)]).not.toBe(
      1,
    );
    const { crops } = cropsFromLabels(coordinates(), labels, { size: 8 });
    const [cy, cx] = crops[0]!.centre;
    expect(labels.data[cy * 50 + cx]).toBe(1);
    expect(crops[0]!.moved).toBeGreaterThan(0);
    expect(crops[1]!.moved).toBe(0);
  });

  it('uses the label under the centre for tables whose ids are not labels (TrackMate)', () => {
    const labels = rectangles(40, 50, [[7, 18, 18, 22, 22]]);
    const spots = table('ID,POSITION_X,POSITION_Y,FRAME\n1001,20,20,0\n1002,40,10,0\n');
    const { crops, skipped } = cropCells(coordinates(), spots, { size: 8, labels });
    expect(crops.map((c) => [c.row.id, c.label])).toEqual([[1001, 7]]);
    expect(skipped.map((s) => s.reason)).toEqual(['background']);
  });

  it('auto label mode follows the data: ids used when they agree with the labels', () => {
    const labels = rectangles(40, 50, [
      [1001, 8, 8, 12, 12],
      [5, 18, 18, 22, 22],
    ]);
    // TrackMate spot ids that are the labels: masks by id (the centre of 1001 is on cell 5).
    const spots = table('ID,POSITION_X,POSITION_Y\n1001,10,10\n5,20,20\n');
    expect(spots.idsAreLabels).toBe(false);
    const byId = cropCells(coordinates(), spots, { size: 8, labels });
    expect(byId.crops.map((c) => c.label)).toEqual([1001, 5]);
    // A table of ids meant as labels that mostly disagree with them: masks by the centre.
    const relabelled = table('id,x,y\n5,10,10\n1001,20,20\n');
    expect(
      cropCells(coordinates(), relabelled, { size: 8, labels }).crops.map((c) => c.label),
    ).toEqual([1001, 5]);
    // Forced to ids, each cell's label lies beyond its crop: both skipped, none cropped wrongly.
    const forced = cropCells(coordinates(), relabelled, { size: 8, labels, maskLabel: 'id' });
    expect(forced.crops).toEqual([]);
    expect(forced.skipped.map((c) => c.reason)).toEqual(['no-label', 'no-label']);
  });

  it('converts calibrated coordinates with the pixel size', () => {
    const spots = table('ID,POSITION_X,POSITION_Y\n,(micron),(micron)\n1,10,5\n');
    expect(spots.unit).toBe('µm');
    const image = { ...coordinates(), pixelSize: [0.5, 0.5] as const, unit: 'µm' };
    expect(cropCells(image, spots, { size: 4 }).crops[0]!.centre).toEqual([10, 20]);
    expect(cropCells(coordinates(), spots, { size: 4, pixelSize: 0.25 }).crops[0]!.centre).toEqual([
      20, 40,
    ]);
    expect(() => cropCells(coordinates(), spots, { size: 4 })).toThrow(/options\.pixelSize/);
    const nm = { ...image, unit: 'nm' };
    expect(
      isCellshapeError(
        caught(() => cropCells(nm, spots, { size: 4 })),
        'INCOMPATIBLE',
      ),
    ).toBe(true);
  });
});

describe('cropCells refuses bad input with typed errors naming the argument', () => {
  const image = coordinates();
  const cells = table('id,x,y\n1,20,20\n');
  const cases: [string, () => unknown, RegExp][] = [
    [
      'a centroid outside the image',
      () => cropCells(image, table('id,x,y\n1,20,20\n2,50,3\n'), { size: 4 }),
      /'table'.*cell 2 at \(x 50, y 3\)/,
    ],
    [
      'a crop larger than the image',
      () => cropCells(image, cells, { size: 41 }),
      /'options\.size'.*40 × 50/,
    ],
    [
      'an image of the wrong rank',
      () => cropCells({ data: new Float32Array(4), shape: [2, 2] } as never, cells),
      /'image\.shape'.*rank-3/,
    ],
    [
      'NaN pixels',
      () =>
        cropCells({ data: new Float32Array([0, Number.NaN, 0, 0]), shape: [2, 2, 1] }, cells, {
          size: 1,
        }),
      /'image'.*NaN at row 0, column 1/,
    ],
    [
      'labels of another size',
      () => cropCells(image, cells, { size: 4, labels: rectangles(10, 10, []) }),
      /'options\.labels'/,
    ],
    [
      'ids that match no label',
      () =>
        cropCells(image, table('id,x,y\n5,20,20\n6,21,21\n'), {
          size: 4,
          labels: rectangles(40, 50, [[1, 0, 0, 3, 3]]),
        }),
      /no id of 'table' \(5, 6\)/,
    ],
    [
      'a table spanning frames without options.frame',
      () => cropCells(image, table('id,x,y,frame\n1,2,2,0\n1,3,3,1\n'), { size: 2 }),
      /'options\.frame'.*2 frames/,
    ],
  ];
  for (const [what, run, message] of cases)
    it(what, () => {
      const error = caught(run);
      expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(message);
    });
});

describe.runIf(
  haveImages2D(
    'the Usiigaci crop check',
    'usiigaci_T98G_phase_t01.tif',
    'usiigaci_T98G_id_masks_t01.png',
    'usiigaci_T98G_tracks.csv',
  ),
)('Usiigaci frame 1 and its tracks.csv', () => {
  // Read in beforeAll: a skipped describe still runs its body to collect the tests.
  let image: ReturnType<typeof readImage2D>;
  let labels: ReturnType<typeof readLabelImage2D>;
  let tracks: ReturnType<typeof readCentroidTable>;
  beforeAll(() => {
    image = readImage2D(join(IMAGES_2D, 'usiigaci_T98G_phase_t01.tif'));
    labels = readLabelImage2D(join(IMAGES_2D, 'usiigaci_T98G_id_masks_t01.png'));
    tracks = readCentroidTable(join(IMAGES_2D, 'usiigaci_T98G_tracks.csv'));
  });

  it('the label under every crop centre is the cell own id; edge cells are skipped and listed', () => {
    const { crops, skipped } = cropCells(image, tracks, { frame: 0, labels });
    const half = 64;
    for (const crop of crops) {
      const [cy, cx] = crop.centre;
      expect(labels.data[cy * 1024 + cx]).toBe(crop.row.id);
      expect(crop.mask!.data[half * 128 + half]).toBe(1);
      expect(crop.image.data[half * 128 + half]).toBe(image.data[cy * 1024 + cx]);
    }
    // With pandas: the 20 cells of frame 0 whose rounded wtd_x/wtd_y lie within 64 pixels of
    // an edge of the 1022×1024 frame (rows cy-64 … cy+63 must fit).
    const edge = [2, 3, 4, 5, 6, 7, 13, 14, 17, 20, 21, 22, 23, 24, 28, 30, 31, 34, 52, 60];
    expect(skipped.map((s) => s.row.id).sort((a, b) => a - b)).toEqual(edge);
    expect(skipped.every((s) => s.reason === 'edge')).toBe(true);
    expect(crops).toHaveLength(71 - 20);
    // Particle 1 is concave: its centroid lies on cell 70, so its centre moved into the cell.
    expect(crops.filter((c) => c.moved > 0).map((c) => c.row.id)).toEqual([1]);
  });

  it('label centroids equal the tracks centroids (Usiigaci computes them with scikit-image)', () => {
    const centroids = labelCentroids(labels);
    const byId = new Map(centroids.rows.map((r) => [r.id, r]));
    const frame0 = tracks.rows.filter((r) => r.frame === 0);
    expect(centroids.rows).toHaveLength(71);
    for (const row of frame0) {
      const mine = byId.get(row.id)!;
      expect(mine.x).toBeCloseTo(row.x, 4);
      expect(mine.y).toBeCloseTo(row.y, 4);
      expect(Number(mine.metadata.area)).toBe(Number(row.metadata.wtd_area));
    }
    const { crops, skipped } = cropsFromLabels(image, labels);
    expect(crops.length + skipped.length).toBe(71);
    for (const crop of crops)
      expect(labels.data[crop.centre[0] * 1024 + crop.centre[1]]).toBe(crop.row.id);
  });
});

describe.runIf(
  haveImages2D(
    'the StarDist crop check',
    'stardist_dsb2018_img2d.tif',
    'stardist_dsb2018_mask2d_labels.tif',
  ),
)('StarDist DSB2018 image and labels', () => {
  it('centroids equal scikit-image regionprops; every crop centre is a pixel of its cell', () => {
    const image = readImage2D(join(IMAGES_2D, 'stardist_dsb2018_img2d.tif'));
    const labels = readLabelImage2D(join(IMAGES_2D, 'stardist_dsb2018_mask2d_labels.tif'));
    const centroids = labelCentroids(labels);
    // /usr/bin/python3: skimage.measure.regionprops(tifffile.imread(labels)) — label, centroid, area.
    expect(centroids.rows).toHaveLength(125);
    const byId = new Map(centroids.rows.map((r) => [r.id, r]));
    for (const [id, y, x, area] of [
      [1, 455.05535055350555, 425.73985239852396, 542],
      [80, 286.11633663366337, 315.4480198019802, 404],
      [183, 488.76908752327745, 255.10800744878958, 537],
    ] as const) {
      expect(byId.get(id)!.y).toBeCloseTo(y, 9);
      expect(byId.get(id)!.x).toBeCloseTo(x, 9);
      expect(byId.get(id)!.metadata.area).toBe(String(area));
    }
    const { crops, skipped } = cropsFromLabels(image, labels, { size: 64 });
    // 35 cells have a rounded centroid within 32 pixels of an edge (same computation in numpy).
    expect(skipped.filter((s) => s.reason === 'edge')).toHaveLength(35);
    expect(crops).toHaveLength(125 - 35);
    for (const crop of crops) {
      expect(labels.data[crop.centre[0] * 512 + crop.centre[1]]).toBe(crop.row.id);
      expect(crop.mask!.data[32 * 64 + 32]).toBe(1);
    }
  });
});
