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
 * taps (contiguous in both layouts: channels-last input, tap-major columns); `gap(colOffset,
 * count)` covers the columns of taps outside the input.
 */
function visitRows(
  g: ConvGeometry,
  r0: number,
  r1: number,
  run: (col: number, input: number, count: number) => void,
  gap: (col: number, count: number) => void,
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
    const wCount = Math.max(0, w.hi - w.lo) * C;
    const wAfter = kw * C - wBefore - wCount;
    for (let td = 0; td < kd; td++) {
      const colD = rowCol + td * kh * kw * C;
      if (td < d.lo || td >= d.hi) {
        gap(colD, kh * kw * C);
        continue;
      }
      const planeIn = (b * D + d.start + td) * H;
      for (let th = 0; th < kh; th++) {
        const col = colD + th * kw * C;
        if (th < h.lo || th >= h.hi || wCount === 0) {
          gap(col, kw * C);
          continue;
        }
        if (wBefore > 0) gap(col, wBefore);
        run(col + wBefore, ((planeIn + h.start + th) * W + w.start + w.lo) * C, wCount);
        if (wAfter > 0) gap(col + wBefore + wCount, wAfter);
      }
    }
  }
}

/**
 * Writes the columns of rows `[r0, r1)` of `input` (channels-last, the geometry's input) into
 * `columns` (`(r1 − r0) × K`, row-major), zeros for taps in the padding.
 */
export function gatherColumns(
  input: Float32Array,
  g: ConvGeometry,
  r0: number,
  r1: number,
  columns: Float32Array,
): void {
  visitRows(
    g,
    r0,
    r1,
    (col, src, count) => {
      for (let i = 0; i < count; i++) columns[col + i] = input[src + i] as number;
    },
    (col, count) => columns.fill(0, col, col + count),
  );
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
  visitRows(
    g,
    r0,
    r1,
    (col, dst, count) => {
      for (let i = 0; i < count; i++)
        target[dst + i] = (target[dst + i] as number) + (columns[col + i] as number);
    },
    () => {},
  );
}
