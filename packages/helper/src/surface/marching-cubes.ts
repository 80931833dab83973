import { InvalidArgumentError, invalidArgument } from '@cellshape/core';
import type { Mesh, Volume } from '../types.js';
import { LEWINER_TABLES } from './lewiner-tables.js';

/** Options of {@link marchingCubes}. */
export interface MarchingCubesOptions {
  /**
   * Iso-level; the surface encloses the voxels whose value is strictly above it. Default: midway
   * between the volume's minimum and maximum (as scikit-image), e.g. 127.5 for a 0/255 mask.
   * Must lie within [min, max] of the data.
   */
  level?: number;
  /**
   * Physical voxel size along (z, y, x), e.g. `[2.18, 1, 1]`. Default: `volume.spacing`, else
   * `[1, 1, 1]`.
   */
  spacing?: readonly [number, number, number];
  /** Step in voxels between sampled grid points (coarser and faster when > 1). Default 1. */
  stepSize?: number;
}

/** The defaults of {@link marchingCubes} that do not depend on the volume. */
export const DEFAULT_MARCHING_CUBES_OPTIONS: Readonly<{ stepSize: number }> = { stepSize: 1 };

// Bound to module locals once: property reads on a module namespace can be getters after
// transpilation, too slow for the per-cell lookups.
const {
  CASES,
  SUBCONFIG13,
  TEST3,
  TEST4,
  TEST6,
  TEST7,
  TEST10,
  TEST12,
  TEST13,
  TILING1,
  TILING2,
  TILING3_1,
  TILING3_2,
  TILING4_1,
  TILING4_2,
  TILING5,
  TILING6_1_1,
  TILING6_1_2,
  TILING6_2,
  TILING7_1,
  TILING7_2,
  TILING7_3,
  TILING7_4_1,
  TILING7_4_2,
  TILING8,
  TILING9,
  TILING10_1_1,
  TILING10_1_1_,
  TILING10_1_2,
  TILING10_2,
  TILING10_2_,
  TILING11,
  TILING12_1_1,
  TILING12_1_1_,
  TILING12_1_2,
  TILING12_2,
  TILING12_2_,
  TILING13_1,
  TILING13_1_,
  TILING13_2,
  TILING13_2_,
  TILING13_3,
  TILING13_3_,
  TILING13_4,
  TILING13_5_1,
  TILING13_5_2,
  TILING14,
} = LEWINER_TABLES;

const FN = 'marchingCubes';
// scikit-image's "FLT_EPSILON" is np.spacing(1.0), i.e. the float64 epsilon.
const EPS = 2.220446049250313e-16;

/**
 * Extracts the iso-surface of a 3-D volume with Lewiner et al.'s Marching Cubes 33, a port of
 * scikit-image's `marching_cubes(method='lewiner')`: the same lookup tables, the same topological
 * tests for the ambiguous cases and the same vertex placement, so vertex and face counts match
 * scikit-image on the same input. Vertices on shared edges are created once.
 *
 * Output `positions` are x, y, z in physical units (`x = column · spacing[2]`,
 * `y = row · spacing[1]`, `z = slice · spacing[0]`); faces are counter-clockwise seen from outside,
 * where "inside" is the region with values above `level`. Values are compared in float32, as
 * scikit-image converts volumes to float32. Objects touching the border of the volume give an
 * open surface: pad masks by one voxel first (as `labelObjects` does).
 *
 * @throws InvalidArgumentError when the volume is not 3-D with every axis ≥ 2, holds NaN or
 *   infinite values, `level` lies outside the data range, or no surface exists at `level`
 *   (e.g. a constant volume).
 */
