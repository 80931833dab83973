import { invalidArgument, mixSeed } from '@cellshape/core';
import { registerGradients, StateDictModule } from '@cellshape/engine';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * What the 2D image models share: training / evaluation mode, the check of image batches
 * `[B, H, W, C]` (channels last) and the seeding of dropout.
 *
 * Dropout masks are drawn by the engine's `dropoutMask` with a seed mixed from the model's dropout
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
   * The seed of the next training-mode dropout draw: a draw's mask (engine `dropoutMask`, the
   * same on every backend) depends only on the model's dropout seed and the number of draws
   * since it was set.
   */
  protected nextDropoutSeed(): number {
    return mixSeed(this.dropoutSeed, 0xd809, this.dropoutDraws++);
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
