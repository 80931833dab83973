import type { ConvGeometry } from './geometry.js';

/**
 * The column ("vol2col" / "im2col") layout: row `r` is output position `r` over the batch
 * (`((b·D' + d)·H' + h)·W' + w`), its `k_d·k_h·k_w·C_in` columns the input values that position
 * reads, tap-major then channel (`((t_d·k_h + t_h)·k_w + t_w)·C_in + c`) — the row order of
 * tfjs's filter `[k_d, k_h, k_w, C_in, C_out]` reshaped to `[K, C_out]`, so that
 * `columns · filter` is the convolution.
 */

/** The clamp of one axis: first and end tap inside the input for an output coordinate. */
function tapRange(o: number, stride: number, padding: number, kernel: number, size: number) {
  const start = o * stride - padding;
  return { start, lo: Math.max(0, -start), hi: Math.min(kernel, size - start) };
}

/**
 * Visits the rows `[r0, r1)`: for each tap `(t_d, t_h)` with both coordinates inside the
 * input it calls `run(colOffset, inOffset, count)` for the `count` values of the valid `t_w`
 * taps (contiguous in both layouts: channels-last input, tap-major columns). Columns of taps
 * outside the input are not visited.
 */
function visitRows(
  g: ConvGeometry,
  r0: number,
  r1: number,
  run: (col: number, input: number, count: number) => void,
): void {
  const [D, H, W] = g.inSize;
  const [, oh, ow] = g.outSize;
  const [kd, kh, kw] = g.kernel;
  const C = g.inChannels;
  const K = kd * kh * kw * C;
  const perSample = g.outSize[0] * oh * ow;
  for (let r = r0; r < r1; r++) {
    const b = Math.floor(r / perSample);
    let rest = r - b * perSample;
    const od = Math.floor(rest / (oh * ow));
    rest -= od * oh * ow;
    const oy = Math.floor(rest / ow);
    const ox = rest - oy * ow;
    const d = tapRange(od, g.stride[0], g.padding[0], kd, D);
    const h = tapRange(oy, g.stride[1], g.padding[1], kh, H);
    const w = tapRange(ox, g.stride[2], g.padding[2], kw, W);
    const rowCol = (r - r0) * K;
    const wBefore = w.lo * C;
    const wCount = (w.hi - w.lo) * C;
    if (wCount <= 0) continue;
    for (let td = d.lo; td < d.hi; td++) {
      const colD = rowCol + td * kh * kw * C;
      const planeIn = (b * D + d.start + td) * H;
      for (let th = h.lo; th < h.hi; th++)
        run(
          colD + th * kw * C + wBefore,
          ((planeIn + h.start + th) * W + w.start + w.lo) * C,
          wCount,
        );
    }
  }
}

/** Runs at least this long are copied with `TypedArray.set` (shorter ones by a loop). */
const SET_MIN = 24;

/**
 * Writes the columns of rows `[r0, r1)` of `input` (channels-last, the geometry's input) into
 * `columns` (`(r1 − r0) × K`, row-major), which must hold zeros: taps in the padding are left
 * as they are.
 */
export function gatherColumns(
  input: Float32Array,
  g: ConvGeometry,
  r0: number,
  r1: number,
  columns: Float32Array,
): void {
  visitRows(g, r0, r1, (col, src, count) => {
    if (count >= SET_MIN) columns.set(input.subarray(src, src + count), col);
    else for (let i = 0; i < count; i++) columns[col + i] = input[src + i] as number;
  });
}

/**
 * The adjoint of {@link gatherColumns} ("col2vol"): adds each column value of rows `[r0, r1)`
 * to the input position it was read from; columns of taps in the padding are dropped.
 */
export function scatterColumns(
  columns: Float32Array,
  g: ConvGeometry,
  r0: number,
  r1: number,
  target: Float32Array,
): void {
  visitRows(g, r0, r1, (col, dst, count) => {
    for (let i = 0; i < count; i++)
      target[dst + i] = (target[dst + i] as number) + (columns[col + i] as number);
  });
}