export function marchingCubes(volume: Volume, options: MarchingCubesOptions = {}): Mesh {
  const { values, shape } = checkVolume(volume);
  if (typeof options !== 'object' || options === null)
    throw invalidArgument(FN, 'options', 'an object', options);
  const spacing = options.spacing ?? volume.spacing ?? [1, 1, 1];
  checkSpacing(spacing, options.spacing === undefined ? 'volume.spacing' : 'options.spacing');
  const step = options.stepSize ?? DEFAULT_MARCHING_CUBES_OPTIONS.stepSize;
  if (!Number.isInteger(step) || step < 1 || step >= Math.min(...shape))
    throw invalidArgument(
      FN,
      'options.stepSize',
      `a positive integer smaller than every volume dimension ${describeShape(shape)}`,
      step,
    );

  const { rowMin, rowMax } = rowRanges(values, shape[2]);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let row = 0; row < rowMin.length; row++) {
    min = Math.min(min, rowMin[row]!);
    max = Math.max(max, rowMax[row]!);
  }
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw invalidArgument(FN, 'volume', 'free of NaN and infinite values');
  let level: number;
  if (options.level === undefined) {
    // As scikit-image: 0.5 * (min + max) with the sum taken in float32.
    level = 0.5 * Math.fround(min + max);
  } else {
    level = options.level;
    if (typeof level !== 'number' || !(level >= min && level <= max))
      throw invalidArgument(
        FN,
        'options.level',
        `within the volume data range [${min}, ${max}]`,
        options.level,
      );
  }

  const marcher = new LewinerMarcher(values, shape, step, level);
  marcher.run(insideSpans(values, shape[2], rowMax, level));
  if (marcher.vertexCount === 0)
    throw new InvalidArgumentError(
      `${FN}: no surface found at level ${level} (the volume ${
        min === max ? `is constant (${min})` : `has no voxel above ${level}`
      })`,
      { fn: FN, arg: 'volume' },
    );
  return marcher.result(spacing);
}

/**
 * The minimum and maximum of every row (run of `nx` values along x). Math.min/max propagate
 * NaN, so a NaN anywhere makes its row's range NaN.
 */
function rowRanges(
  values: Float32Array,
  nx: number,
): { rowMin: Float64Array; rowMax: Float64Array } {
  const rows = values.length / nx;
  const rowMin = new Float64Array(rows);
  const rowMax = new Float64Array(rows);
  for (let row = 0, i = 0; row < rows; row++) {
    let min = values[i]!;
    let max = min;
    for (const end = i + nx; i < end; i++) {
      const v = values[i]!;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    rowMin[row] = min;
    rowMax[row] = max;
  }
  return { rowMin, rowMax };
}

/**
 * For every row, the first and last x whose value is above `level` (`nx` and -1 for a row with
 * none). Rows whose maximum is not above `level` are not read; the others are scanned from both
 * ends, so object interiors are not read either.
 */
function insideSpans(
  values: Float32Array,
  nx: number,
  rowMax: Float64Array,
  level: number,
): { first: Int32Array; last: Int32Array } {
  const rows = rowMax.length;
  const first = new Int32Array(rows).fill(nx);
  const last = new Int32Array(rows).fill(-1);
  for (let row = 0; row < rows; row++) {
    if (!(rowMax[row]! > level)) continue;
    const base = row * nx;
    let x = 0;
    while (!(values[base + x]! > level)) x++;
    first[row] = x;
    let end = nx - 1;
    while (!(values[base + end]! > level)) end--;
    last[row] = end;
  }
  return { first, last };
}

/** The volume's values as float32 and its validated shape. */
function checkVolume(volume: Volume): {
  values: Float32Array;
  shape: [number, number, number];
} {
  if (typeof volume !== 'object' || volume === null)
    throw invalidArgument(FN, 'volume', 'an object { data, shape: [z, y, x] }', volume);
  const { data, shape } = volume;
  if (
    !ArrayBuffer.isView(data) ||
    data instanceof DataView ||
    data instanceof BigInt64Array ||
    data instanceof BigUint64Array
  )
    throw invalidArgument(FN, 'volume.data', 'a numeric typed array', data);
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0)
  )
    throw invalidArgument(FN, 'volume.shape', 'three non-negative integers [z, y, x]', shape);
  if (shape[0] * shape[1] * shape[2] !== data.length)
    throw invalidArgument(
      FN,
      'volume.data',
      `of length ${shape[0] * shape[1] * shape[2]} to match shape ${describeShape(shape)}`,
      data.length,
    );
  if (shape[0] < 2 || shape[1] < 2 || shape[2] < 2)
    throw invalidArgument(FN, 'volume.shape', 'at least 2 along every axis', shape);
  // float32 as scikit-image (the data itself when already float32); integer volumes up to
  // 16 bits convert exactly.
  const values = data instanceof Float32Array ? data : new Float32Array(data);
  return { values, shape: [shape[0], shape[1], shape[2]] };
}

function checkSpacing(spacing: readonly number[], arg: string): void {
  if (
    !Array.isArray(spacing) ||
    spacing.length !== 3 ||
    !spacing.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)
  )
    throw invalidArgument(FN, arg, 'three positive finite numbers (z, y, x)', spacing);
}

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

