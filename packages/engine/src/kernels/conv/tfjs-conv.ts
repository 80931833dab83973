import * as tf from '@tensorflow/tfjs-core';
import { convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import type { ConvGeometry } from './geometry.js';

/**
 * Gradients of tfjs's own convolution kernels (`tf.conv2d`, `tf.conv3d`, `tf.conv2dTranspose`,
 * `tf.conv3dTranspose`) from the engine's column kernels, and the `Conv2DBackpropFilter`
 * kernel the wasm backend lacks, so that plain tfjs convolutions are differentiable on every
 * backend. Channels-last and dilation 1 only (what cellshape's models use).
 */

type Info = tf.backend_util.Conv2DInfo | tf.backend_util.Conv3DInfo;

function checkPlain(kernel: string, info: Info): void {
  const dilations = 'dilationDepth' in info ? [info.dilationDepth] : [];
  dilations.push(info.dilationHeight, info.dilationWidth);
  if (dilations.some((d) => d !== 1) || info.dataFormat !== 'channelsLast')
    throw new Error(`cellshape: the ${kernel} gradient supports dilation 1, channels-last only`);
}

/** The column geometry of a tfjs convolution's shape info (2-D as depth 1). */
function geometryOf(kernel: string, info: Info): ConvGeometry {
  checkPlain(kernel, info);
  const is3d = 'inDepth' in info;
  const c3 = is3d ? (info as tf.backend_util.Conv3DInfo) : undefined;
  return {
    dims: is3d ? 3 : 2,
    batch: info.batchSize,
    inSize: [c3?.inDepth ?? 1, info.inHeight, info.inWidth],
    inChannels: info.inChannels,
    outSize: [c3?.outDepth ?? 1, info.outHeight, info.outWidth],
    outChannels: info.outChannels,
    kernel: [c3?.filterDepth ?? 1, info.filterHeight, info.filterWidth],
    stride: [c3?.strideDepth ?? 1, info.strideHeight, info.strideWidth],
    padding: [c3?.padInfo.front ?? 0, info.padInfo.top, info.padInfo.left],
  };
}

type Attrs = tf.NamedAttrMap;
type Pad = 'valid' | 'same' | number;

function info2d(xShape: number[], filterShape: number[], attrs: Attrs): Info {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC') ?? 'NHWC'),
  );
}

function info3d(xShape: number[], filterShape: number[], attrs: Attrs): Info {
  return tf.backend_util.computeConv3DInfo(
    xShape as [number, number, number, number, number],
    filterShape as [number, number, number, number, number],
    attrs.strides as [number, number, number],
    (attrs.dilations as [number, number, number] | undefined) ?? 1,
    attrs.pad as 'valid' | 'same',
  );
}

/** `Conv2D` / `Conv3D`: inputs `x`, `filter`. */
function forwardGrad(kernelName: string, info: typeof info2d): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor, tf.Tensor];
      const g = geometryOf(kernelName, info(x.shape, filter.shape, attrs));
      return {
        x: () => convInputGrad(dy as tf.Tensor, filter, g),
        filter: () => convFilterGrad(x, dy as tf.Tensor, g),
      };
    },
  };
}

/** `Conv2DBackpropInput` / `Conv3DBackpropInputV2` (the transposed convolutions): `dy`, `filter`. */
function transposeGrad(kernelName: string, info: typeof info2d): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tf.Tensor, tf.Tensor];
      const g = geometryOf(kernelName, info(attrs.inputShape as number[], filter.shape, attrs));
      return {
        dy: () => convForward(ddx as tf.Tensor, filter, g),
        filter: () => convFilterGrad(ddx as tf.Tensor, dy, g),
      };
    },
  };
}

/** The gradients of tfjs's four convolution kernels. */
export function tfjsConvGradients(): tf.GradConfig[] {
  return [
    forwardGrad('Conv2D', info2d),
    forwardGrad('Conv3D', info3d),
    transposeGrad('Conv2DBackpropInput', info2d),
    transposeGrad('Conv3DBackpropInputV2', info3d),
  ];
}

/**
 * Registers `Conv2DBackpropFilter` for the wasm backend (which has none) when missing: the
 * filter gradient of `tf.conv2d` as the columns' product. Idempotent.
 */
export function registerWasmConv2dBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as unknown as { x: tf.Tensor; dy: tf.Tensor };
      const a = attrs as Attrs;
      const g = geometryOf('Conv2DBackpropFilter', info2d(x.shape, a.filterShape as number[], a));
      // A kernel may return a tensor of its own ops (tfjs then uses it as the output).
      return convFilterGrad(x, dy, g) as unknown as tf.TensorInfo;
    },
  });
}
