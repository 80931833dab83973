/**
 * Gradients of the tfjs kernels cellshape's models use.
 *
 * `@tensorflow/tfjs-core` ships its gradient definitions only in its ES-module build
 * (`dist/register_all_gradients.js`), which Node cannot load; the umbrella `@tensorflow/tfjs`
 * package registers them, but a library must not depend on it. So the engine registers the
 * ones it needs here, ported from tfjs-core 4.22 (Apache-2.0), skipping any kernel that
 * already has a gradient (e.g. when the user also imports `@tensorflow/tfjs`).
 *
 * The convolution gradients are not ports: they run the engine's column kernels (the wasm
 * backend lacks `Conv2DBackpropFilter` and its 3-D backprops are plain loops).
 *
 * One deliberate difference: the `GatherV2` gradient scatters with `scatterND` (which every
 * backend implements) instead of `unsortedSegmentSum` (which the wasm backend lacks).
 */

import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmConv2dBackpropFilter, tfjsConvGradients } from '../kernels/conv/tfjs-conv.js';
import { tfjsPoolGradients } from '../kernels/pool/max-pool.js';

const { backend_util: bu, util } = tf;

/** Sums `dy` over the axes that broadcasting added to `shape`, then reshapes to `shape`. */
function unbroadcast(dy: Tensor, shape: number[], outShape: number[]): Tensor {
  const axes = bu.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

function binary(
  kernelName: string,
  derA: (dy: Tensor, a: Tensor, b: Tensor) => Tensor,
  derB: (dy: Tensor, a: Tensor, b: Tensor) => Tensor,
): GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [Tensor, Tensor];
      const outShape = bu.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(derA(dy as Tensor, a, b), a.shape, outShape),
        b: () => unbroadcast(derB(dy as Tensor, a, b), b.shape, outShape),
      };
    },
  };
}

function unaryFromInput(kernelName: string, der: (dy: Tensor, x: Tensor) => Tensor): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [Tensor];
      return { x: () => der(dy as Tensor, x) };
    },
  };
}

function unaryFromOutput(kernelName: string, der: (dy: Tensor, y: Tensor) => Tensor): GradConfig {
  return {
    kernelName,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved as [Tensor];
      return { x: () => der(dy as Tensor, y) };
    },
  };
}

/** Gradient of a min/max reduction: `dy` goes to every element equal to the extremum. */
function minMax(kernelName: string, axisAttr: 'reductionIndices' | 'axis'): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs: NamedAttrMap) => {
      const [x, y] = saved as [Tensor, Tensor];
      const axes = util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
      // The reduced shape with 1s on the reduced axes, whether or not keepDims kept them.
      const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return {
        x: () =>
          tf.mul(
            tf.reshape(dy as Tensor, keep),
            tf.cast(tf.equal(x, tf.reshape(y, keep)), 'float32'),
          ),
      };
    },
  };
}

function reduceSumLike(kernelName: string, mean: boolean): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: NamedAttrMap) => {
      const [x] = saved as [Tensor];
      const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const keep = x.shape.slice();
      let count = 1;
      for (const axis of axes) {
        count *= x.shape[axis] ?? 1;
        keep[axis] = 1;
      }
      return {
        x: () => {
          const spread = tf.mul(tf.reshape(dy as Tensor, keep), tf.ones(x.shape, 'float32'));
          return mean ? tf.div(spread, count) : spread;
        },
      };
    },
  };
}

/** Swaps the last two axes. */
function swapLast(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  const last = perm.length - 1;
  [perm[last - 1], perm[last]] = [last, last - 1];
  return tf.transpose(t, perm);
}

/**
 * `op(a)·op(b)` with explicit transposes: the wasm backend's matMul serves only the
 * untransposed form fast (XNNPACK), so a transpose followed by a plain product beats its
 * transpose flags by far (figures in docs/performance.md).
 */
function product(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  return tf.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b);
}

function matMulGrad(): GradConfig {
  return {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dyIn, saved, attrs: NamedAttrMap) => {
      const dy = dyIn as Tensor;
      const [a, b] = saved as [Tensor, Tensor];
      const tA = attrs.transposeA === true;
      const tB = attrs.transposeB === true;
      if (!tA && !tB)
        return { a: () => product(dy, b, false, true), b: () => product(a, dy, true, false) };
      if (!tA && tB)
        return { a: () => product(dy, b, false, false), b: () => product(dy, a, true, false) };
      if (tA && !tB)
        return { a: () => product(b, dy, false, true), b: () => product(a, dy, false, false) };
      return { a: () => product(b, dy, true, true), b: () => product(dy, a, true, true) };
    },
  };
}