// The two ends of each of the 12 cube edges as corner codes dz*4 + dy*2 + dx (scikit-image's
// EDGETORELATIVEPOS{X,Y,Z}); edges 0-3 lie on the bottom slice, 4-7 on the top, 8-11 are vertical.
const EDGE_END_A = Int8Array.of(0, 1, 3, 2, 4, 5, 7, 6, 0, 1, 3, 2);
const EDGE_END_B = Int8Array.of(1, 3, 2, 0, 5, 7, 6, 4, 4, 5, 7, 6);

// Where the vertex of each edge (and of the centre, 12) is cached: in the top or bottom layer,
// at the cell shifted by (dx, dy) steps, in slot 0 (x-edges), 1 (y-edges), 2 (z-edges) or
// 3 (centre). An edge shared by neighbouring cubes maps to the same slot from each of them.
const EDGE_ON_TOP = Int8Array.of(0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0);
const EDGE_DX = Int8Array.of(0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0);
const EDGE_DY = Int8Array.of(0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0);
const EDGE_SLOT = Int8Array.of(0, 1, 0, 1, 0, 1, 0, 1, 2, 2, 2, 2, 3);

/**
 * The state of one Lewiner marching-cubes pass (a port of scikit-image's Cython `Cell`). Edge
 * vertices are cached in two "face layers" (the bottom and top slices of the current slab): four
 * slots per grid cell (x-edge, y-edge, z-edge, centre vertex), so every vertex is made once.
 */
class LewinerMarcher {
  vertexCount = 0;
  private faceCount = 0;
  private vertices = new Float32Array(3 * 4096);
  private faces = new Uint32Array(3 * 8192);
  private layerBottom: Int32Array;
  private layerTop: Int32Array;

  // The current cube: its origin and corner values minus the level, in Lewiner's numbering
  // (0..3 anticlockwise on the bottom slice starting at the origin, 4..7 above them).
  private x = 0;
  private y = 0;
  private z = 0;
  private v0 = 0;
  private v1 = 0;
  private v2 = 0;
  private v3 = 0;
  private v4 = 0;
  private v5 = 0;
  private v6 = 0;
  private v7 = 0;
  // The same corner values indexed by dz*4 + dy*2 + dx, for edge interpolation.
  private readonly corner = new Float64Array(8);
  private centreReady = false;
  private centreX = 0;
  private centreY = 0;
  private centreZ = 0;

  constructor(
    private readonly values: Float32Array,
    private readonly shape: readonly [number, number, number],
    private readonly step: number,
    private readonly level: number,
  ) {
    const layerSize = shape[1] * shape[2] * 4;
    this.layerBottom = new Int32Array(layerSize).fill(-1);
    this.layerTop = new Int32Array(layerSize).fill(-1);
  }

  /** Marches over all cubes; `first` / `last` bound the inside voxels of each row. */
  run({ first, last }: { first: Int32Array; last: Int32Array }): void {
    const { values, step: st, level } = this;
    const [nz, ny, nx] = this.shape;
    for (let z = 0; z + st < nz; z += st) {
      // Enter a new slab: the old top layer becomes the bottom one, the new top one is empty.
      const bottom = this.layerTop;
      this.layerTop = this.layerBottom.fill(-1);
      this.layerBottom = bottom;
      for (let y = 0; y + st < ny; y += st) {
        const q00 = z * ny + y;
        const q01 = q00 + st;
        const q10 = q00 + st * ny;
        const q11 = q10 + st;
        // Only cubes with a corner inside the rows' inside spans can meet the surface.
        const from = Math.min(first[q00]!, first[q01]!, first[q10]!, first[q11]!);
        const to = Math.max(last[q00]!, last[q01]!, last[q10]!, last[q11]!);
        if (to < 0) continue;
        const r00 = q00 * nx;
        const r01 = q01 * nx;
        const r10 = q10 * nx;
        const r11 = q11 * nx;
        let x = Math.max(0, Math.ceil((from - st) / st) * st);
        // Corners 0, 3, 4, 7 of a cube are corners 1, 2, 5, 6 of the previous one.
        let low =
          (values[r00 + x]! > level ? 1 : 0) |
          (values[r01 + x]! > level ? 8 : 0) |
          (values[r10 + x]! > level ? 16 : 0) |
          (values[r11 + x]! > level ? 128 : 0);
        for (; x + st < nx && x <= to; x += st) {
          const xs = x + st;
          const a1 = values[r00 + xs]! > level;
          const a2 = values[r01 + xs]! > level;
          const a5 = values[r10 + xs]! > level;
          const a6 = values[r11 + xs]! > level;
          const index = low | (a1 ? 2 : 0) | (a2 ? 4 : 0) | (a5 ? 32 : 0) | (a6 ? 64 : 0);
          low = (a1 ? 1 : 0) | (a2 ? 8 : 0) | (a5 ? 16 : 0) | (a6 ? 128 : 0);
          if (index === 0 || index === 255) continue;
          this.x = x;
          this.y = y;
          this.z = z;
          this.setCorners(
            values[r00 + x]! - level,
            values[r00 + xs]! - level,
            values[r01 + xs]! - level,
            values[r01 + x]! - level,
            values[r10 + x]! - level,
            values[r10 + xs]! - level,
            values[r11 + xs]! - level,
            values[r11 + x]! - level,
          );
          this.bigSwitch(CASES[index * 2]!, CASES[index * 2 + 1]!);
        }
      }
    }
  }

