import { invalidArgument, mixSeed } from '@cellshape/core';
import { registerGradients, StateDictModule } from '@cellshape/engine';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { registerMaxPoolGradient } from './max-pool-gradient.js';

/**
 * What the 2D image models share: training / evaluation mode, the check of image batches
 * `[B, H, W, C]` (channels last) and the seeding of dropout.
 *
 * Dropout masks are drawn from `tf.randomUniform` with a seed mixed from the model's dropout
 * seed, the number of dropout draws since it was set, and the layer: a training run that
 * reseeds dropout before every step from (run seed, step) (as the `train*` functions of this
 * package do) draws the same masks when it is resumed, on every backend.
 */
export abstract class ImageModel extends StateDictModule {
  /** The input image size `[H, W, C]` the model was built for. */
  abstract readonly inputShape: readonly [number, number, number];
  private mode = true;
  private dropoutSeed = 0;
  private dropoutDraws = 0;

  protected constructor(protected readonly fn: string) {
    super();
    registerGradients();
    registerMaxPoolGradient();
  }

  /** True in training mode (batch statistics, dropout on). */
  get training(): boolean {
    return this.mode;
  }

  /** Switches batch norm and dropout to training (`true`, default) or evaluation behaviour. */
  train(mode = true): this {
    if (typeof mode !== 'boolean')
      throw invalidArgument(`${this.fn}.train`, 'mode', 'a boolean', mode);
    this.mode = mode;
    return this;
  }

  /** Evaluation mode: batch norm uses the running statistics, dropout is off. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Restarts the dropout masks from `seed`: the masks of the following training-mode forward
   * passes depend only on `seed` and their order.
   */
  reseedDropout(seed: number): void {
    if (!Number.isFinite(seed))
      throw invalidArgument(`${this.fn}.reseedDropout`, 'seed', 'a finite number', seed);
    this.dropoutSeed = seed;
    this.dropoutDraws = 0;
  }

  /**
   * Inverted dropout with probability `rate` in training mode (kept values scaled by
   * 1 / (1 − rate), as PyTorch's `nn.Dropout`); the identity in evaluation mode or at rate 0.
   */
  protected dropout(x: Tensor, rate: number): Tensor {
    if (!this.mode || rate === 0) return x;
    const seed = mixSeed(this.dropoutSeed, 0xd809, this.dropoutDraws++);
    return tf.tidy(() => {
      const keep = tf.cast(
        tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate),
        'float32',
      );
      return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
    });
  }

  /** Checks a batch of images `[B, H, W, C]` of the model's input shape. */
  protected checkImages(fn: string, images: Tensor): asserts images is Tensor4D {
    const [h, w, c] = this.inputShape;
    const layout = `a float32 tensor of shape [B, ${h}, ${w}, ${c}] (the model's inputShape)`;
    if (!(images instanceof tf.Tensor)) throw invalidArgument(fn, 'images', layout, images);
    const s = images.shape;
    if (
      images.rank !== 4 ||
      images.dtype !== 'float32' ||
      (s[0] as number) < 1 ||
      s[1] !== h ||
      s[2] !== w ||
      s[3] !== c
    )
      throw invalidArgument(fn, 'images', layout, s);
  }
}