function gatherGrad(): GradConfig {
  return {
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dyIn, saved, attrs: NamedAttrMap) => {
      const dy = dyIn as Tensor;
      const [x, indices] = saved as [Tensor, Tensor];
      const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0] ?? 0;
      if (((attrs.batchDims as number | undefined) ?? 0) !== 0)
        throw new Error('cellshape: the GatherV2 gradient supports batchDims = 0 only');
      const derX = (): Tensor => {
        const outer = x.shape.slice(0, axis);
        const inner = x.shape.slice(axis + 1);
        const n = indices.size;
        // dy is [outer..., indices..., inner...]; move the gathered axis first and scatter-add.
        const values = tf.reshape(dy, [...outer, n, ...inner]);
        const perm = [
          outer.length,
          ...outer.map((_, i) => i),
          ...inner.map((_, i) => outer.length + 1 + i),
        ];
        const moved = tf.transpose(values, perm);
        const scattered = tf.scatterND(tf.reshape(indices, [n, 1]), moved, [
          x.shape[axis] ?? 0,
          ...outer,
          ...inner,
        ]);
        return tf.transpose(scattered, bu.getUndoAxesPermutation(perm));
      };
      return { x: derX, indices: () => tf.zeros(indices.shape, 'float32') };
    },
  };
}

/** Elementwise binary arithmetic (gradients w.r.t. both inputs, broadcasting undone). */
function binaryGrads(): GradConfig[] {
  return [
    binary(
      'Add',
      (dy) => dy,
      (dy) => dy,
    ),
    binary(
      'Sub',
      (dy) => dy,
      (dy) => tf.neg(dy),
    ),
    binary(
      'Multiply',
      (dy, _a, b) => tf.mul(dy, b),
      (dy, a) => tf.mul(dy, a),
    ),
    binary(
      'RealDiv',
      (dy, _a, b) => tf.div(dy, b),
      (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b))),
    ),
    binary(
      'SquaredDifference',
      (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(a, b))),
      (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(b, a))),
    ),
    binary(
      'Maximum',
      (dy, a, b) => tf.mul(dy, tf.cast(tf.greaterEqual(a, b), 'float32')),
      (dy, a, b) => tf.mul(dy, tf.cast(tf.less(a, b), 'float32')),
    ),
    binary(
      'Minimum',
      (dy, a, b) => tf.mul(dy, tf.cast(tf.lessEqual(a, b), 'float32')),
      (dy, a, b) => tf.mul(dy, tf.cast(tf.greater(a, b), 'float32')),
    ),
  ];
}

/** Elementwise unary ops and activations. */
function unaryGrads(): GradConfig[] {
  return [
    { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy as Tensor) }) },
    { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => tf.cast(dy as Tensor, 'float32') }) },
    { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(dy as Tensor) }) },
    unaryFromInput('Square', (dy, x) => tf.mul(dy, tf.mul(x, 2))),
    unaryFromInput('Sqrt', (dy, x) => tf.div(dy, tf.mul(tf.sqrt(x), 2))),
    unaryFromInput('Rsqrt', (dy, x) => tf.neg(tf.div(dy, tf.mul(tf.pow(x, 1.5), 2)))),
    unaryFromInput('Abs', (dy, x) => tf.mul(dy, tf.sign(x))),
    unaryFromInput('Log', (dy, x) => tf.div(dy, x)),
    unaryFromInput('Log1p', (dy, x) => tf.div(dy, tf.add(x, 1))),
    unaryFromOutput('Exp', (dy, y) => tf.mul(dy, y)),
    unaryFromOutput('Sigmoid', (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
    unaryFromOutput('Tanh', (dy, y) => tf.mul(dy, tf.sub(1, tf.square(y)))),
    unaryFromInput('Relu', (dy, x) => tf.mul(dy, tf.step(x))),
    {
      kernelName: 'LeakyRelu',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x] = saved as [Tensor];
        const alpha = attrs.alpha as number;
        return { x: () => tf.where(tf.greater(x, 0), dy as Tensor, tf.mul(dy as Tensor, alpha)) };
      },
    },
  ];
}

/** Reductions, matMul and gather. */
function reductionGrads(): GradConfig[] {
  return [
    reduceSumLike('Sum', false),
    reduceSumLike('Mean', true),
    minMax('Max', 'reductionIndices'),
    minMax('Min', 'axis'),
    matMulGrad(),
    gatherGrad(),
  ];
}