  /** The mesh in physical x, y, z units, trimmed to size. */
  result(spacing: readonly [number, number, number]): Mesh {
    const n = this.vertexCount;
    const positions = this.vertices.slice(0, 3 * n);
    const [sz, sy, sx] = spacing;
    if (sx !== 1 || sy !== 1 || sz !== 1) {
      for (let i = 0; i < 3 * n; i += 3) {
        positions[i] = positions[i]! * sx;
        positions[i + 1] = positions[i + 1]! * sy;
        positions[i + 2] = positions[i + 2]! * sz;
      }
    }
    return { positions, faces: this.faces.slice(0, this.faceCount) };
  }

  private setCorners(
    v0: number,
    v1: number,
    v2: number,
    v3: number,
    v4: number,
    v5: number,
    v6: number,
    v7: number,
  ): void {
    this.v0 = v0;
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
    this.v4 = v4;
    this.v5 = v5;
    this.v6 = v6;
    this.v7 = v7;
    const c = this.corner;
    c[0] = v0;
    c[1] = v1;
    c[2] = v3;
    c[3] = v2;
    c[4] = v4;
    c[5] = v5;
    c[6] = v7;
    c[7] = v6;
    this.centreReady = false;
  }

  /** Emits `count` triangles whose edge codes start at `table[offset]`. */
  private addTriangles(table: Int8Array, offset: number, count: number): void {
    if (this.faceCount + 3 * count > this.faces.length) this.faces = grow(this.faces);
    const faces = this.faces;
    const end = offset + 3 * count;
    for (let k = offset; k < end; k += 3) {
      // Lewiner's tables wind the other way round in x, y, z: store (c, b, a). The corners are
      // still visited a, b, c so that vertices are numbered as in scikit-image.
      const f = this.faceCount;
      faces[f + 2] = this.cornerVertex(table[k]!);
      faces[f + 1] = this.cornerVertex(table[k + 1]!);
      faces[f] = this.cornerVertex(table[k + 2]!);
      this.faceCount = f + 3;
    }
  }

  /** The vertex on cube edge `edge` (12 = the cube's centre), made on first use. */
  private cornerVertex(edge: number): number {
    const st = this.step;
    const cell = this.shape[2] * (this.y + EDGE_DY[edge]! * st) + this.x + EDGE_DX[edge]! * st;
    const layer = EDGE_ON_TOP[edge] ? this.layerTop : this.layerBottom;
    const key = 4 * cell + EDGE_SLOT[edge]!;
    let vertex = layer[key]!;
    if (vertex < 0) {
      if (edge === 12) {
        if (!this.centreReady) this.computeCentre();
        vertex = this.addVertex(this.centreX, this.centreY, this.centreZ);
      } else {
        const a = EDGE_END_A[edge]!;
        const b = EDGE_END_B[edge]!;
        // Inverse-distance weights: linear interpolation of the crossing along the edge.
        const wa = 1 / (EPS + Math.abs(this.corner[a]!));
        const wb = 1 / (EPS + Math.abs(this.corner[b]!));
        const ff = wa + wb;
        const fx = (a & 1) * wa + (b & 1) * wb;
        const fy = ((a >> 1) & 1) * wa + ((b >> 1) & 1) * wb;
        const fz = (a >> 2) * wa + (b >> 2) * wb;
        vertex = this.addVertex(
          this.x + (st * fx) / ff,
          this.y + (st * fy) / ff,
          this.z + (st * fz) / ff,
        );
      }
      layer[key] = vertex;
    }
    return vertex;
  }

