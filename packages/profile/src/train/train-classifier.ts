import { checkString, invalidArgument, type Metadata, mixSeed } from '@cellshape/core';
import type { Dataset, TrainLoopResult } from '@cellshape/engine';
import type { Scalar } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { CnnClassifier } from '../models/cnn-classifier.js';
import type { CropBatch } from './crop-dataset.js';
import {
  DROPOUT_STREAM,
  resolveTrainOptions,
  runTraining,
  type TrainImagesOptions,
} from './train-options.js';

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions extends TrainImagesOptions {
  /** The metadata column holding each crop's class (required). */
  labelColumn?: string;
  /**
   * The class names in the order of the model's outputs. Default: the column's distinct values,
   * sorted (numerically when all are numbers).
   */
  classes?: readonly string[];
}

/** What {@link trainClassifier} returns: the loop's result and the classes of the outputs. */
export interface TrainClassifierResult extends TrainLoopResult {
  /** Class names, output k ↔ `classes[k]`. */
  classes: string[];
}

const FN = 'trainClassifier';

/** Class index per sample from a metadata column; classes sorted unless given. */
function classLabels(
  fn: string,
  metadata: readonly Metadata[],
  column: string,
  given?: readonly string[],
): { labels: Int32Array; classes: string[] } {
  const values = metadata.map((row, i) => {
    const v = row[column];
    if (v === undefined || v === null || v === '')
      throw invalidArgument(
        fn,
        'options.labelColumn',
        `a metadata column every sample has (sample ${i} lacks '${column}')`,
        column,
      );
    return String(v);
  });
  const distinct = [...new Set(values)];
  const numeric = distinct.every((v) => Number.isFinite(Number(v)));
  const classes = given
    ? [...given]
    : distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(classes.map((c, k) => [c, k]));
  const labels = Int32Array.from(values, (v, i) => {
    const k = index.get(v);
    if (k === undefined)
      throw invalidArgument(
        fn,
        'options.classes',
        `a list holding every label (sample ${i} is '${v}')`,
        given,
      );
    return k;
  });
  return { labels, classes };
}

/**
 * Trains a {@link CnnClassifier} on the classes of a metadata column with the softmax
 * cross-entropy (mean over the batch), Adam under a warm-up + cosine schedule, checkpoints and
 * exact resume. Its penultimate layer (`encode`) is then the embedding.
 *
 * ```ts
 * const net = new CnnClassifier({ numClasses: 2, inputShape: [128, 128, 3] });
 * const { classes } = await trainClassifier(net, dataset, { labelColumn: 'condition', epochs: 20 });
 * ```
 */
export async function trainClassifier(
  model: CnnClassifier,
  dataset: Dataset<CropBatch>,
  options: TrainClassifierOptions = {},
): Promise<TrainClassifierResult> {
  if (!model || typeof (model as Partial<CnnClassifier>).logits !== 'function')
    throw invalidArgument(FN, 'model', 'a CnnClassifier (logits, numClasses)', model);
  const o = resolveTrainOptions(FN, {}, options);
  const column = checkString(FN, 'options.labelColumn', o.labelColumn);
  const { labels, classes } = classLabels(FN, dataset.metadata ?? [], column, o.classes);
  if (classes.length !== model.numClasses)
    throw invalidArgument(
      FN,
      'options.labelColumn',
      `a column with the model's ${model.numClasses} classes`,
      classes,
    );
  const result = await runTraining(FN, model, dataset, o, (batch, { step }): Scalar => {
    model.reseedDropout(mixSeed(o.seed, DROPOUT_STREAM, step));
    const target = tf.oneHot(
      tf.tensor1d(
        batch.indices.map((i) => labels[i] as number),
        'int32',
      ),
      model.numClasses,
    );
    return tf.losses.softmaxCrossEntropy(target, model.logits(batch.input)) as Scalar;
  });
  return { ...result, classes };
}
