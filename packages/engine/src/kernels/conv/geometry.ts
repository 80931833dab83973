/**
 * The shape of one convolution, channels-last, as 3-D (a 2-D convolution is a 3-D one with
 * depth 1, kernel depth 1, stride 1 and no depth padding): input `[batch, ...inSize, inChannels]`,
 * output `[batch, ...outSize, outChannels]`, output position `o` reading input positions
 * `o·stride − padding + tap` for taps `0 … kernel − 1` (outside the input: zero).
 *
 * The same geometry serves a transposed convolution read backwards: its input is this
 * geometry's output and its output this geometry's input.
 */
export interface ConvGeometry {
  /** Spatial axes of the tensors (2: `[B, H, W, C]`, held as depth 1). */
  dims: 2 | 3;
  batch: number;
  /** Input spatial sizes `[D, H, W]`. */
  inSize: [number, number, number];
  inChannels: number;
  /** Output spatial sizes `[D', H', W']`. */
  outSize: [number, number, number];
  outChannels: number;
  kernel: [number, number, number];
  stride: [number, number, number];
  /** Zeros before each axis (those after follow from the sizes). */
  padding: [number, number, number];
}

/** Spatial sizes of a 2-D (`[H, W]`) or 3-D shape part as 3-D (`[1, H, W]`). */
export function as3d(sizes: readonly number[], fill: number): [number, number, number] {
  return sizes.length === 2
    ? [fill, sizes[0] as number, sizes[1] as number]
    : [sizes[0] as number, sizes[1] as number, sizes[2] as number];
}

/** Taps per output position times input channels: the columns' width (`k_d·k_h·k_w·C_in`). */
export function columnWidth(g: ConvGeometry): number {
  return g.kernel[0] * g.kernel[1] * g.kernel[2] * g.inChannels;
}

/** Output positions over the batch: the columns' height. */
export function outputRows(g: ConvGeometry): number {
  return g.batch * g.outSize[0] * g.outSize[1] * g.outSize[2];
}

/** Input values over the batch. */
export function inputLength(g: ConvGeometry): number {
  return g.batch * g.inSize[0] * g.inSize[1] * g.inSize[2] * g.inChannels;
}

/**
 * The 15 integers our wasm column kernels take for a geometry, in their order: input size,
 * input channels, output size, kernel, stride, padding (sizes depth, height, width).
 */
export function geometryWords(g: ConvGeometry): number[] {
  return [...g.inSize, g.inChannels, ...g.outSize, ...g.kernel, ...g.stride, ...g.padding];
}

/**
 * Whether the columns are the input itself: a 1×1(×1) kernel, stride 1 and no padding (the
 * output grid is the input grid).
 */
export function isPointwise(g: ConvGeometry): boolean {
  return [0, 1, 2].every((i) => g.kernel[i] === 1 && g.stride[i] === 1 && g.padding[i] === 0);
}

/** The channels-last input shape `[B, …spatial, C_in]` (rank `dims + 2`). */
export function inputShape(g: ConvGeometry): number[] {
  const spatial = g.dims === 2 ? g.inSize.slice(1) : g.inSize;
  return [g.batch, ...spatial, g.inChannels];
}

/** The channels-last output shape `[B, …spatial', C_out]`. */
export function outputShape(g: ConvGeometry): number[] {
  const spatial = g.dims === 2 ? g.outSize.slice(1) : g.outSize;
  return [g.batch, ...spatial, g.outChannels];
}

/** tfjs's filter shape `[…kernel, C_in, C_out]`. */
export function filterShape(g: ConvGeometry): number[] {
  const spatial = g.dims === 2 ? g.kernel.slice(1) : g.kernel;
  return [...spatial, g.inChannels, g.outChannels];
}
