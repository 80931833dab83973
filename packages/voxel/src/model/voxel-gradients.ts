import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { transposedAsConv3d } from './transposed-conv3d.js';

/**
 * Gradients of the 3D kernels the voxel models differentiate through that `@cellshape/engine`'s
 * `registerGradients` does not register (tfjs-core ships its own only in a build Node cannot
 * load): `Conv3D` (input and filter), `PadV2`, `Reverse` and `MaxPool3D`. A kernel that already
 * has a gradient (registered by the engine or by `@tensorflow/tfjs`) is left alone. The input
 * gradient of a strided convolution is computed as a stride-1 convolution
 * ({@link transposedAsConv3d}) on wasm, whose `conv3dTranspose` kernel gives wrong values.
 */
function configs(): GradConfig[] {
  return [
    {
      kernelName: 'Conv3D',
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x, filter] = saved as [Tensor, Tensor];
        const strides = attrs.strides as number[];
        const pad = attrs.pad as 'valid' | 'same';
        if (pad !== 'valid') throw new Error("voxel Conv3D gradient: only 'valid' padding");
        const g = dy as Tensor;
        return {
          x: () => convInputGradient(g, x, filter, strides),
          filter: () => convFilterGradient(g, x, filter, strides),
        };
      },
    },
    {
      kernelName: 'PadV2',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x] = saved as [Tensor];
        const paddings = attrs.paddings as Array<[number, number]>;
        return {
          x: () =>
            tf.slice(
              dy as Tensor,
              paddings.map((p) => p[0]),
              x.shape,
            ),
        };
      },
    },
    {
      kernelName: 'Reverse',
      gradFunc: (dy, _saved, attrs: NamedAttrMap) => ({
        x: () => tf.reverse(dy as Tensor, attrs.dims as number[]),
      }),
    },
    {
      kernelName: 'MaxPool3D',
      inputsToSave: ['x'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x, y] = saved as [Tensor, Tensor];
        return {
          x: () =>
            tf
              .engine()
              .runKernel(
                'MaxPool3DGrad',
                { dy: dy as Tensor, input: x, output: y },
                { ...attrs },
              ) as Tensor,
        };
      },
    },
  ];
}

/** dL/dx of a 'valid' strided conv3d: the transposed convolution of dy back to x's shape. */
function convInputGradient(dy: Tensor, x: Tensor, filter: Tensor, strides: number[]): Tensor {
  const kernel = filter.shape.slice(0, 3);
  const sizes = x.shape.slice(1, 4);
  const out = dy.shape.slice(1, 4) as number[];
  // Positions of x beyond the last window get no gradient: the output padding.
  const extra = sizes.map(
    (n, i) =>
      (n as number) - (((out[i] as number) - 1) * (strides[i] as number) + (kernel[i] as number)),
  );
  if (tf.getBackend() === 'wasm')
    return transposedAsConv3d(dy, filter, kernel, strides, [0, 0, 0], extra);
  return tf.conv3dTranspose(
    dy as tf.Tensor5D,
    filter as tf.Tensor5D,
    x.shape as [number, number, number, number, number],
    strides as [number, number, number],
    'valid',
  );
}

/**
 * dL/dfilter of a 'valid' strided conv3d. On wasm, whose `Conv3DBackpropFilterV2` gives wrong
 * values for strided 3³ kernels (tfjs-backend-wasm 4.22), as a plain convolution: x with batch
 * and channels swapped (`[in, D, H, W, B]`), the output gradient as the filter
 * (`[oD, oH, oW, B, out]`) dilated by the stride, over the positions a window covers.
 */
function convFilterGradient(dy: Tensor, x: Tensor, filter: Tensor, strides: number[]): Tensor {
  if (tf.getBackend() !== 'wasm')
    return tf
      .engine()
      .runKernel(
        'Conv3DBackpropFilterV2',
        { x, dy },
        { strides, pad: 'valid', filterShape: filter.shape },
      ) as Tensor;
  return tf.tidy(() => {
    const kernel = filter.shape.slice(0, 3) as number[];
    const out = dy.shape.slice(1, 4) as number[];
    const covered = out.map((o, i) => (o - 1) * (strides[i] as number) + (kernel[i] as number));
    const cut = tf.slice(
      x,
      [0, 0, 0, 0, 0],
      [x.shape[0] as number, ...covered, x.shape[4] as number],
    );
    const grad = tf.conv3d(
      tf.transpose(cut, [4, 1, 2, 3, 0]) as tf.Tensor5D,
      tf.transpose(dy, [1, 2, 3, 0, 4]) as tf.Tensor5D,
      [1, 1, 1],
      'valid',
      'NDHWC',
      strides as [number, number, number],
    );
    return tf.transpose(grad, [1, 2, 3, 0, 4]);
  });
}

let registered = false;

/** Registers the gradients above where missing; idempotent, called by every voxel model. */
export function registerVoxelGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of configs())
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
}