/** Reshapes, transposes and concatenation. */
function layoutGrads(): GradConfig[] {
  return [
    unaryFromInput('Reshape', (dy, x) => tf.reshape(dy, x.shape)),
    {
      // tfjs names the ExpandDims input 'input', not 'x'.
      kernelName: 'ExpandDims',
      inputsToSave: ['input'],
      gradFunc: (dy, saved) => {
        const [x] = saved as [Tensor];
        return { input: () => tf.reshape(dy as Tensor, x.shape) };
      },
    },
    {
      kernelName: 'Transpose',
      gradFunc: (dy, _saved, attrs: NamedAttrMap) => {
        const undo = bu.getUndoAxesPermutation(attrs.perm as number[]);
        return { x: () => tf.transpose(dy as Tensor, undo) };
      },
    },
    {
      kernelName: 'Concat',
      saveAllInputs: true,
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const inputs = saved as Tensor[];
        const first = inputs[0] as Tensor;
        const axis = util.parseAxisParam(attrs.axis as number, first.shape)[0] ?? 0;
        const parts = tf.split(
          dy as Tensor,
          inputs.map((t) => t.shape[axis] ?? 0),
          axis,
        );
        return parts.map((t) => () => t) as unknown as Record<string, () => Tensor>;
      },
    },
  ];
}

/** Slicing, broadcasting and tiling. */
function sliceTileGrads(): GradConfig[] {
  return [
    {
      kernelName: 'Slice',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x] = saved as [Tensor];
        const [begin, size] = tf.slice_util.parseSliceParams(
          x,
          attrs.begin as number[],
          attrs.size as number[],
        ) as [number[], number[]];
        const pads = x.shape.map((d, i) => [
          begin[i] ?? 0,
          d - (begin[i] ?? 0) - (size[i] ?? 0),
        ]) as Array<[number, number]>;
        return { x: () => tf.pad(dy as Tensor, pads) };
      },
    },
    {
      kernelName: 'BroadcastTo',
      gradFunc: (dy, _saved, attrs: NamedAttrMap) => {
        const inputShape = attrs.inputShape as number[];
        const outShape = attrs.shape as number[];
        const offset = outShape.length - inputShape.length;
        const axes: number[] = [];
        for (let i = 0; i < outShape.length; i++)
          if (i < offset || (inputShape[i - offset] === 1 && outShape[i] !== 1)) axes.push(i);
        return {
          x: () =>
            tf.reshape(axes.length > 0 ? tf.sum(dy as Tensor, axes) : (dy as Tensor), inputShape),
        };
      },
    },
    {
      kernelName: 'Tile',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x] = saved as [Tensor];
        const reps = attrs.reps as number[];
        // Split every tiled axis into (reps, size) and sum over the reps axes.
        const split: number[] = [];
        const axes: number[] = [];
        x.shape.forEach((d, i) => {
          axes.push(split.length);
          split.push(reps[i] ?? 1, d);
        });
        return { x: () => tf.reshape(tf.sum(tf.reshape(dy as Tensor, split), axes), x.shape) };
      },
    },
  ];
}

/** Every gradient config, in registration order. */
/** Zero padding and 3-D max pooling (the 3-D ResNets' stem and shortcut A). */
function paddingPoolingGrads(): GradConfig[] {
  return [
    {
      kernelName: 'PadV2',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x] = saved as [Tensor];
        const begin = (attrs.paddings as Array<[number, number]>).map((p) => p[0]);
        return { x: () => tf.slice(dy as Tensor, begin, x.shape) };
      },
    },
    {
      kernelName: 'MaxPool3D',
      inputsToSave: ['x'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x, y] = saved as [Tensor, Tensor];
        // tfjs's own gradient kernel; only the gradient registration is missing in Node.
        const grad = () =>
          tf.engine().runKernel(
            'MaxPool3DGrad',
            { dy: dy as Tensor, input: x, output: y },
            {
              ...attrs,
            },
          ) as Tensor;
        return { x: grad };
      },
    },
  ];
}

function configs(): GradConfig[] {
  return [
    ...binaryGrads(),
    ...unaryGrads(),
    ...reductionGrads(),
    ...layoutGrads(),
    ...sliceTileGrads(),
    ...tfjsConvGradients(),
    ...paddingPoolingGrads(),
    ...tfjsPoolGradients(),
  ];
}

let registered = false;

/**
 * Registers the gradients of the tfjs kernels cellshape's models differentiate through
 * (elementwise arithmetic, reductions, matMul, gather, reshape/transpose/concat/slice/tile,
 * activations, zero padding, 2-D and 3-D max pooling, and the convolutions through the engine's column
 * kernels), and the wasm backend's missing `Conv2DBackpropFilter` kernel. Kernels that already
 * have a gradient are left alone. Idempotent; called by `selectBackend` and by every model constructor.
 */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  registerWasmConv2dBackpropFilter();
  for (const config of configs())
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
}
