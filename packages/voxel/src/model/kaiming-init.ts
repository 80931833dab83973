import type { Rng } from '@cellshape/core';
import { type Convolution, parameterFromTorch } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Re-initialises a convolution's weight as PyTorch's `kaiming_normal_(mode='fan_out',
 * nonlinearity='relu')`, the 3D ResNet's initialisation: normal with standard deviation
 * √(2 / (out · ∏kernel)), drawn from `rng` in PyTorch's row-major order.
 */
export function kaimingNormalFanOut(conv: Convolution, rng: Rng): void {
  const { outChannels, kernelSize } = conv.options;
  const fanOut = outChannels * kernelSize.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanOut);
  const data = new Float32Array(conv.weight.torchShape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, std);
  const held = parameterFromTorch(conv.weight, data);
  const value = tf.tensor(held.data, conv.weight.variable.shape, 'float32');
  conv.weight.variable.assign(value);
  value.dispose();
}
