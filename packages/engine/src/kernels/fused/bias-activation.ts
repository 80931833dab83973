import { checkNumber } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { biasAdd } from '../../nn/bias-add.js';
import { fusedColumnSum } from './channel-ops.js';
import { chunkRows, fusedAvailable, pointer, runFused, uninitialised } from './fused-wasm.js';

const KERNEL = 'CellshapeBiasActivation';

/** Rows of `[..., C]`, the fused kernels' chunk, and [C] ones and zeros for their constants. */
function layout(x: tf.TensorInfo) {
  const channels = x.shape[x.shape.length - 1] as number;
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { channels, rows: size / channels, chunk: chunkRows(channels) };
}

function registerKernel(): void {
  if (tf.getGradient(KERNEL) !== undefined) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, bias } = inputs as unknown as { x: tf.Tensor; bias: tf.Tensor };
      const { channels, rows, chunk } = layout(x);
      const ones = tf.ones([channels]);
      const y = uninitialised(x.shape);
      const slope = (attrs as { slope: number }).slope;
      const args = [1, slope, pointer(ones), pointer(bias), pointer(y)];
      runFused('normalise', [pointer(x), channels], args, rows, chunk);
      ones.dispose();
      return y as unknown as tf.TensorInfo;
    },
  });
  tf.registerGradient({
    kernelName: KERNEL,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved as [tf.Tensor];
      const slope = (attrs as { slope: number }).slope;
      let dx: tf.Tensor | undefined;
      // dx = dy · b'(y): the output has the sign of the pre-activation for every slope ≥ 0.
      const inputGrad = () => {
        const { channels, rows, chunk } = layout(y);
        const [ones, zeros] = [tf.ones([channels]), tf.zeros([channels])];
        const out = uninitialised(y.shape);
        const constants = [ones, zeros, zeros].map(pointer);
        runFused(
          'normaliseGrad',
          [pointer(y), pointer(dy as tf.Tensor), channels],
          [slope, ...constants, pointer(out)],
          rows,
          chunk,
        );
        tf.dispose([ones, zeros]);
        return out;
      };
      return {
        x: () => {
          dx = inputGrad();
          return dx;
        },
        bias: () => {
          if (dx !== undefined && !dx.isDisposed) return fusedColumnSum(dx);
          const own = inputGrad();
          const sum = fusedColumnSum(own);
          own.dispose();
          return sum;
        },
      };
    },
  });
}

/**
 * `activation(x + bias)` over the last axis of a channels-last `x` `[..., C]` (`bias` `[C]`), the
 * activation a LeakyReLU of slope `negativeSlope` (default 0: ReLU; ≥ 0), differentiable in
 * both: a convolution's bias and activation in one pass. On the threaded wasm backend (C a
 * multiple of 4) one fused kernel (forward one pass; backward one pass and the bias's column
 * sums), elsewhere `biasAdd` then tfjs's activation.
 */
export function biasActivation(x: tf.Tensor, bias: tf.Tensor, negativeSlope = 0): tf.Tensor {
  const slope = checkNumber('biasActivation', 'negativeSlope', negativeSlope, { min: 0 });
  const channels = x.shape[x.rank - 1] as number;
  if (fusedAvailable(channels) && bias.shape[0] === channels && x.dtype === 'float32') {
    registerKernel();
    return tf.engine().runKernel(KERNEL, { x, bias }, { slope }) as tf.Tensor;
  }
  return tf.tidy(() => {
    const z = biasAdd(x, bias);
    return slope === 0 ? tf.relu(z) : tf.leakyRelu(z, slope);
  });
}