  private addVertex(x: number, y: number, z: number): number {
    if (3 * this.vertexCount === this.vertices.length) this.vertices = grow(this.vertices);
    const i = 3 * this.vertexCount;
    this.vertices[i] = x;
    this.vertices[i + 1] = y;
    this.vertices[i + 2] = z;
    return this.vertexCount++;
  }

  /** The cube's centre vertex: the inverse-distance weighted mean of its corners. */
  private computeCentre(): void {
    const w0 = 1 / (EPS + Math.abs(this.v0));
    const w1 = 1 / (EPS + Math.abs(this.v1));
    const w2 = 1 / (EPS + Math.abs(this.v2));
    const w3 = 1 / (EPS + Math.abs(this.v3));
    const w4 = 1 / (EPS + Math.abs(this.v4));
    const w5 = 1 / (EPS + Math.abs(this.v5));
    const w6 = 1 / (EPS + Math.abs(this.v6));
    const w7 = 1 / (EPS + Math.abs(this.v7));
    const ff = w0 + w1 + w2 + w3 + w4 + w5 + w6 + w7;
    const fx = w1 + w2 + w5 + w6;
    const fy = w2 + w3 + w6 + w7;
    const fz = w4 + w5 + w6 + w7;
    this.centreX = this.x + (this.step * fx) / ff;
    this.centreY = this.y + (this.step * fy) / ff;
    this.centreZ = this.z + (this.step * fz) / ff;
    this.centreReady = true;
  }

  /** Lewiner's case analysis: emits the tiling of cube case `kase` in configuration `config`. */
  private bigSwitch(kase: number, config: number): void {
    switch (kase) {
      case 1:
        this.addTriangles(TILING1, config * 3, 1);
        break;
      case 2:
        this.addTriangles(TILING2, config * 6, 2);
        break;
      case 3:
        if (this.testFace(TEST3[config]!)) this.addTriangles(TILING3_2, config * 12, 4);
        else this.addTriangles(TILING3_1, config * 6, 2);
        break;
      case 4:
        if (this.testInterior(kase, config, 0, TEST4[config]!))
          this.addTriangles(TILING4_1, config * 6, 2);
        else this.addTriangles(TILING4_2, config * 18, 6);
        break;
      case 5:
        this.addTriangles(TILING5, config * 9, 3);
        break;
      case 6:
        if (this.testFace(TEST6[config * 3]!)) this.addTriangles(TILING6_2, config * 15, 5);
        else if (this.testInterior(kase, config, 0, TEST6[config * 3 + 1]!))
          this.addTriangles(TILING6_1_1, config * 9, 3);
        else this.addTriangles(TILING6_1_2, config * 27, 9);
        break;
      case 7:
        this.case7(config);
        break;
      case 8:
        this.addTriangles(TILING8, config * 6, 2);
        break;
      case 9:
        this.addTriangles(TILING9, config * 12, 4);
        break;
      case 10:
        this.case10or12(kase, config, TEST10, 3, CASE10_TILINGS);
        break;
      case 11:
        this.addTriangles(TILING11, config * 12, 4);
        break;
      case 12:
        this.case10or12(kase, config, TEST12, 4, CASE12_TILINGS);
        break;
      case 13:
        this.case13(config);
        break;
      case 14:
        this.addTriangles(TILING14, config * 12, 4);
        break;
      default:
        throw new Error(`${FN}: internal error, unknown cube case ${kase}`);
    }
  }

