import { invalidArgument, shapeSize } from '@cellshape/core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** `[0, rank − 1, 1, …, rank − 2]`: channels-last → channels-first. */
function toChannelsFirst(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/**
 * PyTorch's `x.flatten(1)` of a channels-first tensor, for our channels-last one: `[B, …spatial, C]`
 * → `[B, C·∏spatial]` with the values in PyTorch's order (channel slowest), so a `Linear` after a
 * convolution takes PyTorch's weights unchanged.
 */
export function torchFlatten(x: Tensor): Tensor2D {
  if (!(x instanceof tf.Tensor) || x.rank < 2)
    throw invalidArgument(
      'torchFlatten',
      'x',
      'a tf.Tensor [B, …spatial, C]',
      x instanceof tf.Tensor ? x.shape : x,
    );
  return tf.tidy(() => {
    const batch = x.shape[0] as number;
    return tf.reshape(tf.transpose(x, toChannelsFirst(x.rank)), [batch, -1]) as Tensor2D;
  });
}

/**
 * The inverse of {@link torchFlatten}: PyTorch's `x.reshape(B, C, …spatial)` of `[B, F]`, returned
 * channels-last `[B, …spatial, C]`.
 *
 * @param torchShape `[C, …spatial]`, PyTorch's shape of one sample (∏ = F).
 */
export function torchUnflatten(x: Tensor, torchShape: readonly number[]): Tensor {
  const fn = 'torchUnflatten';
  if (!(x instanceof tf.Tensor) || x.rank !== 2)
    throw invalidArgument(fn, 'x', 'a tf.Tensor [B, F]', x instanceof tf.Tensor ? x.shape : x);
  if (torchShape.length < 1 || shapeSize(torchShape) !== x.shape[1])
    throw invalidArgument(fn, 'torchShape', `[C, …spatial] of ${x.shape[1]} values`, torchShape);
  return tf.tidy(() => {
    const channelsFirst = tf.reshape(x, [x.shape[0], ...torchShape]);
    const rank = channelsFirst.rank;
    // channels-first → channels-last: [0, 2, …, rank − 1, 1]
    return tf.transpose(channelsFirst, [
      0,
      ...Array.from({ length: rank - 2 }, (_, i) => i + 2),
      1,
    ]);
  });
}
