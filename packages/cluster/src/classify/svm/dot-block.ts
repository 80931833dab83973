/**
 * All dot products of rows `i0 … i1 − 1` of `a` with rows `j0 … j1 − 1` of `b` (row-major,
 * `d` columns each) into `out`, row-major `(i1 − i0) × (j1 − j0)`. Tiles of 4 × 4 rows reuse
 * every loaded value four times, about twice the speed of one dot product at a time.
 */
export function dotBlock(
  a: Float64Array,
  b: Float64Array,
  d: number,
  rowsA: readonly [number, number],
  rowsB: readonly [number, number],
  out: Float64Array | Float32Array,
): void {
  const [i0, i1] = rowsA;
  const [j0, j1] = rowsB;
  const w = j1 - j0;
  let i = i0;
  for (; i + 3 < i1; i += 4) {
    let j = j0;
    for (; j + 3 < j1; j += 4) tile4x4(a, b, d, i, j, out, (i - i0) * w + (j - j0), w);
    for (; j < j1; j++)
      for (let r = 0; r < 4; r++)
        out[(i + r - i0) * w + (j - j0)] = dot(a, (i + r) * d, b, j * d, d);
  }
  for (; i < i1; i++)
    for (let j = j0; j < j1; j++) out[(i - i0) * w + (j - j0)] = dot(a, i * d, b, j * d, d);
}

function tile4x4(
  a: Float64Array,
  b: Float64Array,
  d: number,
  i: number,
  j: number,
  out: Float64Array | Float32Array,
  at: number,
  w: number,
): void {
  const a0 = i * d;
  const a1 = a0 + d;
  const a2 = a1 + d;
  const a3 = a2 + d;
  const b0 = j * d;
  const b1 = b0 + d;
  const b2 = b1 + d;
  const b3 = b2 + d;
  let s00 = 0,
    s01 = 0,
    s02 = 0,
    s03 = 0;
  let s10 = 0,
    s11 = 0,
    s12 = 0,
    s13 = 0;
  let s20 = 0,
    s21 = 0,
    s22 = 0,
    s23 = 0;
  let s30 = 0,
    s31 = 0,
    s32 = 0,
    s33 = 0;
  for (let k = 0; k < d; k++) {
    const x0 = a[a0 + k]!;
    const x1 = a[a1 + k]!;
    const x2 = a[a2 + k]!;
    const x3 = a[a3 + k]!;
    const y0 = b[b0 + k]!;
    const y1 = b[b1 + k]!;
    const y2 = b[b2 + k]!;
    const y3 = b[b3 + k]!;
    s00 += x0 * y0;
    s01 += x0 * y1;
    s02 += x0 * y2;
    s03 += x0 * y3;
    s10 += x1 * y0;
    s11 += x1 * y1;
    s12 += x1 * y2;
    s13 += x1 * y3;
    s20 += x2 * y0;
    s21 += x2 * y1;
    s22 += x2 * y2;
    s23 += x2 * y3;
    s30 += x3 * y0;
    s31 += x3 * y1;
    s32 += x3 * y2;
    s33 += x3 * y3;
  }
  out[at] = s00;
  out[at + 1] = s01;
  out[at + 2] = s02;
  out[at + 3] = s03;
  at += w;
  out[at] = s10;
  out[at + 1] = s11;
  out[at + 2] = s12;
  out[at + 3] = s13;
  at += w;
  out[at] = s20;
  out[at + 1] = s21;
  out[at + 2] = s22;
  out[at + 3] = s23;
  at += w;
  out[at] = s30;
  out[at + 1] = s31;
  out[at + 2] = s32;
  out[at + 3] = s33;
}

/** Dot product of `d` values of `a` from `ia` and `b` from `ib` (unrolled by 4). */
export function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += a[ia + k]! * b[ib + k]!;
    s1 += a[ia + k + 1]! * b[ib + k + 1]!;
    s2 += a[ia + k + 2]! * b[ib + k + 2]!;
    s3 += a[ia + k + 3]! * b[ib + k + 3]!;
  }
  for (; k < d; k++) s0 += a[ia + k]! * b[ib + k]!;
  return s0 + s1 + s2 + s3;
}