  private case7(config: number): void {
    const t = config * 5;
    const sub =
      (this.testFace(TEST7[t]!) ? 1 : 0) |
      (this.testFace(TEST7[t + 1]!) ? 2 : 0) |
      (this.testFace(TEST7[t + 2]!) ? 4 : 0);
    if (sub === 0) this.addTriangles(TILING7_1, config * 9, 3);
    // One ambiguous face separated (sub 1, 2, 4): tiling 7.2, variant 0, 1 or 2.
    else if (sub === 1 || sub === 2 || sub === 4)
      this.addTriangles(TILING7_2, config * 45 + (sub >> 1) * 15, 5);
    // Two separated (sub 3, 5, 6): tiling 7.3, variant 0, 1 or 2.
    else if (sub !== 7) this.addTriangles(TILING7_3, config * 81 + ((sub >> 1) - 1) * 27, 9);
    else if (this.testInterior(7, config, sub, TEST7[t + 3]!))
      this.addTriangles(TILING7_4_2, config * 27, 9);
    else this.addTriangles(TILING7_4_1, config * 15, 5);
  }

  /** Cases 10 and 12 share their structure (two face tests, then an interior test). */
  private case10or12(
    kase: number,
    config: number,
    test: Int8Array,
    testStride: number,
    [tiling1_1, tiling1_1_, tiling1_2, tiling2, tiling2_]: CaseTilings,
  ): void {
    const t = config * testStride;
    const face0 = this.testFace(test[t]!);
    const face1 = this.testFace(test[t + 1]!);
    if (face0 && face1) this.addTriangles(tiling1_1_, config * 12, 4);
    else if (face0) this.addTriangles(tiling2, config * 24, 8);
    else if (face1) this.addTriangles(tiling2_, config * 24, 8);
    else if (this.testInterior(kase, config, 0, test[t + 2]!))
      this.addTriangles(tiling1_1, config * 12, 4);
    else this.addTriangles(tiling1_2, config * 24, 8);
  }

  private case13(config: number): void {
    const t = config * 7;
    let bits = 0;
    for (let k = 0; k < 6; k++) if (this.testFace(TEST13[t + k]!)) bits |= 1 << k;
    const sub = SUBCONFIG13[bits]!;
    if (sub === 0) this.addTriangles(TILING13_1, config * 12, 4);
    else if (sub <= 6) this.addTriangles(TILING13_2, config * 108 + (sub - 1) * 18, 6);
    else if (sub <= 18) this.addTriangles(TILING13_3, config * 360 + (sub - 7) * 30, 10);
    else if (sub <= 22) this.addTriangles(TILING13_4, config * 144 + (sub - 19) * 36, 12);
    else if (sub <= 26) {
      const variant = sub - 23;
      if (this.testInterior(13, config, variant, TEST13[t + 6]!))
        this.addTriangles(TILING13_5_1, config * 72 + variant * 18, 6);
      else this.addTriangles(TILING13_5_2, config * 120 + variant * 30, 10);
    } else if (sub <= 38) this.addTriangles(TILING13_3_, config * 360 + (sub - 27) * 30, 10);
    else if (sub <= 44) this.addTriangles(TILING13_2_, config * 108 + (sub - 39) * 18, 6);
    else if (sub === 45) this.addTriangles(TILING13_1_, config * 12, 4);
    else throw new Error(`${FN}: internal error, impossible case 13 configuration ${bits}`);
  }

  /** Whether the ambiguous face `face` (±1..6) joins the positive corners (asymptotic decider). */
  private testFace(face: number): boolean {
    let a: number;
    let b: number;
    let c: number;
    let d: number;
    switch (face < 0 ? -face : face) {
      case 1:
        a = this.v0;
        b = this.v4;
        c = this.v5;
        d = this.v1;
        break;
      case 2:
        a = this.v1;
        b = this.v5;
        c = this.v6;
        d = this.v2;
        break;
      case 3:
        a = this.v2;
        b = this.v6;
        c = this.v7;
        d = this.v3;
        break;
      case 4:
        a = this.v3;
        b = this.v7;
        c = this.v4;
        d = this.v0;
        break;
      case 5:
        a = this.v0;
        b = this.v3;
        c = this.v2;
        d = this.v1;
        break;
      default:
        a = this.v4;
        b = this.v7;
        c = this.v6;
        d = this.v5;
        break;
    }
    const acbd = a * c - b * d;
    if (acbd > -EPS && acbd < EPS) return face >= 0;
    return face * a * acbd >= 0;
  }

  /** Lewiner's interior test: whether the cube's interior joins the ambiguous components. */
  private testInterior(kase: number, config: number, sub: number, s: number): boolean {
    let at = 0;
    let bt = 0;
    let ct = 0;
    let dt = 0;
    if (kase === 4 || kase === 10) {
      const { v0, v1, v2, v3, v4, v5, v6, v7 } = this;
      const a = (v4 - v0) * (v6 - v2) - (v7 - v3) * (v5 - v1);
      const b = v2 * (v4 - v0) + v0 * (v6 - v2) - v1 * (v7 - v3) - v3 * (v5 - v1);
      const t = -b / (2 * a + EPS);
      if (t < 0 || t > 1) return s > 0;
      at = v0 + (v4 - v0) * t;
      bt = v3 + (v7 - v3) * t;
      ct = v2 + (v6 - v2) * t;
      dt = v1 + (v5 - v1) * t;
    } else {
      let edge: number;
      if (kase === 6) edge = TEST6[config * 3 + 2]!;
      else if (kase === 7) edge = TEST7[config * 5 + 4]!;
      else if (kase === 12) edge = TEST12[config * 4 + 3]!;
      else edge = TILING13_5_1[config * 72 + sub * 18]!;
      // The slice through the edge's crossing, parallel to the two faces the edge joins.
      const k = edge * 8;
      const e = INTERIOR_EDGE_CORNERS;
      const c = this.corner;
      const cp = c[e[k]!]!;
      const t = cp / (cp - c[e[k + 1]!]! + EPS);
      bt = c[e[k + 2]!]! + (c[e[k + 3]!]! - c[e[k + 2]!]!) * t;
      ct = c[e[k + 4]!]! + (c[e[k + 5]!]! - c[e[k + 4]!]!) * t;
      dt = c[e[k + 6]!]! + (c[e[k + 7]!]! - c[e[k + 6]!]!) * t;
    }
    const test = (at >= 0 ? 1 : 0) | (bt >= 0 ? 2 : 0) | (ct >= 0 ? 4 : 0) | (dt >= 0 ? 8 : 0);
    switch (test) {
      case 5:
        // scikit-image falls off its if-chain (returning false) when the decider fails.
        return at * ct - bt * dt < EPS ? s > 0 : false;
      case 10:
        return at * ct - bt * dt >= EPS ? s > 0 : false;
      case 7:
      case 11:
      case 13:
      case 14:
      case 15:
        return s < 0;
      default:
        return s > 0;
    }
  }
}

// For the interior test on edge e, the eight corners p q r u w x y z (Lewiner numbering) of
// t = v[p] / (v[p] − v[q]); Bt = v[r] + (v[u] − v[r]) t, Ct = v[w] + (v[x] − v[w]) t,
// Dt = v[y] + (v[z] − v[y]) t (At = 0), as in scikit-image; stored as corner codes.
const LEWINER_TO_CODE = [0, 1, 3, 2, 4, 5, 7, 6];
const INTERIOR_EDGE_CORNERS = Int8Array.from(
  [
    [0, 1, 3, 2, 7, 6, 4, 5],
    [1, 2, 0, 3, 4, 7, 5, 6],
    [2, 3, 1, 0, 5, 4, 6, 7],
    [3, 0, 2, 1, 6, 5, 7, 4],
    [4, 5, 7, 6, 3, 2, 0, 1],
    [5, 6, 4, 7, 0, 3, 1, 2],
    [6, 7, 5, 4, 1, 0, 2, 3],
    [7, 4, 6, 5, 2, 1, 3, 0],
    [0, 4, 3, 7, 2, 6, 1, 5],
    [1, 5, 0, 4, 3, 7, 2, 6],
    [2, 6, 1, 5, 0, 4, 3, 7],
    [3, 7, 2, 6, 1, 5, 0, 4],
  ].flatMap((row) => row.map((corner) => LEWINER_TO_CODE[corner]!)),
);

// Tilings 1.1, 1.1 (mirrored), 1.2, 2 and 2 (mirrored) of cases 10 and 12.
type CaseTilings = readonly [Int8Array, Int8Array, Int8Array, Int8Array, Int8Array];
const CASE10_TILINGS: CaseTilings = [
  TILING10_1_1,
  TILING10_1_1_,
  TILING10_1_2,
  TILING10_2,
  TILING10_2_,
];
const CASE12_TILINGS: CaseTilings = [
  TILING12_1_1,
  TILING12_1_1_,
  TILING12_1_2,
  TILING12_2,
  TILING12_2_,
];

/** A copy of `array` with twice the room (room for a whole cube's 36 face slots at least). */
function grow<T extends Float32Array | Uint32Array>(array: T): T {
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2 + 36);
  bigger.set(array);
  return bigger;
}
